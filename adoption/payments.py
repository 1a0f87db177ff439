"""How the payments app tells adoption about the adoption fee (registered in AppConfig.ready)."""

from payments.registry import PaymentHandler

from . import services


class AdoptionPayments(PaymentHandler):
    def paid(self, payment) -> None:
        services.application_mark_paid(application_id=payment.target_id)

    def failed(self, payment) -> None:
        # Expired, failed or cancelled before the pickup: the reservation is released.
        services.application_release_unpaid(application_id=payment.target_id)

    def refunded(self, payment) -> None:
        services.application_mark_refunded(application_id=payment.target_id)

    def return_url(self, payment) -> str:
        return services.APPLICATIONS_URL
