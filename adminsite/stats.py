"""The numbers of the admin statistics dashboard, month by month in Asia/Jakarta.

Definitions (also in docs/admin.md):
- consultations: consultations paid in the month (by `paid_at`), whatever happened after;
- platform revenue: commission and platform fees kept (the earnings ledger, net of the commission
  given back on refunds), next to GMV and refunds (`payments.stats.monthly_gmv`: every rupiah paid);
  the same per partner kind from the ledger; top partners by net earnings (`earnings.stats`);
- adoptions: applications completed (status "adopted") in the month, by `adopted_at`;
- listing to adoption: median days from the pet's listing (`Pet.created_at`) to `adopted_at`,
  for adoptions completed in the month;
- report compliance: at the end of each month, follow-up reports received as a share of those due
  (one report per `REPORT_INTERVAL_DAYS` since adoption, late ones count once received);
- vet response: median minutes from payment to the vet accepting, for consultations paid in the month;
- bookings: grooming bookings with an appointment (`starts_at`) in the month that the salon
  confirmed (confirmed, completed or no-show).
"""

import datetime
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adoption.models import REPORT_INTERVAL_DAYS, Application, FollowUpReport
from consultations.models import Consultation
from earnings import stats as earnings_stats
from earnings.models import Kind
from grooming.models import Booking
from payments.stats import monthly_gmv

JAKARTA = ZoneInfo("Asia/Jakarta")
MAX_MONTHS = 60


# --- months ------------------------------------------------------------------------------------------
def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_of(value) -> datetime.date:
    """The Jakarta month (its first day) of an aware datetime or a date."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value, JAKARTA).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def month_start(month: datetime.date) -> datetime.datetime:
    """Midnight WIB on the first day of `month`, as an aware datetime."""
    return datetime.datetime(month.year, month.month, 1, tzinfo=JAKARTA)


@dataclass(frozen=True)
class MonthRange:
    """Whole months from `first` to `last` inclusive (both the first day of their month)."""

    first: datetime.date
    last: datetime.date

    @classmethod
    def last_twelve(cls, today: datetime.date | None = None) -> "MonthRange":
        today = today or timezone.localtime(timezone.now(), JAKARTA).date()
        last = today.replace(day=1)
        return cls(add_months(last, -11), last)

    @property
    def months(self) -> list[datetime.date]:
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1
        return [add_months(self.first, i) for i in range(count)]

    @property
    def start(self) -> datetime.datetime:
        return month_start(self.first)

    @property
    def end(self) -> datetime.datetime:
        """Exclusive: midnight WIB on the first day after the last month."""
        return month_start(add_months(self.last, 1))


# --- results -----------------------------------------------------------------------------------------
@dataclass
class Series:
    label: str
    values: list  # one number (or None: nothing to measure) per month of the range


@dataclass
class Stat:
    key: str
    title: str
    unit: str  # count | rupiah | days | minutes | percent
    months: list[datetime.date]
    series: list[Series] = field(default_factory=list)
    summary: float | int | None = None
    summary_label: str = ""
    help: str = ""

    @property
    def primary(self) -> Series | None:
        return self.series[0] if self.series else None

    @property
    def rows(self):
        """(month, [value per series]) for the table beside the chart."""
        return [(month, [s.values[i] for s in self.series]) for i, month in enumerate(self.months)]


def _monthly_counts(queryset, field_name: str, months: list[datetime.date]) -> list[int]:
    rows = (
        queryset.annotate(month=TruncMonth(field_name, tzinfo=JAKARTA))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = defaultdict(int)
    for row in rows:
        counts[month_of(row["month"])] += row["n"]
    return [counts.get(month, 0) for month in months]


def _monthly_medians(
    pairs: Iterable[tuple], months: list[datetime.date], measure: Callable
) -> tuple[list, float | None]:
    """pairs: (month key datetime, start, end). Median of measure(start, end) per month and overall."""
    buckets = defaultdict(list)
    for key, start, end in pairs:
        if start is None or end is None or end < start:
            continue
        buckets[month_of(key)].append(measure(start, end))
    everything = [v for month in months for v in buckets.get(month, [])]
    values = [round(statistics.median(buckets[m]), 1) if buckets.get(m) else None for m in months]
    return values, (round(statistics.median(everything), 1) if everything else None)


def _days(start, end) -> float:
    return (end - start).total_seconds() / 86400


def _minutes(start, end) -> float:
    return (end - start).total_seconds() / 60


# --- the statistics ----------------------------------------------------------------------------------
def consultations_per_month(period: MonthRange) -> Stat:
    title, months = _("Consultations paid"), period.months
    paid = Consultation.objects.filter(paid_at__gte=period.start, paid_at__lt=period.end)
    values = _monthly_counts(paid, "paid_at", months)
    return Stat(
        key="consultations", title=title, unit="count", months=months,
        series=[Series(str(_("Consultations")), values)], summary=sum(values), summary_label=str(_("Total")),
        help=str(_("Consultations whose fee was paid in the month (cancelled and refunded ones included).")),
    )  # fmt: skip


def revenue_per_month(period: MonthRange) -> Stat:
    """Platform revenue (ledger) next to GMV and refunds (payments: every rupiah paid and returned)."""
    title, months = _("Platform revenue"), period.months
    money = {}
    # monthly_gmv takes inclusive days: the last day of the last month, not its first day.
    last_day = add_months(period.last, 1) - datetime.timedelta(days=1)
    for month, gross, refunded, _net in monthly_gmv(period.first, last_day):
        money[month_of(month)] = (int(gross), int(refunded))
    ledger = earnings_stats.by_month_and_kind(period.first, period.last)
    revenue = [sum(f.revenue for (m, _k), f in ledger.items() if m == month) for month in months]
    return Stat(
        key="revenue", title=title, unit="rupiah", months=months,
        series=[
            Series(str(_("Platform revenue")), revenue),
            Series(str(_("GMV")), [money.get(m, (0, 0))[0] for m in months]),
            Series(str(_("Refunded")), [money.get(m, (0, 0))[1] for m in months]),
        ],
        summary=sum(revenue), summary_label=str(_("Platform revenue, total")),
        help=str(_("Platform revenue is the commission and platform fees kept, less the commission given "
                   "back on refunds; the rest of what customers pay belongs to vets, salons and listers. "
                   "GMV: everything paid, by the month it was paid; refunds by the month they were made.")),
    )  # fmt: skip


def _revenue_of_kind(kind: Kind) -> Callable[[MonthRange], Stat]:
    def compute(period: MonthRange) -> Stat:
        months = period.months
        ledger = earnings_stats.by_month_and_kind(period.first, period.last)
        figures = [ledger.get((month, kind.value), earnings_stats.MonthKindFigures()) for month in months]
        revenue = [f.revenue for f in figures]
        return Stat(
            key=f"revenue_{kind.value}", title=_("Platform revenue: %(kind)s") % {"kind": kind.label},
            unit="rupiah", months=months,
            series=[
                Series(str(_("Platform revenue")), revenue),
                Series(str(_("GMV")), [f.gmv for f in figures]),
                Series(str(_("Refunded")), [f.refunds for f in figures]),
            ],
            summary=sum(revenue), summary_label=str(_("Platform revenue, total")),
            help=str(_("From the partners' earnings ledger: paid, refunded and kept as commission.")),
        )  # fmt: skip

    compute.__name__ = f"revenue_{kind.value}"
    return compute


def adoptions_per_month(period: MonthRange) -> Stat:
    title, months = _("Adoptions completed"), period.months
    done = Application.objects.filter(
        status=Application.Status.ADOPTED, adopted_at__gte=period.start, adopted_at__lt=period.end
    )
    values = _monthly_counts(done, "adopted_at", months)
    return Stat(
        key="adoptions", title=title, unit="count", months=months,
        series=[Series(str(_("Adoptions")), values)], summary=sum(values), summary_label=str(_("Total")),
        help=str(_("Applications completed by the adopter confirming the handover, by adoption date.")),
    )  # fmt: skip


def listing_to_adoption_days(period: MonthRange) -> Stat:
    title, months = _("Median days from listing to adoption"), period.months
    rows = Application.objects.filter(
        status=Application.Status.ADOPTED, adopted_at__gte=period.start, adopted_at__lt=period.end
    ).values_list("pet__created_at", "adopted_at")
    pairs = [(adopted_at, listed_at, adopted_at) for listed_at, adopted_at in rows]
    values, overall = _monthly_medians(pairs, months, _days)
    return Stat(
        key="listing_to_adoption", title=title, unit="days", months=months,
        series=[Series(str(_("Median days")), values)], summary=overall,
        summary_label=str(_("Median over the period")),
        help=str(_("From the moment the pet was listed to the completed adoption, by adoption month.")),
    )  # fmt: skip


def report_compliance(period: MonthRange) -> Stat:
    title, months = _("Follow-up report compliance"), period.months
    interval = REPORT_INTERVAL_DAYS
    adopted = dict(
        Application.objects.filter(status=Application.Status.ADOPTED, adopted_at__lt=period.end).values_list(
            "pk", "adopted_at"
        )
    )
    reports = defaultdict(list)
    for application_id, report_date in FollowUpReport.objects.filter(application_id__in=adopted).values_list(
        "application_id", "report_date"
    ):
        reports[application_id].append(report_date)
    values, last_due, last_received = [], 0, 0
    for month in months:
        month_end = add_months(month, 1) - datetime.timedelta(days=1)
        due = received = 0
        for pk, adopted_at in adopted.items():
            adopted_on = timezone.localtime(adopted_at, JAKARTA).date()
            expected = max(0, (month_end - adopted_on).days // interval)
            if expected:
                due += expected
                received += min(expected, sum(1 for d in reports[pk] if d <= month_end))
        values.append(round(100 * received / due, 1) if due else None)
        last_due, last_received = due, received
    return Stat(
        key="report_compliance", title=title, unit="percent", months=months,
        series=[Series(str(_("Reports received (%)")), values)],
        summary=round(100 * last_received / last_due, 1) if last_due else None,
        summary_label=str(_("At the end of the period")),
        help=str(_("Reports received as a share of reports due (one every %(days)d days after adoption), "
                   "counted at each month end.") % {"days": interval}),
    )  # fmt: skip


def vet_response_minutes(period: MonthRange) -> Stat:
    title, months = _("Vet median response time"), period.months
    rows = Consultation.objects.filter(
        paid_at__gte=period.start, paid_at__lt=period.end, accepted_at__isnull=False
    ).values_list("paid_at", "accepted_at")
    pairs = [(paid_at, paid_at, accepted_at) for paid_at, accepted_at in rows]
    values, overall = _monthly_medians(pairs, months, _minutes)
    return Stat(
        key="vet_response", title=title, unit="minutes", months=months,
        series=[Series(str(_("Median minutes")), values)], summary=overall,
        summary_label=str(_("Median over the period")),
        help=str(_("From payment to the vet accepting the consultation, by payment month.")),
    )  # fmt: skip


BOOKED_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)


def bookings_per_month(period: MonthRange) -> Stat:
    title, months = _("Grooming bookings"), period.months
    booked = Booking.objects.filter(
        status__in=BOOKED_STATUSES, starts_at__gte=period.start, starts_at__lt=period.end
    )
    values = _monthly_counts(booked, "starts_at", months)
    return Stat(
        key="bookings", title=title, unit="count", months=months,
        series=[Series(str(_("Bookings")), values)], summary=sum(values), summary_label=str(_("Total")),
        help=str(_("Confirmed appointments (completed and no-shows included), by appointment month.")),
    )  # fmt: skip


STATISTICS = [
    consultations_per_month,
    revenue_per_month,
    *[_revenue_of_kind(kind) for kind in Kind],
    adoptions_per_month,
    listing_to_adoption_days,
    report_compliance,
    vet_response_minutes,
    bookings_per_month,
]


def all_statistics(period: MonthRange) -> list[Stat]:
    return [compute(period) for compute in STATISTICS]
