"""How payments tell the app that owns the paid-for thing, without importing it.

One protocol in every paid-for app (consultations, grooming, adoption):

* `<app>/models.py` has `PURPOSE`, the app's purpose string; its services pass it to
  `payments.services.payment_create(purpose=PURPOSE, ...)` — never a literal.
* `<app>/payment_hooks.py` has the handler, a `PaymentHandler`; every URL it gives is a `reverse()`:

      class ConsultationPayments(PaymentHandler):
          def paid(self, payment): ...          # payment.target is the consultation
          def failed(self, payment): ...        # failed, expired or cancelled: payment.status tells which
          def refunded(self, payment): ...      # refunded or partially refunded
          def return_url(self, payment): return reverse("consultations:room", args=[payment.target_id])

* `<app>/apps.py` registers it once, in `AppConfig.ready()`: `register(PURPOSE, ConsultationPayments())`.

Hooks run after the payment's transaction commits, each in its own transaction, and must be
idempotent: reconciliation delivers a status again when the previous delivery failed.
"""

from dataclasses import dataclass


class PaymentHandler:
    def paid(self, payment) -> None:
        """The payment settled."""

    def failed(self, payment) -> None:
        """The payment failed, expired or was cancelled; payment.status tells which."""

    def refunded(self, payment) -> None:
        """All or part of the payment was refunded."""

    def return_url(self, payment) -> str:
        return "/"

    def after_paid_url(self, payment) -> str:
        """Where the payer goes straight away once the payment is paid ("" = stay on the status page).
        The consultation sends the owner into the chat room: there is nothing to read on a receipt."""
        return ""


@dataclass
class _Registry:
    handlers: dict


_registry = _Registry(handlers={})


def register(purpose: str, handler: PaymentHandler) -> None:
    _registry.handlers[purpose] = handler


class UnknownPurpose(LookupError):
    """No app registered a handler for this purpose: a typo or a missing `register()` call."""


def is_registered(purpose: str) -> bool:
    return purpose in _registry.handlers


def handler_for(purpose: str) -> PaymentHandler:
    """The registered handler. Never a silent do-nothing stand-in: a paid event told to nobody would be
    marked delivered and lost. UnknownPurpose leaves the payment undelivered, logged, and retried by
    reconciliation once the handler exists."""
    try:
        return _registry.handlers[purpose]
    except KeyError:
        raise UnknownPurpose(f"no payment handler registered for purpose {purpose!r}") from None
