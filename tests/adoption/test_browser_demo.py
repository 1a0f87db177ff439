"""The demo data in a real browser: Rina approves Budi's application for Tofu; Budi adopts Bima from the
shelter and pays the fee through the payment simulator; both pickups are confirmed; a first report."""

import datetime

import pytest
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import User
from adoption import demo
from adoption.models import Application
from tests.conftest import login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def schedule_pickup(page, url, application):
    page.goto(f"{url}/adoption/listings/")
    page.click(f"a[href='/adoption/listings/applications/{application.pk}/approve/']")
    page.fill("input[name=pickup_date]", (timezone.localdate() + datetime.timedelta(days=2)).isoformat())
    page.fill("input[name=pickup_time]", "09:00")
    page.fill("textarea[name=pickup_address]", "Jl. Kaliurang Km 5, Sleman")
    page.fill("input[name=pickup_phone]", "0812-1111-2222")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{url}/adoption/listings/")


def test_demo_journey_with_fee_payment(live_asgi_server, browser, tmp_path):
    url = live_asgi_server
    accounts_demo.seed()
    demo.seed()
    budi, rina, shelter = (User.objects.get(email=f"{n}@hellopet.local") for n in ("budi", "rina", "shelter"))
    password = accounts_demo.DEMO_PASSWORD
    tofu_application = Application.objects.get(adopter=budi, pet__name="Tofu")

    rina_page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    login_in_browser(rina_page, url, rina, password)
    schedule_pickup(rina_page, url, tofu_application)

    budi_page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    login_in_browser(budi_page, url, budi, password)
    budi_page.goto(f"{url}/adoption/?q=Bima")
    budi_page.click("text=Bima")
    budi_page.click("form[action*='/cart/add/'] button")
    budi_page.wait_for_url(f"{url}/adoption/cart/")
    budi_page.click("a[href='/adoption/checkout/']")
    # The answers are prefilled from the Tofu application; only the terms are ticked again.
    assert budi_page.input_value("textarea[name=why_adopt]") == tofu_application.why_adopt
    for term in ["term_age", "term_sterilisation", "term_reports", "term_no_transfer"]:
        budi_page.check(f"input[name={term}]")
    budi_page.click("main form button[type=submit]")
    budi_page.wait_for_url(f"{url}/adoption/applications/")
    bima_application = Application.objects.get(adopter=budi, pet__name="Bima")

    shelter_page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    login_in_browser(shelter_page, url, shelter, password)
    schedule_pickup(shelter_page, url, bima_application)

    # Budi pays the Rp 150.000 fee through the simulator.
    budi_page.goto(f"{url}/adoption/applications/")
    assert "Jl. Kaliurang Km 5, Sleman" in budi_page.content()
    budi_page.click(f"form[action$='/applications/{bima_application.pk}/pay/'] button")
    budi_page.click("main form.pay-form button[type=submit]")
    budi_page.click("button[name=choice][value=pay]")
    for _ in range(50):
        bima_application.refresh_from_db()
        if bima_application.paid_at:
            break
        budi_page.wait_for_timeout(200)
    assert bima_application.paid_at is not None

    for application in (tofu_application, bima_application):
        # The pickup time comes (the confirmation opens then).
        Application.objects.filter(pk=application.pk).update(
            pickup_at=timezone.now() - datetime.timedelta(minutes=5)
        )
        budi_page.goto(f"{url}/adoption/applications/")
        budi_page.click(f"form[action$='/applications/{application.pk}/received/'] button")
        budi_page.wait_for_url(f"{url}/adoption/applications/")
        application.refresh_from_db()
        assert application.status == "adopted"

    photo = tmp_path / "tofu.jpg"
    photo.write_bytes(demo.draw_pet("Tofu", "cat", (230, 210, 170)).read())
    budi_page.click(f"a[href='/adoption/applications/{tofu_application.pk}/report/']")
    budi_page.fill("input[name=report_date]", timezone.localdate().isoformat())
    budi_page.set_input_files("input[name=photo]", str(photo))
    budi_page.fill("input[name=caption]", "Tofu suka tidur di sofa")
    budi_page.select_option("select[name=condition]", "healthy")
    budi_page.click("main form button[type=submit]")
    budi_page.wait_for_url(f"{url}/adoption/applications/")

    rina_page.goto(f"{url}/adoption/listings/")
    assert "Tofu suka tidur di sofa" in rina_page.content()
    shelter_page.goto(f"{url}/adoption/listings/")
    timeline = shelter_page.locator(f"#application-{bima_application.pk} .timeline").inner_text()
    assert timeline.count("\n") >= 3  # submitted, approved, paid, picked up
