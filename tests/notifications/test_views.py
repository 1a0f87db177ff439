import pytest
from django.utils import timezone

from notifications.models import Notification

pytestmark = pytest.mark.django_db


def make(user, n=1, **kwargs):
    return [
        Notification.objects.create(
            recipient=user, kind="test.event", title=f"Event {i}", url="/adoption/", **kwargs
        )
        for i in range(n)
    ]


def test_anonymous_is_sent_to_login(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.post("/notifications/read-all/").status_code == 302


@pytest.mark.parametrize("persona", ["owner", "vet", "staff", "unverified_member"])
def test_every_member_sees_only_their_own(request, persona, other_member, client_for):
    user = request.getfixturevalue(persona)
    make(user, 1)
    Notification.objects.create(recipient=other_member, kind="test.event", title="Not yours")
    response = client_for(user).get("/notifications/")
    assert response.status_code == 200
    assert "Event 0" in response.content.decode()
    assert "Not yours" not in response.content.decode()


def test_list_runs_constant_queries(
    owner, client_for, django_assert_num_queries, django_assert_max_num_queries
):
    client = client_for(owner)
    make(owner, 2)
    client.get("/notifications/")  # warm the session / content types
    with django_assert_max_num_queries(3) as two:  # 2 with sessions in Redis
        client.get("/notifications/")
    make(owner, 8)
    with django_assert_num_queries(len(two.captured_queries)):
        response = client.get("/notifications/")
    assert response.content.decode().count("notif-item") == 10


def test_pagination_keeps_the_filter(owner, client_for):
    make(owner, 25)
    response = client_for(owner).get("/notifications/?show=unread")
    html = response.content.decode()
    assert "show=unread&amp;page=2" in html or "page=2&amp;show=unread" in html
    assert client_for(owner).get("/notifications/?page=999").status_code == 200


def test_mark_one_read_and_open(owner, client_for):
    [n] = make(owner, 1)
    client = client_for(owner)
    response = client.post(f"/notifications/{n.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/adoption/"
    n.refresh_from_db()
    first_read = n.read_at
    assert first_read is not None
    client.post(f"/notifications/{n.pk}/read/")
    n.refresh_from_db()
    assert n.read_at == first_read  # reading again keeps the first read time


def test_open_never_redirects_off_site(owner, client_for):
    n = Notification.objects.create(recipient=owner, kind="x", title="t", url="https://evil.example/")
    response = client_for(owner).post(f"/notifications/{n.pk}/read/", {"open": "1"})
    assert response["Location"] == "/notifications/"


def test_someone_elses_notification_is_404(owner, other_member, staff, client_for):
    [n] = make(other_member, 1)
    assert client_for(owner).post(f"/notifications/{n.pk}/read/").status_code == 404
    assert client_for(staff).post(f"/notifications/{n.pk}/read/").status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_read_needs_post(owner, client_for):
    [n] = make(owner, 1)
    assert client_for(owner).get(f"/notifications/{n.pk}/read/").status_code == 405
    assert client_for(owner).get("/notifications/read-all/").status_code == 405


def test_mark_all_read_touches_only_mine(owner, other_member, client_for):
    make(owner, 3)
    make(owner, 1, read_at=timezone.now())
    make(other_member, 2)
    response = client_for(owner).post("/notifications/read-all/", follow=True)
    assert response.status_code == 200
    assert not Notification.objects.filter(recipient=owner, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other_member, read_at__isnull=True).count() == 2


def test_unread_badge_counts_unread(owner, client_for):
    make(owner, 3)
    html = client_for(owner).get("/notifications/").content.decode()
    assert "data-unread-badge" in html
    assert ">3</span>" in html


def test_admin_lists_filters_and_marks_notifications(staff, owner, client_for):
    [n] = make(owner, 1)
    client = client_for(staff)
    assert client.get("/admin/notifications/notification/?read=no&q=Event").status_code == 200
    client.post("/admin/notifications/notification/", {"action": "mark_read", "_selected_action": [n.pk]})
    n.refresh_from_db()
    assert n.read_at is not None
    client.post("/admin/notifications/notification/", {"action": "mark_unread", "_selected_action": [n.pk]})
    n.refresh_from_db()
    assert n.read_at is None
    assert client.get("/admin/notifications/notification/add/").status_code == 403
