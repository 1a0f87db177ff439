from django import forms
from django.utils.translation import gettext_lazy as _

from hellopet.uploads import SafeImageField
from hellopet.widgets import FastSelect

from .models import Consultation, Specialty, VetProfile
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


class ConsultationOpenForm(forms.ModelForm):
    photos = MultipleImageField(
        label=_("Photos (optional)"),
        required=False,
        help_text=_("Up to 3 photos of the problem: a wound, the skin, the stool…"),
    )

    class Meta:
        model = Consultation
        fields = ["pet_name", "pet_species", "pet_age", "complaint", "allow_reassign"]
        widgets = {
            "complaint": forms.Textarea(
                attrs={"rows": 5, "placeholder": _("What is wrong, since when, what the pet eats…")}
            ),
            "pet_age": forms.TextInput(attrs={"placeholder": _("2 years")}),
        }
        labels = {"complaint": _("What is the problem?"), "allow_reassign": _("May be passed to another vet")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pet_species"].queryset = Specialty.objects.all()


class EndForm(forms.Form):
    summary = forms.CharField(
        label=_("Closing summary (optional now, you can add it later)"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Closing summary"),
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Diagnosis, advice and follow-up. The owner keeps it."),
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
