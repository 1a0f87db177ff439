from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import failures
from .models import TaskFailure


class RetriedFilter(admin.SimpleListFilter):
    title = _("retried")
    parameter_name = "retried"

    def lookups(self, request, model_admin):
        return [("no", _("Not retried")), ("yes", _("Retried"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(retried_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(retried_at__isnull=False)
        return queryset


@admin.register(TaskFailure)
class TaskFailureAdmin(admin.ModelAdmin):
    list_display = ["task_name", "error", "failed_at", "retried_at"]
    list_filter = [RetriedFilter, "task_name", "failed_at"]
    search_fields = ["task_name", "error", "arguments", "task_id"]
    readonly_fields = [
        "task_name",
        "task_id",
        "arguments",
        "error",
        "traceback",
        "failed_at",
        "retried_at",
        "retried_by",
    ]
    fields = readonly_fields
    actions = ["retry_selected"]
    date_hierarchy = "failed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return request.user.has_perm("background.change_taskfailure")

    @admin.action(description=_("Retry the selected tasks"), permissions=["retry"])
    def retry_selected(self, request, queryset):
        done = sum(1 for failure in queryset if failures.retry(failure=failure, by=request.user))
        skipped = queryset.count() - done
        self.message_user(
            request,
            ngettext("%(n)d task enqueued again.", "%(n)d tasks enqueued again.", done) % {"n": done},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d task was retried before and was skipped.",
                    "%(n)d tasks were retried before and were skipped.",
                    skipped,
                )
                % {"n": skipped},
                messages.WARNING,
            )
