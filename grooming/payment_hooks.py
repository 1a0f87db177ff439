"""Deposit payments for bookings (purpose "grooming"): hooks run after the payment commits, idempotent."""

from payments.registry import PaymentHandler

from . import services
from .models import Booking


class GroomingPayments(PaymentHandler):
    def _booking(self, payment) -> Booking | None:
        return Booking.objects.filter(pk=payment.target_id).first()

    def paid(self, payment) -> None:
        booking = self._booking(payment)
        if booking is not None:
            services.booking_deposit_paid(booking=booking)

    def failed(self, payment) -> None:
        booking = self._booking(payment)
        if booking is not None:
            services.booking_deposit_failed(booking=booking)

    def return_url(self, payment) -> str:
        return f"/grooming/bookings/{payment.target_id}/"
