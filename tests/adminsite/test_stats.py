"""Each statistic on a known dataset, with month boundaries in Asia/Jakarta (UTC+7)."""

import datetime

import pytest
from django.utils import translation

from adminsite import stats
from adminsite.charts import bar_chart, format_value, nice_max
from adminsite.stats import MonthRange
from tests import factories as base
from tests.adminsite.conftest import utc, wib

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)


def test_month_range_and_jakarta_boundaries():
    period = MonthRange.last_twelve(datetime.date(2026, 11, 22))
    assert period.first == datetime.date(2025, 12, 1) and period.last == datetime.date(2026, 11, 1)
    assert len(period.months) == 12
    assert period.start == wib(2025, 12, 1)
    assert period.end == wib(2026, 12, 1)
    assert stats.month_of(utc(2026, 1, 31, 17, 30)) == FEB  # 00:30 WIB on 1 February
    assert stats.month_of(utc(2026, 1, 31, 16, 59)) == JAN


def test_consultations_and_vet_response(q1_2026):
    from consultations.models import Consultation
    from tests.consultations.factories import ConsultationFactory

    def paid(at, accepted_after=None, status=Consultation.Status.ENDED):
        accepted = at + datetime.timedelta(minutes=accepted_after) if accepted_after is not None else None
        return ConsultationFactory(status=status, paid_at=at, accepted_at=accepted)

    paid(utc(2025, 12, 31, 17, 0), accepted_after=10)  # 1 Jan 00:00 WIB -> January
    paid(utc(2026, 1, 31, 16, 59), accepted_after=30)  # 31 Jan 23:59 WIB -> January
    paid(utc(2026, 1, 31, 17, 30), accepted_after=5)  # 1 Feb 00:30 WIB -> February
    paid(utc(2026, 3, 10, 3, 0), status=Consultation.Status.CANCELLED)  # paid, never accepted
    paid(utc(2026, 3, 31, 17, 0), accepted_after=1)  # 1 Apr WIB -> outside the range
    ConsultationFactory(status=Consultation.Status.AWAITING_PAYMENT)  # never paid

    consultations = stats.consultations_per_month(q1_2026)
    assert consultations.primary.values == [2, 1, 1]
    assert consultations.summary == 4

    response = stats.vet_response_minutes(q1_2026)
    assert response.primary.values == [20.0, 5.0, None]  # median of 10 and 30; nobody accepted in March
    assert response.summary == 10.0  # the median of all three, not a median of medians


def test_revenue_is_the_platforms_commission_next_to_gmv_and_refunds(q1_2026, make_payment, owner):
    from earnings.services import record_payment
    from payments.models import Refund

    vet = base.VetFactory()

    def settle(payment):
        record_payment(
            payment=payment, partner=vet, partner_name="drh. X", kind="consultation", description="K"
        )

    settle(make_payment(owner, 150_000, utc(2026, 1, 31, 17, 30)))  # February WIB
    settle(make_payment(owner, 75_000, utc(2026, 1, 5, 2, 0)))
    make_payment(owner, 99_000, None, status="pending")  # never paid: neither GMV nor revenue
    refunded = make_payment(owner, 50_000, utc(2026, 2, 20, 2, 0), status="refunded")
    refund = Refund.objects.create(payment=refunded, amount=50_000, reason="Dokter tidak merespons")
    Refund.objects.filter(pk=refund.pk).update(created_at=utc(2026, 3, 2, 1, 0))
    settle(refunded)

    revenue = stats.revenue_per_month(q1_2026)
    platform, gross, refunded_series = revenue.series
    assert gross.values == [75_000, 200_000, 0]  # GMV: every rupiah paid, by the month it was paid
    assert refunded_series.values == [0, 0, 50_000]
    # 20 % of what was paid is the platform's; a refund gives its commission back in its own month.
    assert platform.values == [15_000, 40_000, -10_000]
    assert revenue.summary == 45_000
    by_kind = {s.key: s for s in stats.all_statistics(q1_2026)}
    assert by_kind["revenue_consultation"].primary.values == [15_000, 40_000, -10_000]
    assert by_kind["revenue_grooming"].primary.values == [0, 0, 0]


def _adoption(pet_listed, adopted, reports=()):
    from adoption.models import Application, FollowUpReport
    from tests.adoption.factories import ApplicationFactory, PetFactory

    pet = PetFactory(created_at=pet_listed, status="adopted", photos=False)
    application = ApplicationFactory(pet=pet, status=Application.Status.ADOPTED, adopted_at=adopted)
    for day in reports:
        FollowUpReport.objects.create(
            application=application,
            report_date=day,
            photo=base.image_file("r.jpg"),
            caption="Sehat",
            condition="healthy",
        )
    return application


def test_adoptions_listing_time_and_report_compliance(q1_2026):
    from tests.adoption.factories import ApplicationFactory

    _adoption(wib(2026, 1, 1), wib(2026, 1, 11), reports=[datetime.date(2026, 2, 9)])  # 10 days
    _adoption(wib(2026, 1, 5), wib(2026, 2, 4), reports=[datetime.date(2026, 3, 20)])  # 30 days
    _adoption(wib(2026, 1, 5), utc(2026, 3, 31, 18, 0))  # 1 April WIB: outside
    ApplicationFactory(status="approved")  # not completed

    adoptions = stats.adoptions_per_month(q1_2026)
    assert adoptions.primary.values == [1, 1, 0]
    assert adoptions.summary == 2

    listing = stats.listing_to_adoption_days(q1_2026)
    assert listing.primary.values == [10.0, 30.0, None]
    assert listing.summary == 20.0

    compliance = stats.report_compliance(q1_2026)
    # Jan: nothing due yet. Feb 28: first adoption owes 1 (received). Mar 31: first owes 2 (has 1),
    # second owes 1 (has 1) -> 2 of 3.
    assert compliance.primary.values == [None, 100.0, 66.7]
    assert compliance.summary == 66.7


def test_bookings_count_confirmed_appointments_by_jakarta_month(q1_2026):
    from grooming.models import Booking
    from tests.grooming.factories import BookingFactory, ServiceFactory

    service = ServiceFactory()
    BookingFactory(service=service, status=Booking.Status.COMPLETED, starts_at=wib(2026, 1, 15, 10))
    BookingFactory(service=service, status=Booking.Status.REQUESTED, starts_at=wib(2026, 1, 16, 10))
    BookingFactory(service=service, status=Booking.Status.CANCELLED, starts_at=wib(2026, 2, 3, 10))
    BookingFactory(
        service=service, status=Booking.Status.CONFIRMED, starts_at=utc(2026, 2, 28, 17, 30)
    )  # 1 Mar WIB
    BookingFactory(service=service, status=Booking.Status.NO_SHOW, starts_at=wib(2026, 3, 5, 10))

    bookings = stats.bookings_per_month(q1_2026)
    assert bookings.primary.values == [1, 0, 2]
    assert bookings.summary == 3


def test_empty_months_are_zero_for_counts_and_none_for_medians(q1_2026):
    assert stats.consultations_per_month(q1_2026).primary.values == [0, 0, 0]
    assert stats.vet_response_minutes(q1_2026).primary.values == [None, None, None]


def test_chart_is_escaped_svg_with_one_bar_per_measured_month(q1_2026):
    stat = stats.Stat(
        key="x", title="<b>T</b>", unit="rupiah", months=q1_2026.months,
        series=[stats.Series("Net", [150_000, None, -5])],
    )  # fmt: skip
    svg = bar_chart(stat)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert svg.count('class="bar"') == 2  # None draws nothing; a negative sits at zero
    assert "Rp 150.000" in svg


def test_value_formatting_and_axis():
    with translation.override("id"):
        assert format_value(1_500_000, "rupiah") == "Rp 1.500.000"
        assert format_value(None, "count") == "–"
        assert format_value(12.5, "days") == "12,5"
        assert format_value(66.7, "percent") == "66,7 %"
        assert format_value(1234, "count") == "1.234"
    with translation.override("en"):
        assert format_value(12.5, "days") == "12.5"
        assert format_value(1234, "count") == "1,234"
    assert nice_max(0) == 1 and nice_max(7) == 10 and nice_max(180_000) == 200_000 and nice_max(230) == 250
