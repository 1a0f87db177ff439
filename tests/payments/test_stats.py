import datetime

import pytest

from payments.models import Payment, Refund
from payments.stats import monthly_gmv

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def paid(make_payment, amount, at):
    payment = make_payment(amount=amount)
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.PAID, paid_at=at)
    return payment


def test_monthly_gmv_uses_jakarta_months(make_payment):
    # 31 Oct 16:59 UTC is 23:59 in Jakarta (October); 31 Oct 17:30 UTC is 1 Nov 00:30 in Jakarta.
    paid(make_payment, 100_000, datetime.datetime(2026, 10, 31, 16, 59, tzinfo=UTC))
    late = paid(make_payment, 250_000, datetime.datetime(2026, 10, 31, 17, 30, tzinfo=UTC))
    paid(make_payment, 40_000, datetime.datetime(2026, 11, 30, 16, 59, tzinfo=UTC))  # 30 Nov 23:59 WIB
    paid(make_payment, 70_000, datetime.datetime(2026, 11, 30, 17, 0, tzinfo=UTC))  # 1 Dec 00:00 WIB
    refund = Refund.objects.create(payment=late, amount=50_000, reason="Sebagian")
    Refund.objects.filter(pk=refund.pk).update(
        created_at=datetime.datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
    )  # Dec
    make_payment(amount=999_000)  # pending: never revenue

    rows = monthly_gmv(datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))

    assert rows == [
        (datetime.date(2026, 10, 1), 100_000, 0, 100_000),
        (datetime.date(2026, 11, 1), 290_000, 0, 290_000),
        (datetime.date(2026, 12, 1), 70_000, 50_000, 20_000),
    ]


def test_refunded_payments_still_count_as_gross_in_their_month(make_payment):
    payment = paid(make_payment, 100_000, datetime.datetime(2026, 9, 10, 3, 0, tzinfo=UTC))
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.REFUNDED, refunded_amount=100_000)
    refund = Refund.objects.create(payment=payment, amount=100_000, reason="Batal")
    Refund.objects.filter(pk=refund.pk).update(created_at=datetime.datetime(2026, 9, 11, 3, 0, tzinfo=UTC))
    assert monthly_gmv(datetime.date(2026, 9, 1), datetime.date(2026, 9, 30)) == [
        (datetime.date(2026, 9, 1), 100_000, 100_000, 0)
    ]


def test_empty_months_are_listed_with_zeros():
    rows = monthly_gmv(datetime.date(2026, 11, 15), datetime.date(2027, 2, 1))
    assert [r[0] for r in rows] == [
        datetime.date(2026, 11, 1),
        datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 1),
        datetime.date(2027, 2, 1),
    ]
    assert all(r[1:] == (0, 0, 0) for r in rows)


def test_days_outside_the_range_are_not_counted(make_payment):
    paid(make_payment, 100_000, datetime.datetime(2026, 11, 1, 0, 0, tzinfo=UTC))  # 1 Nov 07:00 WIB
    paid(make_payment, 30_000, datetime.datetime(2026, 11, 20, 0, 0, tzinfo=UTC))
    assert monthly_gmv(datetime.date(2026, 11, 2), datetime.date(2026, 11, 30)) == [
        (datetime.date(2026, 11, 1), 30_000, 0, 30_000)
    ]
