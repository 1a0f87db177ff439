from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .access import get_notification_for_user

PAGE_SIZE = 20


@login_required
def notification_list(request):
    queryset = request.user.notifications.all()
    only_unread = request.GET.get("show") == "unread"
    if only_unread:
        queryset = queryset.filter(read_at__isnull=True)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    notifications = list(page.object_list)
    for notification in notifications:
        # Rendered now, in the reader's language (kind + stored parameters; old rows: stored text).
        notification.shown_title, notification.shown_body, notification.shown_language = services.in_app(
            notification
        )
    return render(
        request,
        "notifications/list.html",
        {"page": page, "notifications": notifications, "only_unread": only_unread},
    )


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one read. With `open`, continue to the page the notification is about."""
    notification = get_notification_for_user(request.user, pk)
    services.notification_mark_read(notification=notification)
    target = notification.url
    if (
        "open" in request.POST
        and target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("notifications:list")
