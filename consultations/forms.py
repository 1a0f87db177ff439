from django import forms
from django.utils.translation import gettext_lazy as _

from common.uploads import SafeImageField
from common.widgets import FastSelect
from pets.forms import DATE_INPUT, PetBasicsMixin
from pets.models import Species

from .models import Specialty, VetProfile
from .services import MAX_PHOTOS

SORTS = [
    ("", _("Recommended")),
    ("rating", _("Highest rated")),
    ("fee", _("Lowest fee")),
    ("-fee", _("Highest fee")),
    ("experience", _("Most experienced")),
]


class DirectoryFilterForm(forms.Form):
    """GET filters of /vets/. Invalid values are ignored field by field, never a 500."""

    species = forms.ModelChoiceField(
        label=_("Animal"),
        queryset=Specialty.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All animals"),
        widget=FastSelect,
    )
    max_fee = forms.IntegerField(label=_("Max fee (Rp)"), required=False, min_value=0, max_value=100_000_000)
    online = forms.BooleanField(label=_("Online now"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False, widget=FastSelect)

    def filters(self) -> dict:
        """The valid filters only (one bad parameter does not drop the others)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", False)}


class VetProfileForm(forms.ModelForm):
    photo = SafeImageField(
        label=_("New photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("A clear portrait. JPEG, PNG or WebP."),
    )
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)

    class Meta:
        model = VetProfile
        fields = ["photo", "bio", "specialties", "years_of_experience", "fee"]
        widgets = {
            "specialties": forms.CheckboxSelectMultiple,
            "bio": forms.Textarea(attrs={"rows": 5}),
            "fee": forms.NumberInput(attrs={"step": 1000, "inputmode": "numeric"}),
        }
        help_texts = {"fee": _("Whole rupiah, for example 75000."), "bio": _("Shown on your public profile.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.photo:
            del self.fields["remove_photo"]


class AvailabilityForm(forms.Form):
    availability = forms.ChoiceField(
        choices=[
            (VetProfile.Availability.ONLINE, _("Online")),
            (VetProfile.Availability.OFFLINE, _("Offline")),
        ]
    )


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(SafeImageField):
    def __init__(self, *args, max_files: int = MAX_PHOTOS, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            raise forms.ValidationError(
                _("Attach at most %(n)s photos."), code="too_many_photos", params={"n": self.max_files}
            )
        return [super(MultipleImageField, self).clean(f, initial) for f in files]


NEW_PET = "new"


class ConsultationOpenForm(PetBasicsMixin, forms.Form):
    """ "Untuk hewan yang mana?": one of the owner's pets, or a new one added to their pets now."""

    pet = forms.ChoiceField(label=_("For which pet?"), widget=forms.RadioSelect)
    new_name = forms.CharField(label=_("New pet's name"), required=False, max_length=60)
    new_species = forms.ModelChoiceField(label=_("Species"), queryset=Species.objects.all(), required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE_INPUT)
    age_estimate_months = forms.IntegerField(
        label=_("or estimated age (months)"), min_value=0, max_value=360, required=False
    )
    complaint = forms.CharField(
        label=_("What is the problem?"),
        max_length=4000,
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": _("What is wrong, since when, what the pet eats…")}
        ),
    )
    photos = MultipleImageField(
        label=_("Photos (optional)"),
        required=False,
        help_text=_("Up to 3 photos of the problem: a wound, the skin, the stool…"),
    )
    allow_reassign = forms.BooleanField(
        label=_("May be passed to another vet"),
        required=False,
        help_text=_("If this vet does not accept in time, another available vet may take it."),
    )

    def __init__(self, *args, pets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.pets = {str(p.pk): p for p in pets}
        self.fields["pet"].choices = [(key, p.summary_line) for key, p in self.pets.items()] + [
            (NEW_PET, _("Another pet (add it to my pets now)"))
        ]
        if not self.pets:
            self.fields["pet"].initial = NEW_PET
        elif len(self.pets) == 1:
            self.fields["pet"].initial = next(iter(self.pets))

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("pet")
        if choice == NEW_PET:
            if not (cleaned.get("new_name") or "").strip():
                self.add_error("new_name", _("Give the pet's name."))
            if not cleaned.get("new_species"):
                self.add_error("new_species", _("Choose the species."))
            self.clean_birth(cleaned, required=False)
            cleaned["pet_record"] = None
        elif choice:
            cleaned["pet_record"] = self.pets.get(choice)
        return cleaned

    def new_pet_data(self) -> dict | None:
        if self.cleaned_data.get("pet") != NEW_PET:
            return None
        return {
            "name": self.cleaned_data["new_name"].strip(),
            "species": self.cleaned_data["new_species"],
            "birth_date": self.cleaned_data.get("birth_date"),
            "birth_date_is_estimate": self.cleaned_data.get("birth_date_is_estimate", False),
        }


class SummaryForm(forms.Form):
    """The structured closing summary; the prescribed items come in `PrescribedItemFormSet`."""

    assessment = forms.CharField(
        label=_("Assessment"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you think is going on."),
    )
    advice = forms.CharField(
        label=_("Advice"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the owner should do, and when to see a vet in person."),
    )


class EndForm(SummaryForm):
    """Ending the consultation: the vet may give the summary now or later."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class PrescribedItemForm(forms.Form):
    name = forms.CharField(label=_("Medicine or item"), max_length=120, required=False)
    dose = forms.CharField(label=_("Dose"), max_length=60, required=False)
    frequency = forms.CharField(label=_("How often"), max_length=60, required=False)
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=365, required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("name") and (
            cleaned.get("dose") or cleaned.get("frequency") or cleaned.get("days")
        ):
            self.add_error("name", _("Name the medicine or item."))
        return cleaned


PrescribedItemFormSet = forms.formset_factory(PrescribedItemForm, extra=3, max_num=10, absolute_max=10)


def prescribed_items(formset) -> list[dict]:
    if not formset.is_bound:
        return []
    return [form.cleaned_data for form in formset.forms if form.cleaned_data.get("name")]


class FollowUpForm(forms.Form):
    complaint = forms.CharField(
        label=_("How is your pet now?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=300)


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
