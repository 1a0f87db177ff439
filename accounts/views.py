from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from common.client_ip import client_ip
from common.private_files import serve_private_file

from . import services
from .access import get_identity_verification_for_user, get_vet_licence_for_user
from .forms import (
    DeleteAccountForm,
    EmailAuthenticationForm,
    IdentityVerificationForm,
    ProfileForm,
    SignupForm,
    VetLicenceForm,
)
from .models import IdentityVerification, VerificationStatus, VetLicence


class LoginView(auth_views.LoginView):
    """Failed attempts are counted by django-axes (per account and client address, in the database);
    a locked-out attempt is answered 429 with the reason on the form."""

    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        # The lock message advises a reset: the person who proved they own the inbox gets in at once.
        axes_reset(username=form.user.email.lower())
        return response


def set_language(request):
    """The ID/EN switch. Everybody gets Django's cookie; a logged-in member's choice is also saved to
    their profile, so it follows them to their other devices and to the e-mails they get (issue 15.6)."""
    response = django_set_language(request)
    language = request.POST.get("language") if request.method == "POST" else None
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_set_language(user=request.user, language=language)
    return response


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.language = request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("id", "en") else "id"
        # The same answer whether or not the address has an account (it is e-mailed either way).
        services.signup_start(user=user)
        return redirect("signup_sent")
    return render(
        request, "accounts/signup.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


def signup_sent(request):
    return render(request, "accounts/signup_sent.html")


def signup_confirm(request, token):
    user = services.signup_confirm(token=token)
    if user is None:
        return render(request, "accounts/signup_invalid.html", status=400)
    login(request, user, backend="accounts.backends.CachedUserBackend")
    # The link is often opened on another device (no language cookie): greet in the signup's language.
    translation.activate(user.language)
    messages.success(request, _("Welcome to HELLOPET!, %(name)s.") % {"name": user.first_name})
    if user.is_vet:
        messages.info(request, _("Register your STRV and SIP so that owners can consult you."))
    response = redirect("vet_licence" if user.is_vet else "profile")
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
    return response


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        response = redirect("profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, request.user.language, samesite="Lax")
        return response
    identity = IdentityVerification.objects.filter(user=request.user).first()
    return render(request, "accounts/profile.html", {"form": form, "identity": identity})


@login_required
def account_delete(request):
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        if services.account_delete(user=user) == "deleted":
            messages.success(request, _("Your account and all its data were deleted."))
        else:
            messages.success(
                request,
                _(
                    "Your account and personal data were deleted. Consultation and payment records are "
                    "kept without your name, as medical and tax rules require."
                ),
            )
        return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form})


@login_required
def verification(request):
    current = IdentityVerification.objects.filter(user=request.user).first()
    can_submit = current is None or current.status == VerificationStatus.REJECTED
    form = IdentityVerificationForm(request.POST or None, request.FILES or None) if can_submit else None
    if request.method == "POST":
        if not can_submit:
            messages.error(request, _("You already have a verification that is pending or approved."))
            return redirect("verification")
        if form.is_valid():
            try:
                services.identity_submit(
                    user=request.user,
                    nik=form.cleaned_data["nik"],
                    name_on_ktp=form.cleaned_data["name_on_ktp"],
                    scan=form.cleaned_data["scan"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Thank you. We will check your KTP, usually within one working day.")
                )
                return redirect("verification")
    history = IdentityVerification.objects.filter(user=request.user)
    return render(
        request,
        "accounts/verification.html",
        {
            "current": current,
            "form": form,
            "history": history,
            "policy_version": services.PRIVACY_POLICY_VERSION,
        },
        # A refused upload or missing consent is a 400, like every other upload form.
        status=400 if request.method == "POST" else 200,
    )


def _audited(request, verification):
    """Staff opening someone else's document leaves a trace (UU PDP); the member's own view does not."""
    if request.user.is_authenticated and request.user.is_staff and verification.user_id != request.user.pk:
        services.private_document_opened(
            staff=request.user, verification=verification, ip_address=client_ip(request)
        )
    return verification


def verification_scan(request, pk):
    verification = get_identity_verification_for_user(request.user, pk)
    if not verification.scan:
        raise Http404  # deleted after its retention period
    return serve_private_file(_audited(request, verification).scan)


@login_required
def verification_delete(request, pk):
    """GET asks for confirmation, saying what is lost (an approved status too); POST deletes."""
    verification = get_identity_verification_for_user(request.user, pk)
    if verification.user_id != request.user.pk:
        raise Http404  # staff use the admin; this button is the member's own
    if request.method != "POST":
        return render(request, "accounts/verification_delete.html", {"verification": verification})
    services.verification_delete(verification)
    messages.success(request, _("Your KTP data and scan were deleted."))
    return redirect("verification")


@login_required
def vet_licence(request):
    if not request.user.is_vet:
        raise Http404
    current = VetLicence.objects.filter(user=request.user).first()
    can_submit = current is None or current.status == VerificationStatus.REJECTED
    form = VetLicenceForm(request.POST or None, request.FILES or None) if can_submit else None
    if request.method == "POST":
        if not can_submit:
            messages.error(request, _("You already have a licence that is pending or approved."))
            return redirect("vet_licence")
        if form.is_valid():
            try:
                services.vet_licence_submit(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Thank you. We will check your licence, usually within one working day.")
                )
                return redirect("vet_licence")
    history = VetLicence.objects.filter(user=request.user)
    return render(
        request,
        "accounts/vet_licence.html",
        {"current": current, "form": form, "history": history},
        status=400 if request.method == "POST" else 200,
    )


def vet_licence_document(request, pk):
    return serve_private_file(_audited(request, get_vet_licence_for_user(request.user, pk)).document)


@login_required
@require_POST
def vet_licence_delete(request, pk):
    licence = get_vet_licence_for_user(request.user, pk)
    if licence.user_id != request.user.pk:
        raise Http404
    services.verification_delete(licence)
    messages.success(request, _("Your licence data and document were deleted."))
    return redirect("vet_licence")
