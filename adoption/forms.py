import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import CityChoiceField, PhoneField
from accounts.models import Regency
from common.pagecache import cached_value
from common.uploads import SafeDocumentField, SafeImageField
from common.widgets import use_fast_selects
from pets.forms import PetBasicsMixin, months_before

from .models import MAX_PHOTOS, Application, Breed, FollowUpReport, Pet, Species

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleSafeImageField(SafeImageField):
    """Several photos in one input; each checked and re-encoded like a single SafeImageField."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        errors, cleaned = [], []
        for upload in files:
            try:
                cleaned.append(super().clean(upload, initial))
            except forms.ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class PhotoChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _("Photo %(n)d") % {"n": obj.position + 1}


class BreedSelect(forms.Select):
    """A breed <select> whose options carry `data-species` (static/js/breed-filter.js shows only the
    chosen species' breeds; without JavaScript the form still checks the pair)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-species"] = str(instance.species_id)
        return option


class PetForm(PetBasicsMixin, forms.ModelForm):
    age_estimate_months = forms.IntegerField(
        label=_("or estimated age (months)"), min_value=0, max_value=360, required=False,
        help_text=_("If you do not know the birth date."),
    )  # fmt: skip
    city = CityChoiceField()
    photos = MultipleSafeImageField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to 6 photos: JPEG, PNG or WebP, at most 5 MB each."),
    )
    vaccination_book = SafeDocumentField(
        label=_("Vaccination book scan"), required=False,
        help_text=_("Private: only you and our reviewers can open it. Needed if the pet is vaccinated."),
    )  # fmt: skip

    field_order = [
        "name", "species", "breed", "sex", "birth_date", "age_estimate_months", "size", "colour",
        "description", "medical_history", "share_medical_notes", "vaccinated", "vaccination_book",
        "sterilised", "fee", "rehoming_reason", "city", "photos", "remove_photos",
    ]  # fmt: skip

    class Meta:
        model = Pet
        fields = [
            "name", "species", "breed", "sex", "birth_date", "size", "colour", "description",
            "medical_history", "share_medical_notes", "vaccinated", "sterilised", "fee", "rehoming_reason",
            "city",
        ]  # fmt: skip
        widgets = {"birth_date": DATE_INPUT, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].required = False
        self.fields["birth_date"].help_text = _("Exact, if you know it.")
        self.fields["species"].queryset = Species.objects.all()
        self.fields["breed"].queryset = Breed.objects.select_related("species")
        self.fields["breed"].required = False
        self.fields["breed"].label_from_instance = lambda breed: breed.label
        # Each breed knows its species, so the page can offer only the chosen species' breeds.
        self.fields["breed"].widget = BreedSelect(
            choices=self.fields["breed"].choices, attrs={"data-filter-by": self["species"].auto_id}
        )
        self.fields["fee"].help_text = _("Whole rupiah; 0 for free adoption.")
        self.fields["medical_history"].widget.attrs["rows"] = 3
        self.fields["rehoming_reason"].widget.attrs["rows"] = 3
        self.existing_photos = list(self.instance.photos.all()) if self.instance.pk else []
        if self.existing_photos:
            self.fields["remove_photos"] = PhotoChoiceField(
                label=_("Remove photos"), required=False, widget=forms.CheckboxSelectMultiple,
                queryset=self.instance.photos.all(),
            )  # fmt: skip
        if self.instance.pk and self.instance.birth_date_is_estimate:
            self.initial.setdefault("age_estimate_months", self.instance.age_months)
            self.initial["birth_date"] = None

    def clean_fee(self):
        fee = self.cleaned_data["fee"]
        if fee is None or fee < 0:
            raise forms.ValidationError(_("Enter a fee of 0 or more."))
        return fee

    def clean(self):
        cleaned = super().clean()
        self.clean_birth(cleaned, required=True)
        species, breed = cleaned.get("species"), cleaned.get("breed")
        if species and breed and breed.species_id != species.pk:
            self.add_error("breed", _("This breed belongs to another species."))
        photos = cleaned.get("photos") or []
        removing = len(cleaned.get("remove_photos") or [])
        total = len(self.existing_photos) - removing + len(photos)
        if total > MAX_PHOTOS:
            self.add_error("photos", _("A pet can have at most %(max)d photos.") % {"max": MAX_PHOTOS})
        elif total < 1 and not self.has_error("photos"):
            self.add_error("photos", _("Add at least one photo."))
        has_book = cleaned.get("vaccination_book") or (self.instance.pk and self.instance.vaccination_book)
        if cleaned.get("vaccinated") and not has_book and not self.has_error("vaccination_book"):
            self.add_error("vaccination_book", _("Upload the vaccination book so that we can check it."))
        return cleaned

    def pet_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["birth_date_is_estimate"] = self.cleaned_data["birth_date_is_estimate"]
        return data


def initial_from_record(record) -> dict:
    """A new listing made from one of the lister's pets starts with the record's data."""
    notes = [
        text
        for text in (
            record.allergies and f"{_('Allergies')}: {record.allergies}",
            record.chronic_conditions and f"{_('Chronic conditions')}: {record.chronic_conditions}",
            record.notes,
        )
        if text
    ]
    initial = {
        "name": record.name,
        "species": record.species_id,
        "breed": record.breed_id,
        "sex": record.sex,
        "colour": record.colour,
        "sterilised": record.sterilised,
        "medical_history": "\n".join(str(n) for n in notes),
        "vaccinated": record.vaccinations.exists(),
    }
    if record.birth_date and not record.birth_date_is_estimate:
        initial["birth_date"] = record.birth_date
    elif record.birth_date:
        initial["age_estimate_months"] = record.age_months
    return initial


def _city_rows() -> list[Regency]:
    with_pets = Pet.objects.filter(status=Pet.Status.AVAILABLE).order_by().values("city").distinct()
    return list(Regency.objects.filter(pk__in=with_pets).order_by("name"))


class RowChoiceField(forms.ChoiceField):
    """A ModelChoiceField over rows already in memory (remembered in the cache): validating and
    rendering it runs no query. The cleaned value is the row, or None."""

    def __init__(self, *, to_field_name: str, empty_label, **kwargs):
        super().__init__(required=False, **kwargs)
        self.to_field_name, self.empty_label, self.rows = to_field_name, empty_label, {}

    def set_rows(self, rows) -> None:
        self.rows = {str(getattr(row, self.to_field_name)): row for row in rows}
        self.choices = [("", self.empty_label), *((key, str(row)) for key, row in self.rows.items())]

    def clean(self, value):
        value = super().clean(value)
        return self.rows.get(value) if value else None


class BrowseForm(forms.Form):
    AGE_BANDS = [
        ("baby", _("Under 1 year")),
        ("young", _("1–3 years")),
        ("adult", _("3–8 years")),
        ("senior", _("8 years or more")),
    ]
    SORTS = [
        ("newest", _("Newest")),
        ("fee", _("Lowest fee")),
        ("-fee", _("Highest fee")),
        ("youngest", _("Youngest")),
        ("oldest", _("Oldest")),
    ]
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    species = RowChoiceField(label=_("Species"), to_field_name="slug", empty_label=_("All species"))
    city = RowChoiceField(label=_("City"), to_field_name="code", empty_label=_("All cities"))
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", _("Any"))] + Pet.Sex.choices, required=False)
    size = forms.ChoiceField(label=_("Size"), choices=[("", _("Any"))] + Pet.Size.choices, required=False)
    age = forms.ChoiceField(label=_("Age"), choices=[("", _("Any"))] + AGE_BANDS, required=False)
    max_fee = forms.IntegerField(label=_("Max fee (Rp)"), min_value=0, required=False)
    sort = forms.ChoiceField(label=_("Sort"), choices=SORTS, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only cities that have available pets: a short list instead of 514 regencies.
        # That is a scan of every available pet (100,000 at scale): remembered until a pet changes,
        # with the species, as rows (choices and validation then run no query: ~1/3 of the page's
        # render at 100x, profiled).
        self.fields["species"].set_rows(
            cached_value("adoption", key="adoption:species-rows", compute=lambda: list(Species.objects.all()))
        )
        self.fields["city"].set_rows(cached_value("adoption", key="adoption:city-rows", compute=_city_rows))
        use_fast_selects(self)

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            q = data["q"]
            queryset = queryset.filter(
                Q(name__icontains=q)
                | Q(description__icontains=q)
                | Q(breed__name__icontains=q)
                | Q(colour__icontains=q)
            )
        if data["species"]:
            queryset = queryset.filter(species=data["species"])
        if data["city"]:
            queryset = queryset.filter(city=data["city"])
        if data["sex"]:
            queryset = queryset.filter(sex=data["sex"])
        if data["size"]:
            queryset = queryset.filter(size=data["size"])
        if data["max_fee"] is not None:
            queryset = queryset.filter(fee__lte=data["max_fee"])
        if data["age"]:
            today = timezone.localdate()
            bounds = {"baby": (0, 12), "young": (12, 36), "adult": (36, 96), "senior": (96, None)}
            low, high = bounds[data["age"]]
            queryset = queryset.filter(birth_date__lte=months_before(today, low))
            if high is not None:
                queryset = queryset.filter(birth_date__gt=months_before(today, high))
        order = {
            "fee": ["fee", "-created_at"],
            "-fee": ["-fee", "-created_at"],
            "youngest": ["-birth_date"],
            "oldest": ["birth_date"],
        }.get(data["sort"], ["-created_at"])
        return queryset.order_by(*order)


class ApplicationForm(forms.ModelForm):
    """The adoption questionnaire: every answer required, every box must be ticked."""

    term_age = forms.BooleanField(label=_("I am 18 years old or older."))
    term_sterilisation = forms.BooleanField(
        label=_("I will have the pet sterilised when the vet advises it.")
    )
    term_reports = forms.BooleanField(label=_("I will send a report on the pet's condition every month."))
    term_no_transfer = forms.BooleanField(
        label=_("I will not give away or sell the pet without the lister's consent.")
    )

    class Meta:
        model = Application
        fields = Application.QUESTION_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in Application.QUESTION_FIELDS
            if name not in ("home_type", "home_ownership", "family_permission", "ready_responsibility",
                            "adaptation_agreed")
        }  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("family_permission", "ready_responsibility", "adaptation_agreed"):
            self.fields[name].required = True
        for name in ("home_type", "home_ownership"):
            self.fields[name].widget = forms.RadioSelect(choices=self.fields[name].choices[1:])

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            value = cleaned.get(name)
            is_text = isinstance(value, str) and isinstance(field, forms.CharField)
            if is_text and name in cleaned and len(value.strip()) < 3:
                self.add_error(name, _("Please answer in a few words."))
        return cleaned

    FIELDSETS = [
        (_("Your home"), ["household", "home_type", "home_ownership", "pet_space", "family_permission"]),
        (_("Caring for the pet"), [
            "ready_responsibility", "why_adopt", "experience", "sleeping_place", "food_plan",
            "aggression_plan", "illness_plan",
        ]),
        (_("Commitment"), ["long_term_commitment", "moving_plan", "cost_plan", "adaptation_agreed"]),
        (_("Adoption terms"), ["term_age", "term_sterilisation", "term_reports", "term_no_transfer"]),
    ]  # fmt: skip

    def fieldsets(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]

    def answers(self) -> dict:
        return {name: self.cleaned_data[name] for name in Application.QUESTION_FIELDS}


class ApproveForm(forms.Form):
    pickup_date = forms.DateField(label=_("Pickup date"), widget=DATE_INPUT)
    pickup_time = forms.TimeField(label=_("Pickup time"), widget=forms.TimeInput(attrs={"type": "time"}))
    pickup_address = forms.CharField(label=_("Pickup address"), widget=forms.Textarea(attrs={"rows": 2}))
    pickup_phone = PhoneField(label=_("Contact phone"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("pickup_date") and cleaned.get("pickup_time"):
            when = timezone.make_aware(
                datetime.datetime.combine(cleaned["pickup_date"], cleaned["pickup_time"])
            )
            if when <= timezone.now():
                raise forms.ValidationError(_("The pickup time must be in the future."))
            cleaned["pickup_at"] = when
        return cleaned


class DeclineForm(forms.Form):
    note = forms.CharField(label=_("Note for the adopter"), widget=forms.Textarea(attrs={"rows": 2}))


class HandoverFailedForm(forms.Form):
    note = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReportForm(forms.ModelForm):
    photo = SafeImageField(label=_("Photo"))

    class Meta:
        model = FollowUpReport
        fields = ["report_date", "photo", "caption", "condition"]
        widgets = {"report_date": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report_date"].initial = timezone.localdate  # most reports are about today

    def clean_report_date(self):
        day = self.cleaned_data["report_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The report date cannot be in the future."))
        return day
