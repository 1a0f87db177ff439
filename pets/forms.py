import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.uploads import SafeDocumentField, SafeImageField

from .models import Breed, Pet, Species, Vaccination, Weight

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def months_before(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return datetime.date(year, month + 1, min(day.day, 28))


def breed_choices(empty_label="---------"):
    """Breeds grouped by species (optgroups), so the list reads filtered by species without script."""
    groups: dict = {}
    for breed in Breed.objects.select_related("species"):
        groups.setdefault(str(breed.species), []).append((breed.pk, breed.name))
    return [("", empty_label), *groups.items()]


class PetBasicsMixin:
    """Birth date or estimated age, and breed within species: shared by the record form and the
    "add a pet" part of the consultation booking."""

    def clean_birth(self, cleaned, *, required: bool):
        birth_date, estimate = cleaned.get("birth_date"), cleaned.get("age_estimate_months")
        today = timezone.localdate()
        if birth_date:
            if birth_date > today:
                self.add_error("birth_date", _("The birth date cannot be in the future."))
            cleaned["birth_date_is_estimate"] = False
        elif estimate is not None:
            cleaned["birth_date"] = months_before(today, estimate)
            cleaned["birth_date_is_estimate"] = True
        else:
            cleaned["birth_date_is_estimate"] = False
            if required and not self.has_error("age_estimate_months"):
                self.add_error("birth_date", _("Give the birth date or an estimated age."))


class PetForm(PetBasicsMixin, forms.ModelForm):
    age_estimate_months = forms.IntegerField(
        label=_("or estimated age (months)"), min_value=0, max_value=360, required=False,
        help_text=_("If you do not know the birth date."),
    )  # fmt: skip
    new_photo = SafeImageField(
        label=_("Photo"), required=False, help_text=_("Private: only you see it, and a vet you consult.")
    )
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)

    class Meta:
        model = Pet
        fields = [
            "name", "species", "breed", "sex", "birth_date", "colour", "sterilised", "microchip",
            "allergies", "chronic_conditions", "notes",
        ]  # fmt: skip
        widgets = {
            "birth_date": DATE_INPUT,
            "allergies": forms.Textarea(attrs={"rows": 2}),
            "chronic_conditions": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    field_order = [
        "name", "species", "breed", "sex", "birth_date", "age_estimate_months", "colour", "sterilised",
        "microchip", "new_photo", "remove_photo", "allergies", "chronic_conditions", "notes",
    ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["species"].queryset = Species.objects.all()
        self.fields["birth_date"].required = False
        self.fields["breed"].choices = breed_choices()
        if not self.instance.photo:
            del self.fields["remove_photo"]
        if self.instance.pk and self.instance.birth_date_is_estimate:
            self.initial.setdefault("age_estimate_months", self.instance.age_months)
            self.initial["birth_date"] = None

    def clean(self):
        cleaned = super().clean()
        self.clean_birth(cleaned, required=False)
        species, breed = cleaned.get("species"), cleaned.get("breed")
        if species and breed and breed.species_id != species.pk:
            self.add_error("breed", _("This breed belongs to another species."))
        return cleaned

    def pet_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["birth_date_is_estimate"] = self.cleaned_data["birth_date_is_estimate"]
        return data


class WeightForm(forms.ModelForm):
    class Meta:
        model = Weight
        fields = ["measured_on", "kg"]
        widgets = {
            "measured_on": DATE_INPUT,
            "kg": forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measured_on"].initial = timezone.localdate
        self.fields["kg"].min_value = Decimal("0.01")

    def clean_measured_on(self):
        day = self.cleaned_data["measured_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class VaccinationForm(forms.ModelForm):
    new_proof = SafeDocumentField(
        label=_("Proof photo (vaccination book page or certificate)"),
        required=False,
        help_text=_("Private: only you see it, and a vet you consult."),
    )

    class Meta:
        model = Vaccination
        fields = ["vaccine", "given_on", "next_due", "given_by"]
        widgets = {"given_on": DATE_INPUT, "next_due": DATE_INPUT}

    def clean(self):
        cleaned = super().clean()
        given_on, next_due = cleaned.get("given_on"), cleaned.get("next_due")
        if given_on and given_on > timezone.localdate():
            self.add_error("given_on", _("The date given cannot be in the future."))
        if given_on and next_due and next_due <= given_on:
            self.add_error("next_due", _("The next due date must be after the date given."))
        return cleaned


class RemindersForm(forms.Form):
    enabled = forms.BooleanField(required=False)
