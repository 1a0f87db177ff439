"""How the payments app tells adoption about the adoption fee (purpose `models.PURPOSE`, registered in
AppConfig.ready()); hooks run after the payment commits and are idempotent."""

from django.urls import reverse

from earnings.models import Kind
from earnings.services import record_payment
from payments.registry import PaymentHandler

from . import services
from .models import Application


def record_earnings(payment) -> None:
    """The fee goes to the lister, less the platform fee (idempotent)."""
    application = Application.objects.filter(pk=payment.target_id).select_related("pet__lister").first()
    if application is None:
        return
    lister = application.pet.lister
    record_payment(
        payment=payment,
        partner=lister,
        partner_name=lister.full_name or lister.email,
        kind=Kind.ADOPTION,
        description=payment.description,
        subject_url=reverse("adoption:listings"),
    )


class AdoptionPayments(PaymentHandler):
    def paid(self, payment) -> None:
        services.application_mark_paid(application_id=payment.target_id)
        record_earnings(payment)

    def failed(self, payment) -> None:
        # Expired, failed or cancelled before the pickup: the reservation is released.
        services.application_release_unpaid(application_id=payment.target_id)

    def refunded(self, payment) -> None:
        services.application_mark_refunded(application_id=payment.target_id)
        record_earnings(payment)

    def return_url(self, payment) -> str:
        return reverse("adoption:applications")
