"""How payments tell this app about a consultation's payment (purpose `models.PURPOSE`, registered in
AppConfig.ready()); hooks run after the payment commits and are idempotent."""

from django.urls import reverse

from earnings.models import Kind
from earnings.services import record_payment
from payments.registry import PaymentHandler

from . import services
from .models import Consultation


def _consultation(payment) -> Consultation | None:
    return Consultation.objects.filter(pk=payment.target_id).select_related("vet").first()


def record_earnings(payment, consultation: Consultation) -> None:
    """The vet's earnings ledger follows the money (idempotent: a re-delivery writes nothing twice)."""
    record_payment(
        payment=payment,
        partner=consultation.vet,
        partner_name=consultation.vet.full_name or consultation.vet.email,
        kind=Kind.CONSULTATION,
        description=payment.description,
        subject_url=consultation.get_absolute_url(),
    )


class ConsultationPayments(PaymentHandler):
    def paid(self, payment) -> None:
        consultation = _consultation(payment)
        if consultation is not None:
            services.consultation_mark_paid(consultation=consultation, now=payment.paid_at)
            record_earnings(payment, consultation)

    def failed(self, payment) -> None:
        consultation = _consultation(payment)
        if consultation is not None:
            services.consultation_payment_failed(consultation=consultation, payment_status=payment.status)

    def refunded(self, payment) -> None:
        """The consultation already recorded its cancellation; the vet's earnings reverse with the money."""
        consultation = _consultation(payment)
        if consultation is not None:
            record_earnings(payment, consultation)

    def return_url(self, payment) -> str:
        consultation = _consultation(payment)
        return consultation.get_absolute_url() if consultation else reverse("consultations:list")

    def after_paid_url(self, payment) -> str:
        """Paid: the owner goes straight into the chat room (issue 15.4), where they can already write
        while the vet has not accepted yet."""
        return self.return_url(payment)
