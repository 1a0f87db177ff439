import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType

from adminsite.stats import MonthRange

UTC = datetime.UTC
WIB = ZoneInfo("Asia/Jakarta")


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def wib(*args):
    return datetime.datetime(*args, tzinfo=WIB)


@pytest.fixture
def q1_2026():
    return MonthRange(datetime.date(2026, 1, 1), datetime.date(2026, 3, 1))


@pytest.fixture
def make_payment(db):
    from payments.models import Payment

    def make(payer, amount, paid_at, status=Payment.Status.PAID):
        return Payment.objects.create(
            payer=payer,
            purpose="consultation",
            target_type=ContentType.objects.get_for_model(payer),
            target_id=str(payer.pk),
            description="Konsultasi",
            amount=amount,
            status=status,
            paid_at=paid_at,
            expires_at=paid_at or utc(2026, 1, 1),
        )

    return make
