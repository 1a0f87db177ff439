"""Deposit payments for bookings (purpose `models.PURPOSE`, registered in AppConfig.ready()); hooks run
after the payment commits and are idempotent."""

from django.urls import reverse

from earnings.models import Kind
from earnings.services import record_payment
from payments.registry import PaymentHandler

from . import services
from .models import Booking


def record_earnings(payment, booking: Booking) -> None:
    """The salon's earnings ledger follows the deposit money (idempotent)."""
    record_payment(
        payment=payment,
        partner=booking.salon,
        partner_name=booking.salon.name,
        kind=Kind.GROOMING,
        description=payment.description,
        subject_url=booking.get_absolute_url(),
    )


class GroomingPayments(PaymentHandler):
    def _booking(self, payment) -> Booking | None:
        return Booking.objects.filter(pk=payment.target_id).select_related("salon").first()

    def paid(self, payment) -> None:
        booking = self._booking(payment)
        if booking is not None:
            services.booking_deposit_paid(booking=booking)
            record_earnings(payment, booking)

    def failed(self, payment) -> None:
        booking = self._booking(payment)
        if booking is not None:
            services.booking_deposit_failed(booking=booking)

    def refunded(self, payment) -> None:
        booking = self._booking(payment)
        if booking is not None:
            record_earnings(payment, booking)

    def return_url(self, payment) -> str:
        return reverse("grooming:booking", args=[payment.target_id])
