"""One pet record through the whole product, in a real browser (phone-sized, Indonesian UI):
an adopter adopts a shelter cat → it is in their /pets/ with its vaccinations → they book a
consultation for it → the vet sees the vaccinations and the earlier summary beside the chat → the vet
ends with a prescription → it is on the cat's record → the adopter books grooming for the same cat
with species and size taken from the record."""

import datetime

import pytest
from django.utils import timezone

from adoption import services as adoption_services
from adoption.models import Application
from consultations.models import Consultation
from grooming.models import Booking
from payments.models import Payment
from payments.services import payment_set_status
from pets.models import AccessLog, Pet, Species
from tests import factories as base
from tests.adoption.factories import ANSWERS
from tests.adoption.factories import PetFactory as ListingFactory
from tests.conftest import login_in_browser
from tests.consultations.factories import ConsultationFactory, VetProfileFactory
from tests.grooming.factories import SalonFactory, ServiceFactory
from tests.pets.factories import PetFactory, VaccinationFactory, WeightFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "id-ID"}


def fits_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_adopted_cat_record_through_consultation_prescription_and_grooming(live_asgi_server, browser):
    url = live_asgi_server
    today = timezone.localdate()
    shelter = base.VerifiedMemberFactory(
        full_name="Yayasan Rumah Satwa", is_shelter=True, organisation_name="Rumah Singgah Satwa"
    )
    adopter = base.VerifiedMemberFactory(full_name="Budi Santoso", email="budi@example.test")
    earlier_vet = base.VetFactory(full_name="drh. Made Wirawan")
    vet = base.VetFactory(full_name="drh. Ayu Pratiwi", email="ayu@example.test")
    VetProfileFactory(user=vet, fee=75_000)

    # The shelter's cat: its record with vaccinations, weights and a consultation summary.
    record = PetFactory(owner=shelter, name="Belang", species=Species.objects.get(slug="cat"))
    WeightFactory(pet=record, kg="3.60", measured_on=today - datetime.timedelta(days=40))
    WeightFactory(pet=record, kg="3.90", measured_on=today - datetime.timedelta(days=5))
    VaccinationFactory(pet=record, vaccine="Tricat (F3)", given_by="Klinik Mitra Shelter")
    ended = timezone.now() - datetime.timedelta(days=30)
    ConsultationFactory(
        owner=shelter, vet=earlier_vet, pet=record, pet_name="Belang", status=Consultation.Status.ENDED,
        complaint="Bersin-bersin.", ended_at=ended,
        summary="Flu kucing ringan; sudah sembuh dengan L-lysine.",
    )  # fmt: skip
    listing = ListingFactory(
        lister=shelter, name="Belang", record=record, share_medical_notes=True, status="available", fee=0
    )
    salon = SalonFactory(name="Pawfect Grooming", slug="pawfect")
    small_cat_bath = ServiceFactory(salon=salon, name="Mandi kucing kecil", species="cat", size="s")
    ServiceFactory(salon=salon, name="Mandi anjing besar", species="dog", size="l")

    # 1. The adopter adopts the cat: cart, adoption form; the shelter approves; the adopter confirms.
    adopter_ctx = browser.new_context(**PHONE)
    page = adopter_ctx.new_page()
    login_in_browser(page, url, adopter)
    page.goto(f"{url}/adoption/pets/{listing.pk}/")
    page.click(f"form[action$='/cart/add/{listing.pk}/'] button")
    page.wait_for_url(f"{url}/adoption/cart/")
    page.click("a[href='/adoption/checkout/']")
    page.wait_for_url(f"{url}/adoption/checkout/")
    for name, value in ANSWERS.items():
        if value is True:
            page.check(f"input[name={name}]")
        elif name in ("home_type", "home_ownership"):
            page.check(f"input[name={name}][value={value}]")
        else:
            page.fill(f"textarea[name={name}]", value)
    for term in ["term_age", "term_sterilisation", "term_reports", "term_no_transfer"]:
        page.check(f"input[name={term}]")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{url}/adoption/applications/")
    application = Application.objects.get(pet=listing)
    adoption_services.application_approve(
        application=application,
        by=shelter,
        pickup_at=timezone.now() + datetime.timedelta(days=1),
        pickup_address="Jl. Kaliurang km 7, Yogyakarta",
        pickup_phone="+6281299990000",
    )
    page.goto(f"{url}/adoption/applications/")
    received = page.locator(f"form[action$='/applications/{application.pk}/received/']")
    received.locator("input[name=early]").check()  # the shelter handed the cat over a day early
    received.locator("button").click()
    page.wait_for_url(f"{url}/adoption/applications/")

    # 2. The cat is in the adopter's /pets/ with its vaccinations.
    page.goto(f"{url}/pets/")
    page.click("text=Belang")
    page.wait_for_url(f"{url}/pets/{record.pk}/")
    assert "Tricat (F3)" in page.inner_text("#vaccinations")
    assert page.locator("#weights svg.weight-chart circle.point").count() == 2
    assert fits_phone(page)

    # 3. They book a consultation for it.
    page.goto(f"{url}/vets/{vet.pk}/consult/")
    page.check(f"input[name=pet][value='{record.pk}']")
    page.fill("textarea[name=complaint]", "Belang garuk-garuk telinga terus sejak 3 hari.")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{url}/payments/**")
    consultation = Consultation.objects.get(owner=adopter)
    assert consultation.pet_id == record.pk
    payment_set_status(payment=consultation.payment, status=Payment.Status.PAID)

    # 4. The vet sees the vaccinations and the earlier summary beside the chat, then ends with a
    #    prescription.
    vet_ctx = browser.new_context(**PHONE)
    vpage = vet_ctx.new_page()
    login_in_browser(vpage, url, vet)
    vpage.goto(f"{url}/consultations/{consultation.pk}/")
    panel = vpage.inner_text("#pet-panel")
    assert "Tricat (F3)" in panel
    assert "Flu kucing ringan; sudah sembuh dengan L-lysine." in panel
    vpage.click(f"form[action='/consultations/{consultation.pk}/accept/'] button")
    vpage.wait_for_selector("#consultation-panel[data-status=active]")
    vpage.click("details.cp-action:has(form[action$='/end/']) > summary")
    end = f"form[action='/consultations/{consultation.pk}/end/']"
    vpage.fill(f"{end} textarea[name=assessment]", "Otitis eksterna ringan (tungau telinga).")
    vpage.fill(f"{end} textarea[name=advice]", "Bersihkan telinga, kontrol 1 minggu.")
    vpage.fill(f"{end} input[name=end-items-0-name]", "Tetes telinga Otoklin")
    vpage.fill(f"{end} input[name=end-items-0-dose]", "2 tetes")
    vpage.fill(f"{end} input[name=end-items-0-frequency]", "2x sehari")
    vpage.fill(f"{end} input[name=end-items-0-days]", "7")
    vpage.click(f"{end} button[type=submit]")
    vpage.wait_for_selector("#consultation-panel[data-status=ended]")
    assert AccessLog.objects.filter(pet=record, viewer=vet).exists()

    # 5. The prescription is on the cat's record, and the owner sees who looked.
    page.goto(f"{url}/pets/{record.pk}/")
    treatments = page.inner_text("#treatments")
    assert "Tetes telinga Otoklin" in treatments and "2x sehari" in treatments
    assert "drh. Ayu Pratiwi" in page.inner_text("#access-log")
    page.goto(f"{url}/consultations/{consultation.pk}/summary/print/")
    assert "Otitis eksterna ringan" in page.inner_text("#summary-sheet")

    # 6. Grooming for the same cat: species and size come from the record (3.9 kg: small).
    page.goto(f"{url}/grooming/{salon.slug}/book/")
    page.click(".pet-choice >> text=Belang")
    assert page.locator("#pet-profile [data-size=s]").count() == 1
    assert "Kucing" in page.inner_text("#pet-profile")
    page.click(f"a[href*='service={small_cat_bath.pk}']")
    assert page.locator("select[name=pet]").input_value() == str(record.pk)
    assert page.locator("select[name=pet_species]").input_value() == "cat"
    page.locator(".slots label.slot").first.click()
    page.click("#booking-form button[type=submit]")
    page.wait_for_url(f"{url}/grooming/bookings/**")
    booking = Booking.objects.get(member=adopter)
    assert (booking.pet_id, booking.pet_species, booking.pet_size) == (record.pk, "cat", "s")
    assert fits_phone(page)
    assert Pet.objects.get(pk=record.pk).owner == adopter
    adopter_ctx.close()
    vet_ctx.close()
