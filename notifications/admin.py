from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Notification, OutgoingEmail


class ReadFilter(admin.SimpleListFilter):
    title = _("read")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("no", _("Unread")), ("yes", _("Read"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(read_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only audit of what members were told; notifications are created by the apps, not by hand."""

    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = [ReadFilter, "kind", "created_at"]
    search_fields = ["title", "body", "kind", "recipient__email", "recipient__full_name"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = ["recipient", "kind", "title", "body", "url", "created_at", "read_at"]
    actions = ["mark_read", "mark_unread"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Mark selected as read"), permissions=["change"])
    def mark_read(self, request, queryset):
        count = queryset.filter(read_at__isnull=True).update(read_at=timezone.now())
        self.message_user(request, _("%(count)d marked as read.") % {"count": count})

    @admin.action(description=_("Mark selected as unread"), permissions=["change"])
    def mark_unread(self, request, queryset):
        count = queryset.filter(read_at__isnull=False).update(read_at=None)
        self.message_user(request, _("%(count)d marked as unread.") % {"count": count})


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The outbox: what was sent, what waits for the mail server, what failed (retry those from
    Background tasks → Failed tasks)."""

    list_display = ["subject", "to", "kind", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["state", "kind", "created_at"]
    search_fields = ["to", "subject", "kind"]
    readonly_fields = [
        "notification", "kind", "to", "subject", "text", "state", "attempts", "last_error", "created_at",
        "sent_at",
    ]
    fields = readonly_fields
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
