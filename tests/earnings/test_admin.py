"""Staff in admin: commission rules (history kept, never backdated) and payouts (once a month, never
above what is owed). The admin statistics against a hand count of the demo data and its CSV."""

import csv
import datetime
import io
import re

import pytest
from django.core.management import call_command

from earnings.models import CommissionRule, LedgerLine, Partner, Payout
from earnings.services import balance_owed, today
from tests.earnings.conftest import paid_payment, wib

pytestmark = pytest.mark.django_db

RULES = "/admin/earnings/commissionrule/"


def test_staff_add_a_rule_from_tomorrow_but_never_backdate_one(client_for, staff):
    client = client_for(staff)
    form = {"kind": "consultation", "percent": "17.5", "note": "Promo"}
    response = client.post(f"{RULES}add/", {**form, "effective_from": today().isoformat()})
    assert response.status_code == 200 and not CommissionRule.objects.filter(note="Promo").exists()
    assert "besok" in response.content.decode() or "tomorrow" in response.content.decode()
    tomorrow = today() + datetime.timedelta(days=1)
    response = client.post(f"{RULES}add/", {**form, "effective_from": tomorrow.isoformat()})
    assert response.status_code == 302
    rule = CommissionRule.objects.get(note="Promo")
    assert rule.created_by == staff and rule.rate_bp == 1750
    # Not started yet: it can still be corrected.
    assert (
        client.post(
            f"{RULES}{rule.pk}/change/", {**form, "percent": "18", "effective_from": tomorrow.isoformat()}
        ).status_code
        == 302
    )
    rule.refresh_from_db()
    assert rule.percent == 18


def test_a_rule_in_force_is_read_only_and_kept(client_for, staff):
    client = client_for(staff)
    launch = CommissionRule.objects.get(kind="consultation")
    page = client.get(f"{RULES}{launch.pk}/change/")
    assert page.status_code == 200 and 'name="percent"' not in page.content.decode()  # view only
    response = client.post(
        f"{RULES}{launch.pk}/change/",
        {"kind": "consultation", "percent": "50", "effective_from": launch.effective_from.isoformat()},
    )
    assert response.status_code == 403
    assert client.post(f"{RULES}{launch.pk}/delete/", {"post": "yes"}).status_code == 403
    launch.refresh_from_db()
    assert launch.percent == 20


def test_staff_record_a_payout_which_reduces_the_balance(client_for, staff, owner, vet, record):
    last_month = (today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    record(
        paid_payment(owner, vet, 75_000, wib(last_month.year, last_month.month, 2, 10)), vet, "consultation"
    )
    partner = Partner.objects.get()
    assert balance_owed(partner) == 60_000
    client = client_for(staff)
    form = {
        "partner": partner.pk,
        "month": f"{last_month:%Y-%m}",
        "paid_on": today().isoformat(),
        "reference": "BCA 123",
    }
    too_much = client.post("/admin/earnings/payout/add/", {**form, "amount": "60001"})
    assert too_much.status_code == 200 and "Rp 60.000" in too_much.content.decode()
    this_month = client.post(
        "/admin/earnings/payout/add/", {**form, "amount": "1", "month": f"{today():%Y-%m}"}
    )
    assert this_month.status_code == 200 and not Payout.objects.exists()
    assert client.post("/admin/earnings/payout/add/", {**form, "amount": "60000"}).status_code == 302
    payout = Payout.objects.get()
    assert (payout.month, payout.amount, payout.reference, payout.created_by) == (
        last_month,
        60_000,
        "BCA 123",
        staff,
    )
    assert balance_owed(partner) == 0
    again = client.post("/admin/earnings/payout/add/", {**form, "amount": "1"})
    assert again.status_code == 200 and Payout.objects.count() == 1
    assert client.post(f"/admin/earnings/payout/{payout.pk}/delete/", {"post": "yes"}).status_code == 403
    listing = client.get("/admin/earnings/partner/").content.decode()
    assert "Rp 60.000" in listing  # earned and paid out side by side


def test_the_ledger_admin_pages_load_in_constant_queries(client_for, staff, owner, vet, record):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(staff)

    def count(n):
        for i in range(n):
            record(paid_payment(owner, vet, 1_000 + i, wib(2026, 2, 1 + i, 10)), vet, "consultation")
        result = []
        for url in ("/admin/earnings/ledgerline/", "/admin/earnings/partner/"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    client.get("/admin/earnings/partner/")  # who asks and the unread badge are then remembered (cache)
    assert count(2) == count(8)


def _dashboard_numbers(html: str, key: str) -> list[int]:
    section = html.split(f'id="stat-{key}"')[1].split("</section>")[0]
    return [int(v) for v in re.findall(r'data-value="(-?\d+)"', section)]


def test_monthly_platform_revenue_equals_a_hand_count_of_the_demo_data_and_the_csv(client_for, settings):
    """The demo: drh. Ayu's consultation of Rp 75.000 (20 % -> 15.000), three Rp 50.000 grooming
    deposits at Pawfect (15 % -> 7.500 each), Rp 20.000 of one refunded (7.500 x 20/50 = 3.000 back)."""
    from grooming.demo import DEMO_DEPOSIT, DEMO_REFUND
    from payments.models import Payment

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent: nothing twice
    hand_revenue = 75_000 * 20 // 100 + 3 * (DEMO_DEPOSIT * 15 // 100) - 7_500 * DEMO_REFUND // DEMO_DEPOSIT
    assert hand_revenue == 34_500
    hand_gmv = 75_000 + 3 * DEMO_DEPOSIT
    assert LedgerLine.objects.count() == 5

    # Month by month: the hand count of every demo payment by its own (Jakarta) month.
    from earnings.services import month_of

    expected_by_month = {}
    for payment in Payment.objects.filter(paid_at__isnull=False):
        rate = 20 if payment.purpose == "consultation" else 15
        month = month_of(payment.paid_at)
        expected_by_month[month] = expected_by_month.get(month, 0) + payment.amount * rate // 100
        for refund in payment.refunds.all():
            back = (payment.amount * rate // 100) * refund.amount // payment.amount
            expected_by_month[month_of(refund.created_at)] = (
                expected_by_month.get(month_of(refund.created_at), 0) - back
            )

    from adminsite.stats import MonthRange

    period = MonthRange.last_twelve()
    from accounts.models import User

    client = client_for(User.objects.get(email="admin@hellopet.local"))
    html = client.get("/admin/stats/").content.decode()
    values = _dashboard_numbers(html, "revenue")  # per month: platform revenue, GMV, refunded
    revenue_by_month = dict(zip(period.months, values[0::3], strict=True))
    gmv_by_month = dict(zip(period.months, values[1::3], strict=True))
    assert {m: v for m, v in revenue_by_month.items() if v} == {
        m: v for m, v in expected_by_month.items() if v
    }
    assert sum(revenue_by_month.values()) == hand_revenue
    assert sum(gmv_by_month.values()) == hand_gmv
    summary = html.split('id="stat-revenue"')[1].split("</section>")[0]
    assert f'data-summary="{hand_revenue}"' in summary
    assert sum(_dashboard_numbers(html, "revenue_grooming")[0::3]) == 3 * 7_500 - 3_000
    assert "Pawfect Grooming Bandung" in html.split('id="top-partners"')[1]

    response = client.get(f"/admin/stats/export.csv?start={period.first:%Y-%m}&end={period.last:%Y-%m}")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    column = header.index(
        next(h for h in header if h.endswith(": Platform revenue") or h.endswith(": Pendapatan platform"))
    )
    csv_by_month = {row[0]: int(row[column]) for row in rows[1:]}
    assert csv_by_month == {f"{m:%Y-%m}": v for m, v in revenue_by_month.items()}
    assert sum(csv_by_month.values()) == hand_revenue

    # The salon manager's CSV statement for the same months adds up to the same commission.
    manager = User.objects.get(email="salon@hellopet.local")
    salon_partner = Partner.objects.get(name="Pawfect Grooming Bandung")
    statement_commission = 0
    for month in {line.month for line in LedgerLine.objects.filter(partner=salon_partner)}:
        csv_rows = list(csv.reader(io.StringIO(
            client_for(manager).get(f"/earnings/statements/{salon_partner.pk}/{month:%Y-%m}.csv").content.decode()
        )))  # fmt: skip
        statement_commission += int(csv_rows[-1][6])
    assert statement_commission == 3 * 7_500 - 3_000
