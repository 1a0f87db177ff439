from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin, RejectWithReasonMixin

from . import services
from .forms import StaffAuthenticationForm
from .models import (
    IdentityVerification,
    PrivateDocumentAccess,
    Province,
    Regency,
    User,
    VerificationStatus,
    VetLicence,
)

# /admin/login/ is throttled like the member login (django-axes counts both) and says why it refuses.
admin.site.login_form = StaffAuthenticationForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-date_joined"]
    list_display = [
        "email",
        "full_name",
        "city",
        "is_vet",
        "is_shelter",
        "is_salon_manager",
        "is_staff",
        "date_joined",
    ]
    list_filter = ["is_vet", "is_shelter", "is_salon_manager", "is_staff", "is_active", "language"]
    search_fields = ["email", "full_name", "phone", "organisation_name"]
    autocomplete_fields = ["city"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["full_name", "phone", "city", "language"]}),
        (_("Roles"), {"fields": ["is_vet", "is_shelter", "organisation_name", "is_salon_manager"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "timezone"]
    search_fields = ["name", "code"]
    list_filter = ["timezone"]


@admin.register(Regency)
class RegencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "province"]
    search_fields = ["name", "code"]
    list_filter = ["kind", "province"]


class VerificationAdminMixin(RejectWithReasonMixin):
    """Approve / reject (with a reason the member receives) as bulk actions and on the change page."""

    reject_reason_label = _("Reason (sent to the member)")
    reject_title = _("Reject verifications")
    reject_intro = _(
        "These submissions will be rejected; the members receive the reason by email and in the app:"
    )
    reject_empty = _("None of the selected items is pending.")

    list_filter = ["status", "submitted_at"]
    readonly_fields = [
        "user",
        "status",
        "rejection_reason",
        "submitted_at",
        "decided_at",
        "decided_by",
        "file_link",
    ]
    actions = ["approve_selected", "reject_selected"]
    date_hierarchy = "submitted_at"
    list_select_related = ["user"]
    file_field = ""
    file_url_name = ""

    def has_add_permission(self, request):
        return False  # members submit through the site, with consent recorded

    @admin.display(description=_("file"))
    def file_link(self, obj):
        if not obj.pk or not getattr(obj, self.file_field):
            return "-"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse(self.file_url_name, args=[obj.pk]),
            _("Open the file"),
        )

    @admin.action(description=_("Approve selected"))
    def approve_selected(self, request, queryset):
        done = 0
        for verification in queryset.filter(status=VerificationStatus.PENDING):
            services.verification_approve(verification, by=request.user)
            done += 1
        self.message_user(request, _("%(count)d approved.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Reject selected (with a reason)…"))
    def reject_selected(self, request, queryset):
        return self.reject_with_reason(request, queryset.filter(status=VerificationStatus.PENDING))

    def reject_one(self, request, verification, reason: str) -> None:
        services.verification_reject(verification, by=request.user, reason=reason)


@admin.register(IdentityVerification)
class IdentityVerificationAdmin(VerificationAdminMixin, admin.ModelAdmin):
    list_display = ["user", "name_on_ktp", "masked_nik", "status", "submitted_at", "decided_at"]
    search_fields = ["user__email", "user__full_name", "name_on_ktp", "nik"]
    readonly_fields = [
        *VerificationAdminMixin.readonly_fields,
        "nik",
        "name_on_ktp",
        "consent_at",
        "consent_policy_version",
        "scan_deleted_at",
    ]
    exclude = ["scan"]
    file_field = "scan"
    file_url_name = "verification_scan"


@admin.register(VetLicence)
class VetLicenceAdmin(VerificationAdminMixin, admin.ModelAdmin):
    list_display = ["user", "strv_number", "sip_number", "status", "submitted_at", "decided_at"]
    search_fields = ["user__email", "user__full_name", "strv_number", "sip_number"]
    readonly_fields = [*VerificationAdminMixin.readonly_fields, "strv_number", "sip_number"]
    exclude = ["document"]
    file_field = "document"
    file_url_name = "vet_licence_document"


@admin.register(PrivateDocumentAccess)
class PrivateDocumentAccessAdmin(ReadOnlyAdmin):
    """The UU PDP audit trail: superusers read it; nobody adds, edits or deletes it here."""

    list_display = ["opened_at", "staff", "kind", "subject", "object_id", "ip_address"]
    list_filter = ["kind", "opened_at"]
    search_fields = ["staff__email", "subject__email"]
    list_select_related = ["staff", "subject"]
    date_hierarchy = "opened_at"

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser
