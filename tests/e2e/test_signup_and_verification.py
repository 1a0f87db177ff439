"""A new member on a phone signs up, logs out and in again, and submits a KTP for verification."""

import pytest

from accounts import services
from accounts.models import IdentityVerification, User
from tests.factories import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_member_signs_up_logs_in_and_submits_ktp(live_asgi_server, phone_context, tmp_path):
    page = phone_context.new_page()
    base = live_asgi_server

    page.goto(f"{base}/")
    assert page.locator("html").get_attribute("lang") == "id"
    page.click("label.menu-button")  # the phone-sized menu
    page.click("a[href='/accounts/signup/']")
    page.fill("input[name=full_name]", "Eka Putri")
    page.fill("input[name=email]", "eka@example.test")
    page.fill("input[name=phone]", "0812 1111 2222")
    page.select_option("select[name=city]", label="Kota Bandung — Jawa Barat")
    page.fill("input[name=password1]", "kucing-Oren-2026")
    page.fill("input[name=password2]", "kucing-Oren-2026")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/accounts/signup/sent/")
    # The link of the confirmation e-mail (sent by the server process; made here the same way).
    user = User.objects.get(email="eka@example.test")
    assert user.phone == "+6281211112222" and not user.is_active
    page.goto(f"{base}/accounts/signup/confirm/{services.signup_token(user)}/")
    page.wait_for_url(f"{base}/accounts/profile/")

    page.click("label.menu-button")
    page.click("details.account-menu > summary")
    page.click("form[action='/accounts/logout/'] button")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "eka@example.test")
    page.fill("input[name=password]", "kucing-Oren-2026")
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{base}/accounts/verification/")
    scan = tmp_path / "ktp.jpg"
    scan.write_bytes(image_bytes(size=(640, 400)))
    page.fill("input[name=nik]", "1234")  # a bad NIK first: a clear error, typed name kept
    page.fill("input[name=name_on_ktp]", "Eka Putri")
    page.set_input_files("input[name=scan]", str(scan))
    page.check("input[name=consent]")
    page.click("main form[enctype] button[type=submit]")
    assert page.locator(".errorlist").count() >= 1
    assert page.input_value("input[name=name_on_ktp]") == "Eka Putri"

    page.fill("input[name=nik]", "3273014506900001")
    page.set_input_files("input[name=scan]", str(scan))
    page.check("input[name=consent]")
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".status-pending").count() == 1
    verification = IdentityVerification.objects.get(user__email="eka@example.test")
    assert verification.status == "pending"

    # The page fits a 360 px screen: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
