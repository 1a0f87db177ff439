from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common import pagecache

from . import services
from .models import Booking, BookingEvent, Closure, Review, Salon, SalonPhoto, Service, WeeklyHours


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0


class HoursInline(admin.TabularInline):
    model = WeeklyHours
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


class PhotoInline(admin.TabularInline):
    model = SalonPhoto
    extra = 0


@admin.register(Salon)
class SalonAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "phone", "capacity", "deposit_amount", "home_service", "is_active"]
    list_filter = ["is_active", "home_service", "city__province__timezone", "city__province"]
    search_fields = ["name", "slug", "address", "city__name", "managers__email"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["city", "home_service_cities", "managers"]
    list_select_related = ["city"]
    inlines = [ServiceInline, HoursInline, ClosureInline, PhotoInline]
    actions = ["list_salons", "unlist_salons"]

    @admin.action(description=_("List selected salons in the directory"))
    def list_salons(self, request, queryset):
        queryset.update(is_active=True)
        pagecache.bump("grooming")  # update() sends no signal

    @admin.action(description=_("Hide selected salons from the directory"))
    def unlist_salons(self, request, queryset):
        queryset.update(is_active=False)
        pagecache.bump("grooming")


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "salon", "kind", "species", "size", "price", "duration_minutes", "is_active"]
    list_filter = ["kind", "species", "size", "is_active"]
    search_fields = ["name", "salon__name"]
    list_select_related = ["salon"]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["salon", "date", "reason"]
    list_filter = ["date"]
    search_fields = ["salon__name", "reason"]
    date_hierarchy = "date"


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    can_delete = False
    readonly_fields = ["status", "actor", "note", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    inlines = [BookingEventInline]
    list_display = [
        "pk",
        "salon",
        "service",
        "member",
        "pet_name",
        "starts_at",
        "status",
        "price",
        "deposit_amount",
    ]
    list_filter = ["status", "pet_species", "salon__city__province__timezone", "starts_at"]
    search_fields = ["salon__name", "member__email", "member__full_name", "pet_name"]
    list_select_related = ["salon", "service", "member"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["member", "service", "payment", "cancelled_by"]
    readonly_fields = ["seat", "payment", "hold_expires_at", "created_at", "updated_at"]
    actions = ["release_expired"]

    @admin.action(description=_("Release unpaid deposit holds that ran out (all salons)"))
    def release_expired(self, request, queryset):
        try:
            count = services.release_expired_holds()
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, _("%(count)d booking(s) released.") % {"count": count})


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["salon", "author", "rating", "created_at", "replied_at", "is_hidden"]
    list_filter = ["rating", "is_hidden", "created_at"]
    search_fields = ["salon__name", "author__email", "text", "reply"]
    list_select_related = ["salon", "author"]
    raw_id_fields = ["booking", "author"]
    actions = ["hide_reviews", "show_reviews"]

    @admin.action(description=_("Hide selected reviews"))
    def hide_reviews(self, request, queryset):
        queryset.update(is_hidden=True)
        pagecache.bump("grooming")

    @admin.action(description=_("Show selected reviews"))
    def show_reviews(self, request, queryset):
        queryset.update(is_hidden=False)
        pagecache.bump("grooming")


@admin.register(WeeklyHours)
class WeeklyHoursAdmin(admin.ModelAdmin):
    list_display = ["salon", "weekday", "opens", "closes"]
    list_filter = ["weekday"]
    search_fields = ["salon__name"]
    list_select_related = ["salon"]


@admin.register(SalonPhoto)
class SalonPhotoAdmin(admin.ModelAdmin):
    list_display = ["salon", "caption", "position"]
    search_fields = ["salon__name", "caption"]
    list_select_related = ["salon"]
