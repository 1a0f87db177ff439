from django.contrib import admin

from .models import AccessLog, Breed, Pet, Species, Treatment, Vaccination, Weight


class BreedInline(admin.TabularInline):
    model = Breed
    extra = 1


@admin.register(Species)
class SpeciesAdmin(admin.ModelAdmin):
    list_display = ["name", "name_id", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "name_id"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [BreedInline]


@admin.register(Breed)
class BreedAdmin(admin.ModelAdmin):
    list_display = ["name", "species"]
    list_filter = ["species"]
    search_fields = ["name"]


class WeightInline(admin.TabularInline):
    model = Weight
    extra = 0
    fields = ["measured_on", "kg"]


class VaccinationInline(admin.TabularInline):
    model = Vaccination
    extra = 0
    fields = ["vaccine", "given_on", "next_due", "given_by"]


class TreatmentInline(admin.TabularInline):
    model = Treatment
    extra = 0
    fields = ["name", "dose", "frequency", "days", "prescribed_on", "prescribed_by"]


class AccessLogInline(admin.TabularInline):
    model = AccessLog
    extra = 0
    can_delete = False
    fields = ["viewed_at", "viewer_name", "reason", "what"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Pet)
class PetAdmin(admin.ModelAdmin):
    list_display = ["name", "species", "owner", "handed_over_at", "created_at"]
    list_filter = ["species", "sterilised"]
    search_fields = ["name", "owner__email", "owner__full_name", "microchip"]
    raw_id_fields = ["owner"]
    readonly_fields = ["handed_over_at", "medical_history_since"]
    exclude = ["photo"]  # private storage has no URL; the owner sees it on the site
    inlines = [WeightInline, VaccinationInline, TreatmentInline, AccessLogInline]
