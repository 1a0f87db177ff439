import datetime

from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin import RejectWithReasonMixin

from . import services
from .models import Application, ApplicationEvent, FollowUpReport, Pet, PetPhoto


class PetPhotoInline(admin.TabularInline):
    model = PetPhoto
    extra = 0
    fields = ["preview", "position"]
    readonly_fields = ["preview"]

    @admin.display(description=_("photo"))
    def preview(self, obj):
        return format_html('<img src="{}" alt="" width="120">', obj.image.url) if obj.image else "-"


@admin.register(Pet)
class PetAdmin(RejectWithReasonMixin, admin.ModelAdmin):
    """The listing review queue: filter on "Pending review", open the vaccination book, approve or reject."""

    reject_reason_label = _("Reason (sent to the lister)")
    reject_title = _("Reject listings")
    reject_intro = _(
        "These listings will be rejected; the listers receive the reason by email and in the app:"
    )
    reject_empty = _("None of the selected listings is pending review.")

    list_display = ["name", "species", "lister", "city", "fee", "status", "vaccinated", "created_at"]
    list_filter = ["status", "species", "vaccinated", "sterilised", "created_at"]
    search_fields = ["name", "lister__email", "lister__full_name", "lister__organisation_name"]
    list_select_related = ["species", "lister", "city"]
    autocomplete_fields = ["city", "lister"]
    readonly_fields = [
        "status",
        "rejection_reason",
        "reviewed_at",
        "reviewed_by",
        "created_at",
        "vaccination_book_link",
    ]
    exclude = ["vaccination_book"]
    inlines = [PetPhotoInline]
    actions = ["approve_selected", "reject_selected"]
    date_hierarchy = "created_at"

    @admin.display(description=_("vaccination book"))
    def vaccination_book_link(self, obj):
        if not obj.pk or not obj.vaccination_book:
            return _("No scan uploaded")
        url = reverse("adoption:vaccination_book", args=[obj.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("Open the scan"))

    @admin.action(description=_("Approve selected listings"))
    def approve_selected(self, request, queryset):
        done = 0
        for pet in queryset.filter(status=Pet.Status.PENDING_REVIEW):
            services.pet_approve(pet=pet, by=request.user)
            done += 1
        self.message_user(request, _("%(count)d approved.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Reject selected listings (with a reason)…"))
    def reject_selected(self, request, queryset):
        return self.reject_with_reason(request, queryset.filter(status=Pet.Status.PENDING_REVIEW))

    def reject_one(self, request, pet, reason: str) -> None:
        services.pet_reject(pet=pet, by=request.user, reason=reason)

    def reject_item_label(self, pet) -> str:
        return f"{pet} ({pet.lister})"


class ReportDueFilter(admin.SimpleListFilter):
    title = _("follow-up report")
    parameter_name = "report"

    def lookups(self, request, model_admin):
        return [("due", _("Due within 7 days")), ("overdue", _("Overdue"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        adopted = queryset.filter(status=Application.Status.ADOPTED)
        if self.value() == "overdue":
            return adopted.filter(next_report_due__lt=today)
        if self.value() == "due":
            return adopted.filter(
                next_report_due__gte=today, next_report_due__lte=today + datetime.timedelta(days=7)
            )
        return queryset


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    fields = ["created_at", "kind", "note", "actor"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class FollowUpReportInline(admin.TabularInline):
    model = FollowUpReport
    extra = 0
    fields = ["report_date", "condition", "caption", "photo"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["code", "pet", "adopter", "status", "fee", "paid_at", "next_report_due", "created_at"]
    list_filter = ["status", ReportDueFilter, "created_at"]
    search_fields = ["code", "pet__name", "adopter__email", "adopter__full_name"]
    list_select_related = ["pet", "adopter"]
    date_hierarchy = "created_at"
    inlines = [ApplicationEventInline, FollowUpReportInline]
    # A record of what the adopter answered and what happened: state changes go through the services;
    # staff may only move the next report's due date (e.g. after talking to the adopter).
    readonly_fields = [
        "code", "pet", "adopter", "status", "fee", "payment", "paid_at", "adopted_at", "created_at",
        "terms_accepted_at", "pickup_at", "pickup_address", "pickup_phone", "decline_note", "reminded_for",
        *Application.QUESTION_FIELDS,
    ]  # fmt: skip
    fields = [*readonly_fields[:9], "next_report_due", *readonly_fields[9:]]

    def has_add_permission(self, request):
        return False  # adopters apply through the checkout


@admin.register(FollowUpReport)
class FollowUpReportAdmin(admin.ModelAdmin):
    list_display = ["application", "report_date", "condition", "caption", "created_at"]
    list_filter = ["condition", "report_date"]
    search_fields = ["application__code", "application__pet__name", "caption"]
    list_select_related = ["application", "application__pet"]
    date_hierarchy = "report_date"


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(admin.ModelAdmin):
    list_display = ["application", "kind", "created_at", "actor"]
    list_filter = ["kind", "created_at"]
    search_fields = ["application__code", "note"]
    list_select_related = ["application", "actor"]

    def has_change_permission(self, request, obj=None):
        return False  # the timeline is a record
