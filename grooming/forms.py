import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Regency
from common import timefmt
from common.uploads import SafeImageField
from common.widgets import use_fast_selects

from .models import Closure, Salon, SalonPhoto, Service, ServiceKind, Species, WeeklyHours
from .selectors import SORTS


class DirectoryForm(forms.Form):
    """The directory's GET filters. Unknown values are a form error (400), never a 500."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    city = forms.ChoiceField(label=_("City"), required=False)
    service = forms.ChoiceField(
        label=_("Service"), required=False, choices=[("", _("Any service")), *ServiceKind.choices]
    )
    species = forms.ChoiceField(
        label=_("Species"), required=False, choices=[("", _("Any pet")), *Species.choices]
    )
    max_price = forms.IntegerField(
        label=_("Max price (Rp)"), required=False, min_value=0, max_value=100_000_000
    )
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[("rating", _("Best rated")), ("price", _("Lowest price")), ("name", _("Name"))],
    )

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = [("", _("All cities"))] + [(c.code, c.short_name) for c in cities]
        self.fields["q"].widget.attrs["type"] = "search"
        self._cities = {c.code: c for c in cities}
        use_fast_selects(self)

    def clean_city(self):
        code = self.cleaned_data.get("city")
        return self._cities.get(code) if code else None

    def clean_sort(self):
        value = self.cleaned_data.get("sort") or "rating"
        return value if value in SORTS else "rating"


class BookingForm(forms.Form):
    slot = forms.ChoiceField(
        label=_("Time"),
        widget=forms.RadioSelect,
        # A slot missing from the choices was free when the page was drawn: someone else took it.
        error_messages={"invalid_choice": _("That time was just booked by someone else."),
                        "required": _("Pick a time.")},
    )  # fmt: skip
    pet = forms.ChoiceField(label=_("Which pet?"), required=False)
    pet_name = forms.CharField(label=_("Pet's name"), max_length=60, required=False)
    pet_species = forms.ChoiceField(label=_("Species"), choices=Species.choices)
    notes = forms.CharField(
        label=_("Notes for the groomer"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Breed, weight, temperament, allergies…"),
    )

    where = forms.ChoiceField(
        label=_("Where"),
        widget=forms.RadioSelect,
        choices=[("salon", _("At the salon")), ("home", _("At my home (the salon comes to you)"))],
        initial="salon",
    )
    home_city = forms.ChoiceField(label=_("City of the home visit"), required=False)
    home_address = forms.CharField(
        label=_("Address for the home visit"),
        required=False,
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
        help_text=_(
            "Street, number, RT/RW, landmarks. Only this salon sees it; it is erased after the visit."
        ),
    )

    def __init__(self, *args, slots=(), service=None, pets=(), profile=None, home_cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [(s.isoformat(), timefmt.clock(s)) for s in slots]
        if service is not None:
            self.fields["pet_species"].initial = service.species
        self.home_cities = {str(c.pk): c for c in home_cities}
        if self.home_cities:
            self.fields["home_city"].choices = [("", "---------")] + [
                (key, c.short_name) for key, c in self.home_cities.items()
            ]
        else:  # the salon does not come to homes
            for name in ("where", "home_city", "home_address"):
                del self.fields[name]
        self.pets = {str(p.pk): p for p in pets}
        self.fields["pet"].choices = [(key, p.name) for key, p in self.pets.items()] + [
            ("", _("Another pet (type its name)"))
        ]
        if profile is not None:  # species and size come from the record
            pet = profile["pet"]
            self.fields["pet"].initial = str(pet.pk)
            self.fields["pet_name"].initial = pet.name
            if profile["species"]:
                self.fields["pet_species"].initial = profile["species"]
        if not self.pets:
            del self.fields["pet"]

    def clean(self):
        cleaned = super().clean()
        record = self.pets.get(cleaned.get("pet") or "")
        cleaned["pet_record"] = record
        if record is None and not (cleaned.get("pet_name") or "").strip() and not self.has_error("pet_name"):
            self.add_error("pet_name", _("Tell the salon your pet's name."))
        cleaned["home_city_record"] = None
        if cleaned.get("where") == "home":
            city = self.home_cities.get(cleaned.get("home_city") or "")
            if city is None and not self.has_error("home_city"):
                self.add_error("home_city", _("Choose the city of the home visit."))
            if not (cleaned.get("home_address") or "").strip() and not self.has_error("home_address"):
                self.add_error("home_address", _("Tell the salon your address for the home visit."))
            cleaned["home_city_record"] = city
        return cleaned

    def clean_slot(self):
        try:
            return dt.datetime.fromisoformat(self.cleaned_data["slot"])
        except (KeyError, ValueError):
            raise ValidationError(_("Pick a time."))


class RescheduleForm(forms.Form):
    """Only the new time: everything else about the booking (pet, service, deposit) stays."""

    slot = forms.ChoiceField(
        label=_("New time"),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("That time was just booked by someone else."),
                        "required": _("Pick a time.")},
    )  # fmt: skip

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [(s.isoformat(), timefmt.clock(s)) for s in slots]

    def clean_slot(self):
        try:
            return dt.datetime.fromisoformat(self.cleaned_data["slot"])
        except (KeyError, ValueError):
            raise ValidationError(_("Pick a time."))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[(i, "★" * i) for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(label=_("Your review"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class SalonForm(forms.ModelForm):
    class Meta:
        model = Salon
        fields = [
            "name",
            "description",
            "address",
            "phone",
            "latitude",
            "longitude",
            "home_service",
            "home_service_cities",
            "capacity",
            "slot_step_minutes",
            "min_lead_minutes",
            "deposit_amount",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_service_cities"].queryset = Regency.objects.filter(kind=Regency.Kind.CITY)
        self.fields["home_service_cities"].required = False

    def clean_phone(self):
        phone = "".join(ch for ch in self.cleaned_data["phone"] if ch.isdigit() or ch == "+")
        if phone.startswith("0"):
            phone = "+62" + phone[1:]
        if not phone.startswith("+62") or not 10 <= len(phone) <= 16:
            raise ValidationError(_("Enter an Indonesian number, e.g. 0812 3456 7890."))
        return phone


class PhotoForm(forms.ModelForm):
    image = SafeImageField(label=_("Photo"))

    class Meta:
        model = SalonPhoto
        fields = ["image", "caption"]


ServiceFormSet = forms.inlineformset_factory(
    Salon,
    Service,
    fields=["kind", "name", "species", "size", "price", "duration_minutes", "is_active"],
    extra=1,
    can_delete=False,
)


class BaseHoursFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        ranges: dict[int, list[tuple]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("opens") or not data.get("closes"):
                continue
            ranges.setdefault(data["weekday"], []).append((data["opens"], data["closes"]))
        for day_ranges in ranges.values():
            day_ranges.sort()
            for (_o1, c1), (o2, _c2) in zip(day_ranges, day_ranges[1:], strict=False):
                if o2 < c1:
                    raise ValidationError(_("Opening ranges on the same day must not overlap."))


HoursFormSet = forms.inlineformset_factory(
    Salon,
    WeeklyHours,
    formset=BaseHoursFormSet,
    fields=["weekday", "opens", "closes"],
    extra=2,
    can_delete=True,
    # ISO formats: browsers' time and date pickers do not read the Indonesian "09.00" / "23-11-2026".
    widgets={
        "opens": forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        "closes": forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    },
)
ClosureFormSet = forms.inlineformset_factory(
    Salon,
    Closure,
    fields=["date", "reason"],
    extra=1,
    can_delete=True,
    widgets={"date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})},
)
