"""How payments tell this app about a consultation's payment (registered in AppConfig.ready())."""

from payments.registry import PaymentHandler

from . import services
from .models import Consultation


def _consultation(payment) -> Consultation | None:
    return Consultation.objects.filter(pk=payment.target_id).first()


class ConsultationPayments(PaymentHandler):
    def paid(self, payment) -> None:
        consultation = _consultation(payment)
        if consultation is not None:
            services.consultation_mark_paid(consultation=consultation, now=payment.paid_at)

    def failed(self, payment) -> None:
        consultation = _consultation(payment)
        if consultation is not None:
            services.consultation_payment_failed(consultation=consultation, payment_status=payment.status)

    def refunded(self, payment) -> None:
        """Nothing to change: a refund follows a cancellation this app already recorded."""

    def return_url(self, payment) -> str:
        consultation = _consultation(payment)
        return consultation.get_absolute_url() if consultation else "/consultations/"
