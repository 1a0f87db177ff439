"""/earnings/ and its statements: who sees what (404 otherwise), the figures, CSV, query counts."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from earnings.models import Partner
from earnings.services import payout_record
from tests import factories
from tests.earnings.conftest import paid_payment, refund_payment, wib

pytestmark = pytest.mark.django_db

LAST_MONTH = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def partner_of(subject) -> Partner:
    from django.contrib.contenttypes.models import ContentType

    return Partner.objects.get(
        content_type=ContentType.objects.get_for_model(subject), object_id=str(subject.pk)
    )


def at(day: datetime.date, hour=10):
    return wib(day.year, day.month, day.day, hour)


@pytest.fixture
def vet_earnings(owner, vet, record):
    """Last month: two consultations (75,000 and 60,000), one refunded in part (30,000 of 75,000)."""
    first = paid_payment(owner, vet, 75_000, at(LAST_MONTH))
    second = paid_payment(owner, vet, 60_000, at(LAST_MONTH + datetime.timedelta(days=3)))
    refund_payment(first, 30_000, at(LAST_MONTH + datetime.timedelta(days=5)))
    record(first, vet, "consultation")
    record(second, vet, "consultation")
    return partner_of(vet)


@pytest.fixture
def salon_setup(owner, record):
    from tests.grooming.factories import SalonFactory, SalonManagerFactory

    manager, salon, other_salon = SalonManagerFactory(), SalonFactory(), SalonFactory()
    salon.managers.add(manager)
    record(paid_payment(owner, salon, 50_000, at(LAST_MONTH)), salon, "grooming")
    record(paid_payment(owner, other_salon, 40_000, at(LAST_MONTH)), other_salon, "grooming")
    return manager, partner_of(salon), partner_of(other_salon)


def statement_url(partner, month=LAST_MONTH, csv=False):
    return f"/earnings/statements/{partner.pk}/{month:%Y-%m}" + (".csv" if csv else "/")


def test_a_vet_sees_the_months_lines_totals_and_balance(client_for, vet, vet_earnings):
    response = client_for(vet).get(f"/earnings/?month={LAST_MONTH:%Y-%m}")
    assert response.status_code == 200
    html = response.content.decode()
    # 135,000 paid, 30,000 refunded; commission 15,000 + 12,000 - 6,000; the vet the rest.
    assert 'data-total="gross">Rp 135.000' in html and 'data-total="refunds">Rp 30.000' in html
    assert 'data-total="commission">Rp 21.000' in html and 'data-total="net">Rp 84.000' in html
    assert 'data-balance="84000"' in html
    assert html.count('class="entry-settlement"') == 2 and html.count('class="entry-refund"') == 1
    assert statement_url(vet_earnings) in html and statement_url(vet_earnings, csv=True) in html


def test_a_payout_reduces_the_balance_and_shows_on_the_statement(client_for, vet, staff, vet_earnings):
    payout_record(
        partner=vet_earnings, month=LAST_MONTH, amount=84_000, paid_on=datetime.date.today(),
        reference="BCA-0001", by=staff,
    )  # fmt: skip
    client = client_for(vet)
    assert 'data-balance="0"' in client.get("/earnings/").content.decode()
    html = client.get(statement_url(vet_earnings)).content.decode()
    assert "BCA-0001" in html and "Rp 84.000" in html


def test_the_csv_statement_has_every_line_and_totals_that_add_up(client_for, vet, vet_earnings):
    response = client_for(vet).get(statement_url(vet_earnings, csv=True))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    body, total = rows[1:-1], rows[-1]
    assert [(r[5], r[6], r[7]) for r in body] == [
        ("75000", "15000", "60000"), ("60000", "12000", "48000"), ("-30000", "-6000", "-24000"),
    ]  # fmt: skip
    assert total[5:8] == ["105000", "21000", "84000"]
    assert int(total[5]) == int(total[6]) + int(total[7])


def test_a_salon_manager_sees_only_their_salons_earnings(client_for, salon_setup):
    manager, salon, other = salon_setup
    client = client_for(manager)
    html = client.get(f"/earnings/?month={LAST_MONTH:%Y-%m}").content.decode()
    assert salon.name in html and 'data-total="net">Rp 42.500' in html
    assert client.get(statement_url(salon)).status_code == 200
    assert client.get(statement_url(other)).status_code == 404
    assert client.get(statement_url(other, csv=True)).status_code == 404
    assert client.get(f"/earnings/?partner={other.pk}").status_code == 404


@pytest.mark.parametrize("who", ["other_vet", "member", "salon_manager_elsewhere"])
def test_others_get_404_for_a_vets_statement(client_for, vet_earnings, salon_setup, who):
    from tests.grooming.factories import SalonManagerFactory

    user = {
        "other_vet": factories.VetFactory,
        "member": factories.VerifiedMemberFactory,
        "salon_manager_elsewhere": SalonManagerFactory,
    }[who]()
    client = client_for(user)
    assert client.get(statement_url(vet_earnings)).status_code == 404
    assert client.get(statement_url(vet_earnings, csv=True)).status_code == 404
    assert client.get(f"/earnings/?partner={vet_earnings.pk}").status_code == 404


def test_a_member_who_is_no_partner_gets_404_and_anonymous_logs_in(client_for, owner, vet_earnings):
    assert client_for(owner).get("/earnings/").status_code == 404
    for url in ("/earnings/", statement_url(vet_earnings), statement_url(vet_earnings, csv=True)):
        response = client_for(None).get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_new_vet_sees_an_empty_page_and_staff_read_any_statement(client_for, staff, vet_earnings):
    newcomer = factories.VetFactory()
    html = client_for(newcomer).get("/earnings/").content.decode()
    assert 'data-balance="0"' in html
    assert client_for(staff).get(statement_url(vet_earnings)).status_code == 200


def test_a_lister_sees_adoption_fees(client_for, owner, other_member, record):
    record(paid_payment(owner, other_member, 200_000, at(LAST_MONTH)), other_member, "adoption")
    html = client_for(other_member).get(f"/earnings/?month={LAST_MONTH:%Y-%m}").content.decode()
    assert 'data-total="net">Rp 200.000' in html


def test_a_shelter_finds_its_earnings_in_the_menu_before_and_after_the_first_fee(client_for, owner, record):
    shelter = factories.VerifiedMemberFactory(is_shelter=True, organisation_name="Rumah Kucing Bandung")
    client = client_for(shelter)
    home = client.get("/").content.decode()
    assert 'href="/earnings/"' in home
    assert 'data-balance="0"' in client.get("/earnings/").content.decode()  # empty, not a 404
    assert 'href="/earnings/"' in client.get("/adoption/listings/").content.decode()
    record(paid_payment(owner, shelter, 150_000, at(LAST_MONTH)), shelter, "adoption")
    html = client.get(f"/earnings/?month={LAST_MONTH:%Y-%m}").content.decode()
    assert 'data-total="net">Rp 150.000' in html


def test_a_member_paid_an_adoption_fee_is_pointed_to_earnings_from_the_listings(client_for, owner, record):
    lister = factories.VerifiedMemberFactory()
    client = client_for(lister)
    assert 'href="/earnings/"' not in client.get("/adoption/listings/").content.decode()
    record(paid_payment(owner, lister, 200_000, at(LAST_MONTH)), lister, "adoption")
    assert 'href="/earnings/"' in client.get("/adoption/listings/").content.decode()
    assert 'href="/earnings/"' not in client.get("/").content.decode()  # the menu is for partners by role


def test_bad_input_is_a_clear_400_or_404(client_for, vet, vet_earnings):
    client = client_for(vet)
    response = client.get("/earnings/?month=2026-13")
    assert response.status_code == 400 and "YYYY-MM" in response.content.decode()
    assert client.get("/earnings/?partner=abc").status_code == 404
    assert client.get(f"/earnings/statements/{vet_earnings.pk}/2026-13/").status_code == 404


def test_the_earnings_page_runs_a_constant_number_of_queries(client_for, owner, vet, record):
    client = client_for(vet)

    def queries_with(n):
        for i in range(n):
            payment = paid_payment(owner, vet, 10_000 + i, at(LAST_MONTH, hour=8 + i % 10))
            record(payment, vet, "consultation")
            if i % 2:
                refund_payment(payment, 1_000, at(LAST_MONTH, hour=20))
                record(payment, vet, "consultation")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/earnings/?month={LAST_MONTH:%Y-%m}").status_code == 200
        return len(ctx.captured_queries)

    client.get("/earnings/")  # who asks and the unread badge are then remembered (cache)
    few = queries_with(2)
    many = queries_with(10)
    assert few == many
    partner = partner_of(vet)
    with CaptureQueriesContext(connection) as ctx:
        client.get(statement_url(partner))
    statement_queries = len(ctx.captured_queries)
    record(paid_payment(owner, vet, 5_000, at(LAST_MONTH)), vet, "consultation")
    with CaptureQueriesContext(connection) as ctx:
        client.get(statement_url(partner))
    assert len(ctx.captured_queries) == statement_queries


def test_the_partner_pricing_page_shows_the_rules_in_force(client, staff):
    from earnings.services import rule_create

    rule_create(
        kind="grooming", percent="12.5", effective_from=datetime.date.today() + datetime.timedelta(days=30)
    )
    html = client.get("/partners/").content.decode()
    assert 'data-percent="20.00"' in html and 'data-percent="15.00"' in html and 'data-percent="0.00"' in html
    assert "Rp 20.000" in html  # of Rp 100.000 at 20 %
    assert 'id="upcoming"' in html and "12,5 %" in html


def test_a_rule_change_never_rewrites_a_statement(client_for, owner, vet, record, vet_earnings):
    from earnings.models import CommissionRule
    from earnings.services import rule_create, today

    client = client_for(vet)
    before = client.get(statement_url(vet_earnings, csv=True)).content
    rule_create(kind="consultation", percent="50", effective_from=today() + datetime.timedelta(days=1))
    # Even a rule slipped in behind the admin's back, reaching into the past, changes nothing stored.
    CommissionRule.objects.create(kind="consultation", percent=90, effective_from=LAST_MONTH)
    for payment_id in {line.payment_id for line in vet_earnings.lines.all()}:
        from payments.models import Payment

        assert record(Payment.objects.get(pk=payment_id), vet, "consultation") == []  # re-delivered
    assert client.get(statement_url(vet_earnings, csv=True)).content == before
    later = today() + datetime.timedelta(days=2)
    (line,) = record(paid_payment(owner, vet, 10_000, at(later)), vet, "consultation")
    assert (line.commission, line.partner_net, line.rate_bp) == (5_000, 5_000, 5000)
