"""The whole journey in a real browser: list a pet, staff approval, cart, adoption form, pickup, receipt,
first follow-up report. Phone-sized viewport (360 px)."""

import datetime

import pytest
from django.utils import timezone

from adoption import services
from adoption.models import Application, FollowUpReport, Pet
from tests import factories as base
from tests.adoption.factories import ANSWERS
from tests.conftest import login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_adoption_journey_from_listing_to_first_report(live_asgi_server, browser, tmp_path):
    url = live_asgi_server
    lister = base.VerifiedMemberFactory(
        full_name="Rina Kusumawati", email="rina@example.test", phone="+6281299990000"
    )
    adopter = base.VerifiedMemberFactory(full_name="Budi Santoso", email="budi@example.test")
    staff = base.UserFactory(is_staff=True, is_superuser=True)
    photo = tmp_path / "kopi.jpg"
    photo.write_bytes(base.image_bytes(size=(320, 240)))
    scan = tmp_path / "vaksin.png"
    scan.write_bytes(base.image_bytes("PNG"))

    # 1. The lister lists a pet.
    lister_ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US")
    page = lister_ctx.new_page()
    login_in_browser(page, url, lister)
    page.goto(f"{url}/adoption/pets/new/")
    page.fill("input[name=name]", "Kopi")
    page.select_option("select[name=species]", label="Anjing")
    page.select_option("select[name=sex]", "male")
    page.fill("input[name=age_estimate_months]", "24")
    page.select_option("select[name=size]", "medium")
    page.fill("input[name=colour]", "Cokelat")
    page.fill("textarea[name=description]", "Ramah dan suka jalan pagi.")
    page.check("input[name=vaccinated]")
    page.fill("input[name=fee]", "0")
    page.fill("textarea[name=rehoming_reason]", "Pindah ke apartemen.")
    page.select_option("select[name=city]", value=str(base.regency("32.73").pk))
    page.set_input_files("input[name=photos]", str(photo))
    page.set_input_files("input[name=vaccination_book]", str(scan))
    page.click("main button[type=submit]")
    page.wait_for_url(f"{url}/adoption/listings/")
    assert "Kopi" in page.content()
    pet = Pet.objects.get(name="Kopi")
    assert pet.status == Pet.Status.PENDING_REVIEW

    # 2. Staff approve it (the admin action calls the same service).
    services.pet_approve(pet=pet, by=staff)

    # 3. The adopter finds it, adds it to the cart and fills in the adoption form.
    adopter_ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US")
    apage = adopter_ctx.new_page()
    login_in_browser(apage, url, adopter)
    apage.goto(f"{url}/adoption/?species=dog")
    apage.click("text=Kopi")
    apage.wait_for_url(f"{url}/adoption/pets/{pet.pk}/")
    assert "+6281299990000" not in apage.content()
    apage.click(f"form[action$='/cart/add/{pet.pk}/'] button")
    apage.wait_for_url(f"{url}/adoption/cart/")
    apage.click("a[href='/adoption/checkout/']")
    apage.wait_for_url(f"{url}/adoption/checkout/")
    for name, value in ANSWERS.items():
        if value is True:
            apage.check(f"input[name={name}]")
        elif name in ("home_type", "home_ownership"):
            apage.check(f"input[name={name}][value={value}]")
        else:
            apage.fill(f"textarea[name={name}]", value)
    for term in ["term_age", "term_sterilisation", "term_reports", "term_no_transfer"]:
        apage.check(f"input[name={term}]")
    apage.click("main button[type=submit]")
    apage.wait_for_url(f"{url}/adoption/applications/")
    application = Application.objects.get(pet=pet)
    assert application.code in apage.content()

    # 4. The lister reads the answers and schedules the pickup.
    page.goto(f"{url}/adoption/listings/")
    assert ANSWERS["aggression_plan"] in page.content()
    page.click(f"a[href='/adoption/listings/applications/{application.pk}/approve/']")
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    page.fill("input[name=pickup_date]", tomorrow)
    page.fill("input[name=pickup_time]", "10:30")
    page.fill("textarea[name=pickup_address]", "Jl. Dago No. 12, Bandung")
    page.fill("input[name=pickup_phone]", "0812-9999-0000")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{url}/adoption/listings/")
    pet.refresh_from_db()
    assert pet.status == Pet.Status.RESERVED

    # 5. The pickup time comes; the adopter sees the pickup details, picks the pet up and confirms.
    Application.objects.filter(pk=application.pk).update(
        pickup_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    apage.goto(f"{url}/adoption/applications/")
    assert "Jl. Dago No. 12, Bandung" in apage.content()
    apage.click(f"form[action$='/applications/{application.pk}/received/'] button")
    apage.wait_for_url(f"{url}/adoption/applications/")
    pet.refresh_from_db()
    assert pet.status == Pet.Status.ADOPTED

    # 6. The first follow-up report.
    apage.click(f"a[href='/adoption/applications/{application.pk}/report/']")
    apage.fill("input[name=report_date]", timezone.localdate().isoformat())
    apage.set_input_files("input[name=photo]", str(photo))
    apage.fill("input[name=caption]", "Kopi sudah betah di rumah")
    apage.select_option("select[name=condition]", "healthy")
    apage.click("main button[type=submit]")
    apage.wait_for_url(f"{url}/adoption/applications/")
    assert FollowUpReport.objects.filter(application=application).exists()
    apage.screenshot(path=str(tmp_path / "applications.png"), full_page=True)

    # The lister sees the report and the whole timeline.
    page.goto(f"{url}/adoption/listings/")
    assert "Kopi sudah betah di rumah" in page.content()
    assert page.locator(f"#application-{application.pk} .timeline li").count() == 4
    # The page fits a 360 px phone: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    lister_ctx.close()
    adopter_ctx.close()
