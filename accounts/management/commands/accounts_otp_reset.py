"""Recovery for a staff member (the superuser included) who lost their authenticator."""

import base64
import io

import qrcode
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Replace a staff member's TOTP device: their old authenticator stops working, and the new key "
        "is printed here (with a QR code for the terminal) to add to an authenticator app."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None or not user.is_staff:
            raise CommandError(f"No staff account with the email {email!r}.")
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="authenticator (reset)", confirmed=True)
        self.stdout.write(f"New authenticator key for {user.email}:")
        self.stdout.write(f"  key: {base64.b32encode(device.bin_key).decode().rstrip('=')}")
        self.stdout.write(f"  uri: {device.config_url}")
        try:
            code = qrcode.QRCode(border=1)
            code.add_data(device.config_url)
            out = io.StringIO()
            code.print_ascii(out=out, invert=True)
            self.stdout.write(out.getvalue())
        except Exception as exc:  # a terminal that cannot show it: the key above is enough
            self.stderr.write(f"(no QR code: {exc})")
        self.stdout.write("Sessions verified with the old device must enter a code from the new one.")
