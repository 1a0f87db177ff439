import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments import services
from payments.models import Payment, PaymentAttempt, Refund

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/payments/payment/"


def settled(payment, payment_type="bank_transfer", n=1):
    PaymentAttempt.objects.create(
        payment=payment,
        order_id=f"HP-{payment.pk.hex[:20]}-{n}",
        amount=payment.amount,
        status="settlement",
        payment_type=payment_type,
        expires_at=payment.expires_at,
    )
    services.payment_set_status(payment=payment, status="paid")
    return payment


def test_changelist_is_for_staff_only(payment, client_for, owner, staff):
    assert client_for(owner).get(CHANGELIST).status_code == 302
    assert client_for(staff).get(CHANGELIST).status_code == 200


def test_changelist_query_count_does_not_grow_with_rows(make_payment, client_for, staff):
    client = client_for(staff)
    for _ in range(2):
        make_payment()
    client.get(CHANGELIST)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as two:
        assert client.get(CHANGELIST).status_code == 200
    for _ in range(8):
        make_payment()
    with CaptureQueriesContext(connection) as ten:
        response = client.get(CHANGELIST)
    assert response.context["cl"].result_count == 10
    assert len(ten) == len(two)


def test_search_by_order_id_and_email(make_payment, other_member, client_for, staff):
    mine = settled(make_payment())
    make_payment(payer=other_member)
    client = client_for(staff)
    order_id = mine.attempts.get().order_id
    assert client.get(CHANGELIST, {"q": order_id}).context["cl"].result_count == 1
    assert client.get(CHANGELIST, {"q": "citra@example.test"}).context["cl"].result_count == 1


def test_needs_attention_filter(make_payment, client_for, staff):
    flagged = make_payment()
    Payment.objects.filter(pk=flagged.pk).update(needs_attention="settled after expiry")
    make_payment()
    response = client_for(staff).get(CHANGELIST, {"attention": "yes"})
    assert response.context["cl"].result_count == 1


def test_change_page_shows_attempts_events_and_is_read_only(payment, client_for, staff):
    settled(payment)
    response = client_for(staff).get(f"/admin/payments/payment/{payment.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert payment.attempts.get().order_id in html
    assert 'name="amount"' not in html  # nothing editable
    assert client_for(staff).get("/admin/payments/payment/add/").status_code == 403


def test_refund_action_asks_for_a_reason_first(payment, client_for, staff):
    settled(payment)
    response = client_for(staff).post(
        CHANGELIST, {"action": "refund_selected", "_selected_action": [str(payment.pk)]}
    )
    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID


def test_refund_action_records_the_refund_and_tells_the_app(
    payment, client_for, staff, handler, django_capture_on_commit_callbacks
):
    settled(payment)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff).post(
            CHANGELIST,
            {
                "action": "refund_selected",
                "_selected_action": [str(payment.pk)],
                "reason": "Dokter sakit",
                "amount": "50000",
            },
        )
    assert response.status_code == 302
    refund = Refund.objects.get()
    assert refund.amount == 50_000 and refund.created_by == staff
    assert refund.state == Refund.State.AWAITING_MANUAL  # bank transfer
    assert handler.calls[-1] == ("partially_refunded", str(payment.pk), 50_000)


def test_partial_amount_for_several_payments_is_refused_with_the_form_kept(make_payment, client_for, staff):
    first, second = settled(make_payment()), settled(make_payment())
    response = client_for(staff).post(
        CHANGELIST,
        {
            "action": "refund_selected",
            "_selected_action": [str(first.pk), str(second.pk)],
            "reason": "x",
            "amount": "1000",
        },
    )
    assert response.status_code == 400
    assert "satu pembayaran dalam satu waktu" in response.content.decode()  # "one payment at a time"
    assert not Refund.objects.exists()


def test_mark_manual_refund_transferred(payment, client_for, staff):
    settled(payment)
    refund = services.payment_refund(payment=payment, reason="Salon tutup")
    url = "/admin/payments/refund/"
    client = client_for(staff)
    form = client.post(url, {"action": "mark_done", "_selected_action": [str(refund.pk)]})
    assert 'name="note"' in form.content.decode()
    client.post(url, {"action": "mark_done", "_selected_action": [str(refund.pk)], "note": "BCA ref 99"})
    refund.refresh_from_db()
    assert refund.state == Refund.State.DONE and refund.manual_note == "BCA ref 99"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/payments/refund/",
        "/admin/payments/paymentattempt/",
        "/admin/payments/paymentnotification/",
        "/admin/payments/simulatedtransaction/",
    ],
)
def test_other_admin_lists_load(url, payment, client_for, staff):
    settled(payment)
    assert client_for(staff).get(url).status_code == 200
