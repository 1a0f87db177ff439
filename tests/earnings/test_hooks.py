"""The paid-for apps' payment hooks write the partner's ledger: on settlement, on each refund, once."""

import pytest

from earnings.models import LedgerLine, Partner
from payments.models import Payment
from payments.services import deliver, payment_create, payment_refund, payment_set_status

pytestmark = pytest.mark.django_db


def settle(payment, capture):
    with capture(execute=True):
        payment_set_status(payment=payment, status=Payment.Status.PAID)
    payment.refresh_from_db()


def refund(payment, amount, capture):
    with capture(execute=True):
        payment_refund(payment=payment, amount=amount, reason="Dibatalkan", manual=True)
    payment.refresh_from_db()


def figures(payment):
    return [
        (line.entry, line.gross, line.commission, line.partner_net)
        for line in LedgerLine.objects.filter(payment=payment).order_by("occurred_at", "pk")
    ]


def test_a_paid_and_refunded_consultation_is_in_the_vets_ledger(owner, django_capture_on_commit_callbacks):
    from consultations import services
    from tests.consultations.factories import VetProfileFactory, specialty

    profile = VetProfileFactory(fee=75_000)
    consultation = services.consultation_open(
        owner=owner, vet=profile.user, pet_name="Milo", pet_species=specialty("cats"), pet_age="3",
        complaint="Muntah.",
    )  # fmt: skip
    payment = consultation.payment
    settle(payment, django_capture_on_commit_callbacks)
    consultation.refresh_from_db()
    assert consultation.status == "waiting"  # the app's own hook still ran
    line = LedgerLine.objects.get(payment=payment)
    assert line.partner.subject == profile.user and line.kind == "consultation"
    assert (line.gross, line.commission, line.partner_net, line.rate_bp) == (75_000, 15_000, 60_000, 2000)
    assert line.subject_url == f"/consultations/{consultation.pk}/"

    refund(payment, 25_000, django_capture_on_commit_callbacks)  # a third back: 5,000 of commission
    refund(payment, 50_000, django_capture_on_commit_callbacks)
    assert figures(payment) == [
        ("settlement", 75_000, 15_000, 60_000),
        ("refund", -25_000, -5_000, -20_000),
        ("refund", -50_000, -10_000, -40_000),
    ]

    # Reconciliation delivering everything again writes nothing twice.
    Payment.objects.filter(pk=payment.pk).update(delivered_status="", delivered_refunded_amount=0)
    deliver(payment.pk)
    assert len(figures(payment)) == 3


def test_a_grooming_deposit_is_the_salons_and_a_late_deposit_nets_to_zero(
    django_capture_on_commit_callbacks,
):
    from grooming.models import Booking
    from tests.grooming.factories import BookingFactory

    booking = BookingFactory(status=Booking.Status.AWAITING_PAYMENT, deposit_amount=50_000)
    payment = payment_create(
        payer=booking.member, purpose="grooming", target=booking, amount=50_000, description="Deposit"
    )
    Booking.objects.filter(pk=booking.pk).update(payment=payment)
    settle(payment, django_capture_on_commit_callbacks)
    line = LedgerLine.objects.get(payment=payment)
    assert line.partner.subject == booking.salon and line.partner.name == booking.salon.name
    assert (line.gross, line.commission, line.partner_net) == (50_000, 7_500, 42_500)

    # A deposit for a booking that was cancelled meanwhile is refunded by grooming itself.
    other = BookingFactory(status=Booking.Status.CANCELLED, deposit_amount=50_000)
    late = payment_create(
        payer=other.member, purpose="grooming", target=other, amount=50_000, description="D"
    )
    Booking.objects.filter(pk=other.pk).update(payment=late)
    with django_capture_on_commit_callbacks(execute=True):  # also runs the refund's own callbacks
        payment_set_status(payment=late, status=Payment.Status.PAID)
    late.refresh_from_db()
    assert late.status == Payment.Status.REFUNDED  # owed back by hand: no card on a test payment
    assert [e for e, *_ in figures(late)] == ["settlement", "refund"]
    assert sum(g for _e, g, _c, _n in figures(late)) == 0
    assert sum(c for _e, _g, c, _n in figures(late)) == 0


def test_an_adoption_fee_goes_to_the_lister_with_the_platform_fee(django_capture_on_commit_callbacks):
    from tests.adoption.factories import ApplicationFactory

    application = ApplicationFactory(fee=150_000)
    payment = payment_create(
        payer=application.adopter, purpose="adoption", target=application, amount=150_000, description="Fee"
    )
    settle(payment, django_capture_on_commit_callbacks)
    line = LedgerLine.objects.get(payment=payment)
    assert line.partner.subject == application.pet.lister and line.kind == "adoption"
    assert (line.gross, line.commission, line.partner_net) == (150_000, 0, 150_000)  # 0 % by default


def test_a_hook_delivered_only_after_the_refund_still_records_the_settlement_first(owner, vet, record):
    from tests.earnings.conftest import paid_payment, refund_payment, wib

    payment = paid_payment(owner, vet, 100_001, wib(2026, 3, 1, 10))
    refund_payment(payment, 33_333, wib(2026, 4, 2, 10))
    lines = record(payment, vet, "consultation")
    assert [(line.entry, line.month.month) for line in lines] == [("settlement", 3), ("refund", 4)]
    assert lines[0].commission == 20_000  # 20,000.2 -> 20,000
    assert lines[1].commission == -6_667  # 20,000 x 33,333 / 100,001 = 6,666.6 -> 6,667
    assert record(payment, vet, "consultation") == []
    assert Partner.objects.count() == 1


def test_unpaid_payments_write_nothing(owner, vet, record):
    payment = payment_create(payer=owner, purpose="consultation", target=vet, amount=10_000, description="x")
    assert record(payment, vet, "consultation") == []
    assert not LedgerLine.objects.exists()


def test_the_database_refuses_a_line_that_does_not_add_up(owner, vet, record):
    from django.db import IntegrityError, transaction

    from tests.earnings.conftest import paid_payment, wib

    payment = paid_payment(owner, vet, 1_000, wib(2026, 3, 1, 10))
    (line,) = record(payment, vet, "consultation")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerLine.objects.filter(pk=line.pk).update(partner_net=line.partner_net + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerLine.objects.create(
            partner=line.partner, kind=line.kind, entry="settlement", payment=payment, gross=1_000,
            commission=200, partner_net=800, rate_bp=2000, occurred_at=line.occurred_at, month=line.month,
            description="twice",
        )  # fmt: skip
