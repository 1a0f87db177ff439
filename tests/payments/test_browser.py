"""End to end in Chromium against the real ASGI server with no Midtrans keys: the simulator stands in
for Midtrans, reached over HTTP at SITE_URL/payments/simulator/..., and its signed notification comes
back through the real webhook."""

import pytest

from payments.models import Payment
from tests.conftest import login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def pay_through_simulator(page, base_url, payment, choice):
    page.goto(f"{base_url}/payments/{payment.pk}/")
    page.click("button.pay-btn")
    page.wait_for_url("**/payments/simulator/snap/v2/vtweb/**")
    assert page.locator(".sim-label").inner_text().strip() == "SIMULATOR"
    page.click(f"button[name=choice][value={choice}]")
    page.wait_for_url(f"**/payments/{payment.pk}/finish/**")
    return page.locator("[data-payment-status]").get_attribute("data-payment-status")


def test_pay_fail_and_expire_through_the_simulator_in_a_browser(
    live_asgi_server, browser, make_payment, owner
):
    to_pay, to_fail, to_expire = make_payment(), make_payment(amount=75_000), make_payment(amount=50_000)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    login_in_browser(page, live_asgi_server, owner)

    assert pay_through_simulator(page, live_asgi_server, to_pay, "pay") == "paid"
    assert pay_through_simulator(page, live_asgi_server, to_fail, "fail") == "failed"
    assert pay_through_simulator(page, live_asgi_server, to_expire, "expire") == "expired"
    context.close()

    assert Payment.objects.get(pk=to_pay.pk).status == Payment.Status.PAID
    assert Payment.objects.get(pk=to_fail.pk).status == Payment.Status.FAILED
    assert Payment.objects.get(pk=to_expire.pk).status == Payment.Status.EXPIRED
    # Each outcome arrived as a signed notification, answered 200 by the webhook.
    for payment in (to_pay, to_fail, to_expire):
        assert payment.notifications.filter(signature_valid=True, response_status=200).exists()
