"""Money figures for the admin dashboard: gross merchandise value (GMV) and refunds.

This is every rupiah paid through HELLOPET!, most of which is the partners' money: the platform's
revenue (commission and platform fees) comes from the earnings ledger (`earnings.stats`).
"""

import datetime
from zoneinfo import ZoneInfo

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from .models import Payment, Refund

JAKARTA = ZoneInfo("Asia/Jakarta")
EVER_PAID = [Payment.Status.PAID, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED]


def _month_starts(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + datetime.timedelta(days=32)).replace(day=1)
    return months


def monthly_gmv(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, int, int, int]]:
    """[(first day of month, gross, refunded, net)] of money paid (GMV, not revenue), every month from
    start to end (inclusive).

    Months are calendar months in Asia/Jakarta, whatever the server's zone. Gross counts payments by
    when they were paid (a later refund does not rewrite history); refunds count in the month they
    were made, owed manual refunds included. Only days from `start` to `end` are counted.
    """
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=JAKARTA)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=JAKARTA)
    gross = (
        Payment.objects.filter(status__in=EVER_PAID, paid_at__gte=since, paid_at__lt=until)
        .annotate(month=TruncMonth("paid_at", tzinfo=JAKARTA))
        .values("month")
        .annotate(total=Sum("amount"))
    )
    refunded = (
        # Money returned after a payment was closed here was never counted as revenue either.
        Refund.objects.filter(payment__status__in=EVER_PAID, created_at__gte=since, created_at__lt=until)
        .annotate(month=TruncMonth("created_at", tzinfo=JAKARTA))
        .values("month")
        .annotate(total=Sum("amount"))
    )

    def by_month(rows):
        return {_as_date(row["month"]): int(row["total"] or 0) for row in rows}

    gross_by, refunded_by = by_month(gross), by_month(refunded)
    return [
        (
            month,
            gross_by.get(month, 0),
            refunded_by.get(month, 0),
            gross_by.get(month, 0) - refunded_by.get(month, 0),
        )
        for month in _month_starts(start, end)
    ]


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.astimezone(JAKARTA).date() if value.tzinfo else value.date()
    return value
