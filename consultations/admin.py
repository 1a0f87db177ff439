from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common import pagecache
from common.private_files import admin_file_link

from . import services
from .models import Consultation, ConsultationPhoto, Message, Rating, ReadState, Specialty, VetProfile


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(VetProfile)
class VetProfileAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "fee",
        "availability",
        "years_of_experience",
        "rating_avg",
        "rating_count",
        "last_seen_at",
    ]
    list_filter = ["availability", "specialties"]
    search_fields = ["user__full_name", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["specialties"]
    readonly_fields = ["rating_avg", "rating_count", "last_seen_at", "created_at", "updated_at"]
    actions = ["set_offline"]

    @admin.action(description=_("Set selected vets offline"))
    def set_offline(self, request, queryset):
        n = queryset.update(availability=VetProfile.Availability.OFFLINE)
        pagecache.bump("vets")  # update() sends no signal
        self.message_user(request, _("%(n)s vets set offline.") % {"n": n})


class ConsultationPhotoInline(admin.TabularInline):
    model = ConsultationPhoto
    extra = 0
    fields = ["image_link", "created_at"]
    readonly_fields = ["image_link", "created_at"]
    can_delete = False

    @admin.display(description=_("photo"))
    def image_link(self, obj):
        return admin_file_link(obj.image, reverse("consultations:photo", args=[obj.consultation_id, obj.pk]))

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["pet_name", "owner", "vet", "status", "fee", "created_at", "paid_at", "ended_at"]
    list_filter = ["status", "created_at", "pet_species"]
    search_fields = ["id", "pet_name", "owner__email", "owner__full_name", "vet__email", "vet__full_name"]
    list_select_related = ["owner", "vet"]
    date_hierarchy = "created_at"
    inlines = [ConsultationPhotoInline]
    actions = ["cancel_and_refund"]
    # State changes go through the services (refunds, notifications); the admin shows, it does not edit.
    readonly_fields = [
        "id", "owner", "vet", "pet_name", "pet_species", "pet_age", "complaint", "status", "fee",
        "payment", "created_at", "paid_at", "accepted_at", "ended_at", "ended_by", "summary", "summary_at",
        "cancel_reason",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Cancel selected open consultations (paid ones are refunded in full)"))
    def cancel_and_refund(self, request, queryset):
        done = 0
        for consultation in queryset:
            try:
                services.consultation_cancel(consultation=consultation, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{consultation}: {' '.join(error.messages)}", messages.WARNING)
            else:
                done += 1
        self.message_user(request, _("%(n)s consultations cancelled.") % {"n": done})


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "consultation", "sender", "created_at", "short_body", "attachment_link"]
    list_filter = ["created_at"]
    search_fields = ["consultation__id", "sender__email", "body"]
    list_select_related = ["sender", "consultation"]
    # The photo is private: shown as a link to the access-checked view, never through storage.url.
    fields = readonly_fields = [
        f.name if f.name != "attachment" else "attachment_link" for f in Message._meta.fields
    ]

    @admin.display(description=_("photo"))
    def attachment_link(self, obj):
        url = reverse("consultations:chat_attachment", args=[obj.consultation_id, obj.pk])
        return admin_file_link(obj.attachment, url)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("message"))
    def short_body(self, obj):
        return obj.body[:80]


@admin.register(ReadState)
class ReadStateAdmin(admin.ModelAdmin):
    list_display = ["consultation", "user", "last_read_id"]
    search_fields = ["consultation__id", "user__email"]
    list_select_related = ["consultation", "user"]
    readonly_fields = ["consultation", "user", "last_read_id"]

    def has_add_permission(self, request):
        return False


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["vet", "owner", "stars", "created_at", "comment"]
    list_filter = ["stars", "created_at"]
    search_fields = ["vet__full_name", "owner__email", "comment"]
    list_select_related = ["vet", "owner"]
    readonly_fields = ["consultation", "owner", "vet", "stars", "created_at"]
    actions = ["delete_and_recount"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Delete selected ratings (abusive) and recount the vets' averages"))
    def delete_and_recount(self, request, queryset):
        vets = {rating.vet for rating in queryset.select_related("vet")}
        n, _details = queryset.delete()
        for vet in vets:
            services.rating_recount(vet=vet)
        self.message_user(request, _("%(n)s ratings deleted.") % {"n": n})

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # it would leave the averages stale
        return actions
