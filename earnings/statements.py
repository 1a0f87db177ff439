"""Reading the ledger: a month's lines and totals, the month-by-month history, CSV rows.

Everything here reads stored lines; nothing is recomputed from rules or prices.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Sum

from .models import LedgerLine, Partner, Payout


@dataclass
class Totals:
    gross: int = 0  # paid in, before refunds
    refunds: int = 0  # refunded (a positive number)
    commission: int = 0  # the platform's share, net of reversals
    net: int = 0  # the partner's share, net of refunds
    count: int = 0

    @property
    def gross_after_refunds(self) -> int:
        return self.gross - self.refunds


def totals_of(lines) -> Totals:
    totals = Totals()
    for line in lines:
        if line.gross >= 0:
            totals.gross += line.gross
        else:
            totals.refunds -= line.gross
        totals.commission += line.commission
        totals.net += line.partner_net
        totals.count += 1
    return totals


def month_lines(partner: Partner, month: datetime.date) -> list[LedgerLine]:
    if partner.pk is None:
        return []
    return list(LedgerLine.objects.filter(partner=partner, month=month).order_by("occurred_at", "pk"))


@dataclass
class MonthRow:
    month: datetime.date
    gross: int
    refunds: int
    commission: int
    net: int
    count: int
    payout: Payout | None


def history(partner: Partner) -> list[MonthRow]:
    """Every month with lines or a payout, newest first (two queries whatever the number of lines)."""
    rows = (
        LedgerLine.objects.filter(partner=partner)
        .values("month", "entry")
        .annotate(gross=Sum("gross"), commission=Sum("commission"), net=Sum("partner_net"), n=Count("pk"))
        .order_by()
    )
    payouts = {p.month: p for p in Payout.objects.filter(partner=partner)}
    months: dict[datetime.date, MonthRow] = {}
    for row in rows:
        item = months.setdefault(
            row["month"], MonthRow(row["month"], 0, 0, 0, 0, 0, payouts.get(row["month"]))
        )
        if row["entry"] == LedgerLine.Entry.SETTLEMENT:
            item.gross += row["gross"]
        else:
            item.refunds -= row["gross"]
        item.commission += row["commission"]
        item.net += row["net"]
        item.count += row["n"]
    for month, payout in payouts.items():
        months.setdefault(month, MonthRow(month, 0, 0, 0, 0, 0, payout))
    return sorted(months.values(), key=lambda r: r.month, reverse=True)


def statement_snapshot(partner: Partner, month: datetime.date) -> list[tuple]:
    """The figures a statement shows, as plain tuples (tests compare them before and after changes)."""
    return [
        (line.pk, line.entry, line.gross, line.commission, line.partner_net, line.rate_bp, line.occurred_at)
        for line in month_lines(partner, month)
    ]
