"""Abstract models shared by the apps (no table of their own; common/ is not an installed app)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """One line of an object's history (an application's, a booking's, a payment's), oldest first.

    A concrete event table adds the foreign key to the object it belongs to (related_name="events")
    and what happened (a kind, a status, a from → to). Rows are written by the app's services only.
    """

    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]


class ActorEvent(Event):
    """An event a person may have caused (empty when the system did: a timeout, a payment notice)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(Event.Meta):
        abstract = True
