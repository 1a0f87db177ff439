"""`notify()` is how every app tells a person about an event: in-app + email, after commit.

Templates per kind, in `templates/notifications/<kind>/`: `subject.txt`, `body.txt`, `body.html`
(rendered in the recipient's language). The subject is the in-app title, body.txt the in-app text.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .models import Notification

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


def notify(recipient, *, kind: str, context: dict | None = None, url: str = "", email: bool = True) -> Notification:
    """Record an in-app notification for `recipient` and, once the transaction commits, email it and
    push it live to their open pages. `url` is a site path ("/adoption/applications/")."""
    context = {"recipient": recipient, "url": url, "site_url": settings.SITE_URL, **(context or {})}
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"notifications/{kind}/subject.txt", context).split())
        text = render_to_string(f"notifications/{kind}/body.txt", context).strip()
        html = render_to_string(f"notifications/{kind}/body.html", context) if email else ""
    notification = Notification.objects.create(recipient=recipient, kind=kind, title=subject[:200], body=text, url=url)

    def deliver():
        if email and recipient.email:
            message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [recipient.email])
            message.attach_alternative(html, "text/html")
            try:
                message.send()
            except Exception:  # a mail outage must not undo the event; the in-app copy stays
                logger.exception("email for notification %s failed", notification.pk)
        push_live(notification)

    transaction.on_commit(deliver)
    return notification


def push_live(notification: Notification) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    unread = Notification.objects.filter(recipient_id=notification.recipient_id, read_at__isnull=True).count()
    try:
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
