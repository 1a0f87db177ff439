"""`notify()` is how every app tells a person about an event: in-app + email, after commit.

Templates per kind, in `templates/notifications/<kind>/`: `subject.txt`, `body.txt`, `body.html`
(rendered in the recipient's language). The subject is the in-app title, body.txt the in-app text.
`body.html` usually extends `notifications/email_base.html`; when a kind has none, the text body is
wrapped in that layout.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification

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


def notify(
    recipient, *, kind: str, context: dict | None = None, url: str = "", email: bool = True
) -> Notification:
    """Record an in-app notification for `recipient` and, once the transaction commits, email it and
    push it live to their open pages. `url` is a site path ("/adoption/applications/")."""
    subject, text, html = render_notification(recipient, kind=kind, context=context, url=url)
    # The email text ends with the full link; in the app the notification itself is the link.
    in_app_text = text.removesuffix(f"{settings.SITE_URL}{url}").strip() if url else text
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, title=subject[:TITLE_MAX], body=in_app_text, url=url[:URL_MAX]
    )
    send_email = email and bool(recipient.email) and recipient.is_active

    def deliver():
        if send_email:
            message = EmailMultiAlternatives(
                subject,
                text,
                settings.DEFAULT_FROM_EMAIL,
                [recipient.email],
                headers={"Auto-Submitted": "auto-generated"},
            )
            message.attach_alternative(html, "text/html")
            try:
                message.send()
            except Exception:  # a mail outage must not undo the event; the in-app copy stays
                logger.exception("email for notification %s failed", notification.pk)
        push_live(notification)

    # robust: a failing delivery must not stop the other on-commit hooks of the same transaction.
    transaction.on_commit(deliver, robust=True)
    return notification


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def push_live(notification: Notification) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        unread = unread_count(notification.recipient_id)
        async_to_sync(layer.group_send)(
            user_group(notification.recipient_id),
            {
                "type": "notification.created",
                "id": notification.pk,
                "title": notification.title,
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
    return notification


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of `user` read; returns how many changed."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
