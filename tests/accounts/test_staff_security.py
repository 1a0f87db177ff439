"""Issue 13.11-12: the staff second factor (TOTP) for /admin/ and the session lifetimes."""

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import LAST_SEEN, LOGIN_AT
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent


def code(device) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def otp_required(settings):
    settings.STAFF_OTP_REQUIRED = True


def admin_login(client, staff):
    response = client.post("/admin/login/?next=/admin/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.usefixtures("otp_required")
def test_staff_enrol_an_authenticator_then_reach_the_admin(client, staff):
    admin_login(client, staff)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/")
    page = client.get(response["Location"])
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert client.post("/accounts/two-factor/", {"token": "000000", "next": "/admin/"}).status_code == 400
    assert client.get("/admin/").status_code == 302  # still not through
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    done = client.post("/accounts/two-factor/", {"token": code(device), "next": "/admin/"})
    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


@pytest.mark.usefixtures("otp_required")
def test_password_alone_never_opens_the_admin_or_a_ktp_list(client, staff):
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    admin_login(client, staff)
    for path in ("/admin/", "/admin/accounts/identityverification/", "/admin/stats/"):
        assert client.get(path).status_code == 302, path
    page = client.get("/accounts/two-factor/")
    assert "<svg" not in page.content.decode()  # an enrolled device is not shown again


def test_on_the_debug_demo_the_password_is_enough(client, staff, settings):
    settings.STAFF_OTP_REQUIRED = False
    admin_login(client, staff)
    assert client.get("/admin/").status_code == 200


def test_members_never_see_the_two_factor_page(client_for, owner):
    assert client_for(owner).get("/accounts/two-factor/").status_code == 404


def test_otp_is_required_exactly_when_debug_is_off():
    script = "from django.conf import settings; print(settings.STAFF_OTP_REQUIRED)"
    results = {}
    for debug in ("True", "False"):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DJANGO_SETTINGS_MODULE": "hellopet.settings",
            "DEBUG": debug,
            "SECRET_KEY": "k" + "x1y2z3" * 10,
            "ALLOWED_HOSTS": "hellopet.example",
        }
        run = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {script}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        results[debug] = run.stdout.strip()
    assert results == {"True": "False", "False": "True"}


@pytest.mark.usefixtures("otp_required")
def test_superuser_recovers_from_the_command_line(client, staff):
    TOTPDevice.objects.create(user=staff, name="lost phone", confirmed=True)
    out = io.StringIO()
    call_command("accounts_otp_reset", staff.email, stdout=out)
    assert re.search(r"key: [A-Z2-7]{16,}", out.getvalue())
    device = TOTPDevice.objects.get(user=staff)
    assert device.name == "authenticator (reset)"
    admin_login(client, staff)
    assert client.post("/accounts/two-factor/", {"token": code(device), "next": "/admin/"}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_staff_are_logged_out_after_30_idle_minutes(client, staff):
    admin_login(client, staff)
    assert client.get("/admin/").status_code == 200
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert "_auth_user_id" not in client.session


def test_members_are_not_logged_out_for_idling_but_sessions_end_after_their_absolute_lifetime(
    client, owner, settings
):
    assert client.post("/accounts/login/", {"username": owner.email, "password": PASSWORD}).status_code == 302
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 5 * 3600
    session.save()
    assert client.get("/accounts/profile/").status_code == 200
    session = client.session
    session[LOGIN_AT] = int(time.time()) - settings.SESSION_ABSOLUTE_HOURS * 3600 - 60
    session.save()
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
