import csv
import datetime
import io
import re

import pytest
from django.utils import timezone

from accounts.models import VerificationStatus
from adminsite import stats
from tests import factories as base
from tests.adminsite.conftest import utc, wib

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/stats/"


@pytest.mark.parametrize("persona", [None, "owner", "vet", "unverified_member"])
def test_dashboard_is_staff_only(request, persona, client_for):
    user = request.getfixturevalue(persona) if persona else None
    for url in (DASHBOARD, DASHBOARD + "export.csv"):
        response = client_for(user).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_dashboard_shows_every_statistic_with_numbers(staff, client_for):
    response = client_for(staff).get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    keys = ["consultations", "revenue", "revenue_consultation", "revenue_grooming", "revenue_adoption"]
    keys += ["adoptions", "listing_to_adoption", "report_compliance", "vet_response", "bookings"]
    for key in keys:
        assert f'id="stat-{key}"' in html
    assert html.count('<svg class="chart"') == 10
    assert 'id="top-partners"' in html
    assert "<script" not in html.split('id="content-main"')[1]  # the charts need no JavaScript


@pytest.mark.parametrize(
    "query",
    ["start=2026-13&end=2026-12", "start=garbage", "start=2026-05&end=2026-01", "start=2001-01&end=2026-01"],
)
def test_bad_period_is_a_400_with_the_input_kept(staff, client_for, query):
    response = client_for(staff).get(f"{DASHBOARD}?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "errorlist" in html
    value = query.split("&")[0].split("=")[1]
    assert f'value="{value}"' in html
    assert client_for(staff).get(f"{DASHBOARD}export.csv?{query}").status_code == 400


def test_only_start_or_only_end(staff, client_for):
    assert client_for(staff).get(f"{DASHBOARD}?start=2026-01").status_code == 200
    assert client_for(staff).get(f"{DASHBOARD}?end=2026-03").status_code == 200


def test_csv_export_matches_the_statistics(staff, client_for, make_payment, owner):
    from tests.consultations.factories import ConsultationFactory

    ConsultationFactory(
        status="ended", paid_at=utc(2026, 1, 31, 17, 30), accepted_at=utc(2026, 1, 31, 17, 40)
    )
    make_payment(owner, 150_000, utc(2026, 1, 31, 17, 30))
    response = client_for(staff).get(f"{DASHBOARD}export.csv?start=2026-01&end=2026-03")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="hellopet-stats-2026-01-2026-03.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, data = rows[0], rows[1:]
    assert [r[0] for r in data] == ["2026-01", "2026-02", "2026-03"]
    consultations = [r[1] for r in data]
    assert consultations == ["0", "1", "0"]  # paid 00:30 WIB on 1 February
    gmv = header.index(next(h for h in header if h.endswith(": GMV")))
    assert [r[gmv] for r in data] == ["0", "150000", "0"]
    vet = [i for i, h in enumerate(header) if "response" in h.lower() or "respons" in h.lower()][0]
    assert data[1][vet] == "10.0"


def test_what_it_must_show(staff, client_for, make_payment, django_capture_on_commit_callbacks):
    """A staff member sees the queues, verifies a vet and a listing, and reads this month's
    consultations and revenue as a chart and as numbers that match the database."""
    from adoption.models import Pet
    from consultations.models import Consultation
    from payments.models import Payment
    from tests.adoption.factories import PetFactory
    from tests.consultations.factories import ConsultationFactory

    base.IdentityVerificationFactory()  # a KTP waiting
    licence = base.VetLicenceFactory()
    pet = PetFactory(status=Pet.Status.PENDING_REVIEW, photos=False)
    client = client_for(staff)

    html = client.get("/admin/").content.decode()
    counts = re.findall(r"data-queue-count>(\d+)<", html)
    assert counts == ["1", "1", "1"]
    assert "/admin/stats/" in html

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/accounts/vetlicence/", {"action": "approve_selected", "_selected_action": [licence.pk]}
        )
        client.post("/admin/adoption/pet/", {"action": "approve_selected", "_selected_action": [pet.pk]})
    licence.refresh_from_db()
    pet.refresh_from_db()
    assert licence.status == VerificationStatus.APPROVED
    assert pet.status == Pet.Status.AVAILABLE
    assert licence.user.notifications.exists() and pet.lister.notifications.exists()
    html = client.get("/admin/").content.decode()
    assert re.findall(r"data-queue-count>(\d+)<", html) == ["1", "0", "0"]

    # This month's business, in WIB.
    now = timezone.now()
    for seconds in (5, 10):
        consultation = ConsultationFactory(
            status=Consultation.Status.ENDED, paid_at=now - datetime.timedelta(seconds=seconds)
        )
        make_payment(consultation.owner, 75_000, consultation.paid_at)
    html = client.get(DASHBOARD).content.decode()
    month_start = wib(*timezone.localtime(now, stats.JAKARTA).timetuple()[:2], 1)
    paid_this_month = Consultation.objects.filter(paid_at__gte=month_start).count()
    revenue_this_month = sum(
        Payment.objects.filter(paid_at__gte=month_start, status="paid").values_list("amount", flat=True)
    )
    consultations = html.split('id="stat-consultations"')[1].split("</section>")[0]
    revenue = html.split('id="stat-revenue"')[1].split("</section>")[0]
    assert "<svg" in consultations and "<svg" in revenue
    # The last table row is this month.
    assert re.findall(r'data-value="(\d*)"', consultations)[-1] == str(paid_this_month) == "2"
    # The last row: platform revenue (no partner ledger in this test), GMV, refunded.
    assert re.findall(r'data-value="(-?\d*)"', revenue)[-2] == str(revenue_this_month) == "150000"


def test_admin_index_query_count_is_small(staff, client_for, django_assert_max_num_queries):
    client = client_for(staff)
    base.IdentityVerificationFactory.create_batch(3)
    with django_assert_max_num_queries(12):
        client.get("/admin/")
