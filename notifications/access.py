"""Fetch notifications for a user: only the recipient may; anyone else gets a 404 (staff included —
they read notifications in the admin)."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Notification


def get_notification_for_user(user, pk) -> Notification:
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(Notification.objects.filter(recipient=user), pk=pk)
