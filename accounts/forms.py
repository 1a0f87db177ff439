from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UserCreationForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from common.uploads import SafeDocumentField, SafeImageField
from notifications.services import queue_email

from .models import Regency, User
from .nik import parse_nik
from .phone import normalize_phone


class CityChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault(
            "queryset", Regency.objects.select_related("province").order_by("province__name", "name")
        )
        kwargs.setdefault("label", _("City / regency"))
        # 514 choices: static/js/forms.js adds a type-to-filter box; the select still posts the id.
        kwargs.setdefault(
            "widget",
            forms.Select(
                attrs={
                    "data-searchable": "",
                    "data-search-label": _("Type to find your city or regency"),
                    "data-search-count": _("{n} found"),
                }
            ),
        )
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return f"{obj.name} — {obj.province.name}"


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 25)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalize_phone(value) if value else ""


class SignupForm(UserCreationForm):
    phone = PhoneField(label=_("Phone (WhatsApp)"), required=False)
    city = CityChoiceField(required=False)
    is_vet = forms.BooleanField(
        label=_("I am a veterinarian and want to offer consultations"), required=False
    )
    is_shelter = forms.BooleanField(label=_("I register for an animal shelter"), required=False)

    class Meta:
        model = User
        fields = ["full_name", "email", "phone", "city", "is_vet", "is_shelter", "organisation_name"]
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email"})}

    def clean_email(self):
        # Whether the address already has an account is never said here (that would tell anyone
        # who is a member): the sign-up view answers the same either way and e-mails the address.
        return self.cleaned_data["email"].strip().lower()

    def _get_validation_exclusions(self):
        return {*super()._get_validation_exclusions(), "email"}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_shelter") and not (cleaned.get("organisation_name") or "").strip():
            self.add_error("organisation_name", _("Enter the shelter's name."))
        if not cleaned.get("is_shelter"):
            cleaned["organisation_name"] = ""
        return cleaned


class LockAwareLoginMixin:
    """Says why a login is refused when django-axes has locked this client out of this account.

    The counting and the lock live in axes (its authentication backend refuses without checking the
    password and marks the request); this only turns that mark into a clear message.
    """

    throttled_message = _(
        "Too many failed attempts from here. Wait 15 minutes, or reset your password to log in now."
    )

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise forms.ValidationError(self.throttled_message, code="throttled") from None
            raise


class EmailAuthenticationForm(LockAwareLoginMixin, AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class StaffAuthenticationForm(LockAwareLoginMixin, AdminAuthenticationForm):
    """/admin/login/: throttled by the same rules as the member login."""


class ProfileForm(forms.ModelForm):
    phone = PhoneField(label=_("Phone (WhatsApp)"), required=False)
    city = CityChoiceField(required=False)

    class Meta:
        model = User
        fields = ["full_name", "phone", "city", "language", "organisation_name", "request_sound"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.is_shelter:
            del self.fields["organisation_name"]
        if not self.instance.is_vet:
            del self.fields["request_sound"]  # only vets receive consultation requests

    def clean_organisation_name(self):
        name = self.cleaned_data["organisation_name"].strip()
        if self.instance.is_shelter and not name:
            raise forms.ValidationError(_("Enter the shelter's name."))
        return name


class IdentityVerificationForm(forms.Form):
    nik = forms.CharField(
        label="NIK",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("The 16-digit number on your KTP."),
    )
    name_on_ktp = forms.CharField(label=_("Name as on the KTP"), max_length=150)
    scan = SafeImageField(
        label=_("Photo or scan of your KTP"), help_text=_("JPEG, PNG or WebP, at most 5 MB.")
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that HELLOPET! processes my KTP data only to verify my identity, as described in the "
            "privacy policy (UU PDP No. 27/2022). I can delete it at any time."
        )
    )

    def clean_nik(self):
        nik = self.cleaned_data["nik"].replace(" ", "").replace("-", "")
        parse_nik(nik)
        return nik


class VetLicenceForm(forms.Form):
    strv_number = forms.CharField(label=_("STRV number"), max_length=50)
    sip_number = forms.CharField(label=_("SIP number"), max_length=50)
    document = SafeDocumentField(label=_("STRV/SIP document"), help_text=_("PDF or image, at most 5 MB."))


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput)

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the e-mail goes through the outbox and the task queue: the request
    never waits for the mail server, and a mail outage delays the link instead of losing it."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        text = loader.render_to_string(email_template_name, context)
        html = loader.render_to_string(html_email_template_name, context) if html_email_template_name else ""
        queue_email(to=to_email, subject=subject, text=text, html=html, kind="accounts.password_reset")
