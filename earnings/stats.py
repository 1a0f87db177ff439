"""Platform revenue from the ledger, for the admin statistics (adminsite composes it).

Platform revenue is the commission and platform fees kept, net of the commission given back on
refunds; the rest of every rupiah paid is the partners' money, not revenue.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Sum

from .models import Kind, LedgerLine


@dataclass
class MonthKindFigures:
    gmv: int = 0  # paid in the month (settlements), before refunds
    refunds: int = 0  # refunded in the month (positive)
    revenue: int = 0  # commission kept, net of reversals


def by_month_and_kind(
    first: datetime.date, last: datetime.date
) -> dict[tuple[datetime.date, str], MonthKindFigures]:
    """{(month, kind): figures} for the months from `first` to `last` (first days, inclusive). One query."""
    rows = (
        LedgerLine.objects.filter(month__gte=first, month__lte=last)
        .values("month", "kind", "entry")
        .annotate(gross=Sum("gross"), commission=Sum("commission"))
        .order_by()
    )
    figures: dict = defaultdict(MonthKindFigures)
    for row in rows:
        item = figures[(row["month"], row["kind"])]
        if row["entry"] == LedgerLine.Entry.SETTLEMENT:
            item.gmv += row["gross"]
        else:
            item.refunds -= row["gross"]
        item.revenue += row["commission"]
    return dict(figures)


@dataclass
class TopPartner:
    partner_id: int
    name: str
    kinds: list[str]
    gross: int
    commission: int
    net: int


def top_partners(first: datetime.date, last: datetime.date, limit: int = 10) -> list[TopPartner]:
    """Partners with the highest net earnings over the months (refunds deducted). Two queries."""
    rows = list(
        LedgerLine.objects.filter(month__gte=first, month__lte=last)
        .values("partner_id", "partner__name")
        .annotate(gross=Sum("gross"), commission=Sum("commission"), net=Sum("partner_net"))
        .order_by("-net", "partner__name")[:limit]
    )
    kinds = defaultdict(set)
    for partner_id, kind in (
        LedgerLine.objects.filter(
            month__gte=first, month__lte=last, partner_id__in=[r["partner_id"] for r in rows]
        )
        .values_list("partner_id", "kind")
        .distinct()
    ):
        kinds[partner_id].add(kind)
    labels = dict(Kind.choices)
    return [
        TopPartner(
            partner_id=row["partner_id"],
            name=row["partner__name"],
            kinds=[str(labels[k]) for k in sorted(kinds[row["partner_id"]])],
            gross=int(row["gross"]),
            commission=int(row["commission"]),
            net=int(row["net"]),
        )
        for row in rows
    ]
