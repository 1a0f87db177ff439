"""The staff second factor: a TOTP code (any authenticator app) before /admin/, when required.

A staff member without a device enrols here once: the page shows a QR code and the secret, and the
device counts only after a first correct code. Codes are checked by django-otp, which slows down
repeated wrong codes (exponential back-off per device). A superuser who lost the phone gets a new
device from the command line: `manage.py accounts_otp_reset <email>`.
"""

import base64

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/admin/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return "/admin/"
    return target


@login_required
def two_factor(request):
    if not request.user.is_staff:
        raise Http404
    if request.user.is_verified():
        return redirect(_next(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            allowed, _details = device.verify_is_allowed()
            if allowed and device.verify_token(form.cleaned_data["token"].strip().replace(" ", "")):
                if enrolling:
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                otp_login(request, device)
                return redirect(_next(request))
            form.add_error(
                "token",
                _("That code is not right, or too many wrong codes were tried: wait a moment and try again."),
            )
        status = 400
    context = {"form": form, "enrolling": enrolling, "next": _next(request)}
    if enrolling:
        context["qr"] = mark_safe(qr_svg(device.config_url))  # noqa: S308 (SVG made here from our own URI)
        context["secret"] = _base32(device.bin_key)
    return render(request, "accounts/two_factor.html", context, status=status)


def _base32(key: bytes) -> str:
    return base64.b32encode(key).decode().rstrip("=")
