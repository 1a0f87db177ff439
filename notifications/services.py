"""`notify()` is how every app tells a person about an event: in-app + email, after commit.

The in-app row and the e-mail (an `OutgoingEmail` outbox row) are written in the caller's transaction;
a background task sends the e-mail after commit, retrying with back-off while the mail server is down,
and the live push to open pages runs after commit too (on the queue when the channel layer is Redis).

Templates per kind, in `templates/notifications/<kind>/`: `subject.txt`, `body.txt`, `body.html`
(rendered in the recipient's language). The subject is the in-app title, body.txt the in-app text.
`body.html` usually extends `notifications/email_base.html`; when a kind has none, the text body is
wrapped in that layout.
"""

import datetime
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from background.queue import enqueue_on_commit
from common.cache_guard import cache_call

from . import snapshot, tasks
from .models import Notification, OutgoingEmail

logger = logging.getLogger(__name__)

TITLE_MAX = Notification._meta.get_field("title").max_length
URL_MAX = Notification._meta.get_field("url").max_length


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


def _language_for(recipient) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    language = getattr(recipient, "language", "") or ""
    return language if language in supported else settings.LANGUAGE_CODE


def render_notification(
    recipient, *, kind: str, context: dict | None = None, url: str = ""
) -> tuple[str, str, str]:
    """(subject, text, html) of a notification in the recipient's language. Missing subject or text
    templates raise TemplateDoesNotExist: that is a programming error the kind's tests must catch."""
    context = {
        "recipient": recipient,
        "url": url,
        "site_url": settings.SITE_URL,
        "kind": kind,
        **(context or {}),
    }
    with translation.override(_language_for(recipient)):
        subject = " ".join(render_to_string(f"notifications/{kind}/subject.txt", context).split())
        text = render_to_string(f"notifications/{kind}/body.txt", context).strip()
        context["subject"] = subject
        try:
            html = render_to_string(f"notifications/{kind}/body.html", context)
        except TemplateDoesNotExist:
            html = render_to_string("notifications/email_fallback.html", {**context, "text": text})
    return subject, text, html


def _render_texts(kind: str, context: dict) -> tuple[str, str]:
    subject = " ".join(render_to_string(f"notifications/{kind}/subject.txt", context).split())
    text = render_to_string(f"notifications/{kind}/body.txt", context).strip()
    return subject, text


def _in_app_text(text: str, url: str, site_url: str) -> str:
    # The email text ends with the full link; in the app the notification itself is the link.
    return text.removesuffix(f"{site_url}{url}").strip() if url else text


def notification_params(recipient, *, kind: str, context: dict | None = None, url: str = "") -> dict:
    """What the kind's subject.txt and body.txt read from `context`, as JSON (notifications.snapshot):
    stored with the row so the notification is rendered in the reader's language when shown."""
    full = {
        "recipient": recipient,
        "url": url,
        "site_url": settings.SITE_URL,
        "kind": kind,
        **(context or {}),
    }
    languages = [code for code, _name in settings.LANGUAGES]
    params, _results = snapshot.record(lambda ctx: _render_texts(kind, ctx), full, languages)
    return params


def in_app(notification: Notification) -> tuple[str, str, str]:
    """(title, text, language) of a notification as shown now: rendered from its kind and stored
    parameters in the active language; rows stored before the parameters existed (or whose kind's
    templates are gone) show the text frozen when they were created, in the language it was written in
    (docs/notifications.md, "Rendered when shown")."""
    context = snapshot.restore(notification.params)
    if context is not None:
        try:
            subject, text = _render_texts(notification.kind, context)
        except Exception:  # a kind renamed or a template changed beyond its stored values
            logger.warning(
                "notification %s (%s) shown from its stored text",
                notification.pk,
                notification.kind,
                exc_info=True,
            )
        else:
            site_url = context.get("site_url") or settings.SITE_URL
            language = translation.get_language() or settings.LANGUAGE_CODE
            return subject[:TITLE_MAX], _in_app_text(text, notification.url, site_url), language
    return notification.title, notification.body, notification.language or settings.LANGUAGE_CODE


def notify(
    recipient, *, kind: str, context: dict | None = None, url: str = "", email: bool = True
) -> Notification:
    """Record an in-app notification for `recipient` and, once the transaction commits, email it and
    push it live to their open pages. `url` is a site path ("/adoption/applications/")."""
    subject, text, html = render_notification(recipient, kind=kind, context=context, url=url)
    params = notification_params(recipient, kind=kind, context=context, url=url)
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        params=params,
        language=_language_for(recipient),
        title=subject[:TITLE_MAX],
        body=_in_app_text(text, url, settings.SITE_URL),
        url=url[:URL_MAX],
    )
    forget_unread_count(recipient.pk, again_on_commit=False)  # again in after_commit below
    outgoing = None
    if email and bool(recipient.email) and recipient.is_active:
        outgoing = queue_email(
            to=recipient.email,
            subject=subject,
            text=text,
            html=html,
            kind=kind,
            notification=notification,
            enqueue=False,
        )
    pk, email_pk = notification.pk, getattr(outgoing, "pk", None)

    def after_commit():
        forget_unread_count(recipient.pk, again_on_commit=False)
        if email_pk is not None:
            try:
                tasks.send_email(email_pk)
            except Exception:  # the queue is unreachable: resend_lost_emails picks the row up later
                logger.exception("could not enqueue e-mail %s", email_pk)
        _push_after_commit(pk)

    # robust: a failing delivery must not stop the other on-commit hooks of the same transaction.
    transaction.on_commit(after_commit, robust=True)
    return notification


def queue_email(
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    kind: str = "",
    notification=None,
    enqueue: bool = True,
) -> OutgoingEmail:
    """Write an outbox row now and send it from the task queue once the transaction commits.

    Also for e-mails that are not notifications (password reset). Delivery is at least once: a
    worker that dies between the SMTP server's "250 OK" and marking the row sent makes the next
    try send it again; never zero times while the row is pending.
    """
    outgoing = OutgoingEmail.objects.create(
        notification=notification,
        kind=kind[:60],
        to=to,
        subject=subject[:300],
        text=text,
        html=html,
        headers={"Auto-Submitted": "auto-generated"},
    )
    if enqueue:
        enqueue_on_commit(tasks.send_email, outgoing.pk)
    return outgoing


def _claim_window() -> datetime.timedelta:
    # Longer than one SMTP conversation can take (connect + each reply may take EMAIL_TIMEOUT).
    return datetime.timedelta(seconds=max(60, 4 * (settings.EMAIL_TIMEOUT or 15)))


def deliver_email(email_id: int, *, last_try: bool = False) -> bool:
    """Send one outbox e-mail unless it was sent already (idempotent by the row's state). Raises when
    the mail server fails, so the task retries; on the last try the row is marked failed."""
    now = timezone.now()
    with transaction.atomic():
        outgoing = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if outgoing is None or outgoing.state == OutgoingEmail.State.SENT:
            return False
        if outgoing.claimed_at and outgoing.claimed_at > now - _claim_window():
            return False  # another worker is sending it right now
        outgoing.claimed_at = now
        outgoing.attempts += 1
        outgoing.save(update_fields=["claimed_at", "attempts"])
    # Sent outside the transaction: a slow SMTP server must not hold a database lock.
    message = EmailMultiAlternatives(
        outgoing.subject, outgoing.text, settings.DEFAULT_FROM_EMAIL, [outgoing.to], headers=outgoing.headers
    )
    if outgoing.html:
        message.attach_alternative(outgoing.html, "text/html")
    try:
        message.send()
    except Exception as exc:
        state = OutgoingEmail.State.FAILED if last_try else OutgoingEmail.State.PENDING
        OutgoingEmail.objects.filter(pk=email_id).update(
            claimed_at=None, state=state, last_error=f"{type(exc).__name__}: {exc}"[:500]
        )
        logger.warning("e-mail %s not sent (try %s): %s", email_id, outgoing.attempts, exc)
        raise
    OutgoingEmail.objects.filter(pk=email_id).update(
        state=OutgoingEmail.State.SENT, sent_at=timezone.now(), claimed_at=None, last_error=""
    )
    return True


def channel_layer_is_shared() -> bool:
    """True when the channel layer reaches other processes (Redis): then a worker can push for us."""
    layer = get_channel_layer()
    return layer is not None and type(layer).__name__ != "InMemoryChannelLayer"


def _push_after_commit(notification_id: int) -> None:
    if channel_layer_is_shared():
        # Redis may be slow or down: the request never waits for it.
        tasks.push_notification(notification_id)
        return
    # The in-memory layer lives in this process only (the dev server): push here; it never blocks.
    notification = Notification.objects.filter(pk=notification_id).select_related("recipient").first()
    if notification is not None:
        push_live(notification)


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


# The header's badge on every member page: remembered in the cache until one of the member's
# notifications is created or read (below), at most this long (a count computed from rows just before
# a change and stored just after its last forget is right again within this bound).
UNREAD_CACHE_SECONDS = 120
_UNREAD_POLICY = "counted in the database"


def _unread_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def cached_unread_count(user_id: int) -> int:
    """`unread_count()` for page headers: one cache round trip instead of a COUNT query."""
    key = _unread_key(user_id)
    count = cache_call(lambda: cache.get(key), what="unread count", policy=_UNREAD_POLICY)
    if count is None:
        count = unread_count(user_id)
        cache_call(
            lambda: cache.set(key, count, UNREAD_CACHE_SECONDS), what="unread count", policy=_UNREAD_POLICY
        )
    return count


def forget_unread_count(user_id: int, *, again_on_commit: bool = True) -> None:
    """The member's unread count changed: now, and again on commit (a page rendered in between read
    the rows before the change)."""

    def _forget():
        cache_call(lambda: cache.delete(_unread_key(user_id)), what="unread count", policy=_UNREAD_POLICY)

    _forget()
    if again_on_commit and transaction.get_connection().in_atomic_block:
        transaction.on_commit(_forget)


def push_live(notification: Notification) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        unread = unread_count(notification.recipient_id)
        # In the language the reader uses now (their profile follows the ID/EN switch).
        with translation.override(_language_for(notification.recipient)):
            title, _text, _language = in_app(notification)
        async_to_sync(layer.group_send)(
            user_group(notification.recipient_id),
            {
                "type": "notification.created",
                "id": notification.pk,
                "kind": notification.kind,
                "title": title,
                "url": notification.url,
                "unread": unread,
            },
        )
    except Exception:  # the layer may be down or full; the notification is stored and shows on next page
        logger.warning("live push of notification %s failed", notification.pk, exc_info=True)


def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one notification read (already read: unchanged, so the first read time is kept)."""
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    notification.refresh_from_db(fields=["read_at"])
    forget_unread_count(notification.recipient_id)
    return notification


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of `user` read; returns how many changed."""
    changed = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    forget_unread_count(user.pk)
    return changed
