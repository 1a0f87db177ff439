"""The room page, photo messages over HTTP and the private attachment view: roles and bad input."""

import uuid

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from consultations.chat import services as chat
from consultations.models import Consultation, Message
from tests import factories
from tests.consultations.chat_support import make_consultation

Status = Consultation.Status


@pytest.fixture(autouse=True)
def _no_upload_limit(monkeypatch):
    # The upload limit counts in the cache, which outlives a test (Redis in CI); only the test about
    # the limit itself has it.
    from consultations.chat import views as views_chat

    monkeypatch.setattr(views_chat, "UPLOADS_PER_MINUTE", 10_000)


@pytest.fixture
def consultation(owner, vet):
    return make_consultation(owner, vet)


def room_url(consultation):
    return reverse("consultations:room", args=[consultation.pk])


def upload_url(consultation):
    return reverse("consultations:chat_photo_upload", args=[consultation.pk])


def post_photo(client, consultation, client_id=None, content=None, **extra):
    photo = ContentFile(
        content if content is not None else factories.image_bytes(size=(80, 60)), name="luka.jpg"
    )
    data = {"photo": photo, "client_id": str(client_id or uuid.uuid4()), **extra}
    return client.post(upload_url(consultation), data, HTTP_ACCEPT="application/json")


def photo_message(consultation, sender) -> Message:
    message, _ = chat.message_send(
        consultation=consultation,
        sender=sender,
        client_id=uuid.uuid4(),
        body="",
        attachment=ContentFile(factories.image_bytes(), name="x.jpg"),
        attachment_width=64,
        attachment_height=48,
    )
    return message


# --- room page ----------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("who,status", [("owner", 200), ("vet", 200), ("staff", 200), ("other_member", 404)])
def test_room_page_role_matrix(request, client_for, consultation, who, status):
    response = client_for(request.getfixturevalue(who)).get(room_url(consultation))
    assert response.status_code == status


@pytest.mark.django_db
def test_room_page_asks_anonymous_to_log_in(client, consultation):
    response = client.get(room_url(consultation))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_room_renders_stored_history_and_socket_config(client_for, consultation, owner, vet):
    chat.message_send(consultation=consultation, sender=owner, client_id=uuid.uuid4(), body="<b>Halo</b> dok")
    last, _ = chat.message_send(
        consultation=consultation, sender=vet, client_id=uuid.uuid4(), body="Ada yang bisa dibantu?"
    )
    chat.mark_read(consultation=consultation, user=vet, up_to=last.pk)
    html = client_for(owner).get(room_url(consultation)).content.decode()
    assert "&lt;b&gt;Halo&lt;/b&gt; dok" in html  # escaped, never markup
    assert "Ada yang bisa dibantu?" in html
    assert f'data-ws-path="/ws/consultations/{consultation.pk}/"' in html
    assert f'data-last-id="{last.pk}"' in html
    assert f'data-peer-read="{last.pk}"' in html
    assert f'data-peer-id="{vet.pk}"' in html
    assert 'data-open="1"' in html
    assert "js/chat.js" in html
    assert "<script>" not in html  # strict CSP: no inline script
    assert 'id="consultation-panel"' in html


@pytest.mark.django_db
def test_ended_room_shows_history_without_composer(client_for, owner, vet):
    consultation = make_consultation(owner, vet, Status.ENDED)
    Message.objects.create(
        consultation=consultation, sender=vet, client_id=uuid.uuid4(), body="Semoga cepat sembuh"
    )
    html = client_for(owner).get(room_url(consultation)).content.decode()
    assert "Semoga cepat sembuh" in html
    assert "data-compose" not in html and 'data-open=""' in html  # chat.js only scrolls and shows receipts


@pytest.mark.django_db
def test_staff_reads_without_composer(client_for, consultation, staff, owner):
    Message.objects.create(consultation=consultation, sender=owner, client_id=uuid.uuid4(), body="Tolong dok")
    html = client_for(staff).get(room_url(consultation)).content.decode()
    assert "Tolong dok" in html and "data-compose" not in html


@pytest.mark.django_db
def test_room_page_query_count_does_not_grow_with_messages(client_for, consultation, owner, vet):
    client = client_for(owner)
    client.get(room_url(consultation))  # warm caches (session, content types)

    def count(n):
        Message.objects.filter(consultation=consultation).delete()
        for i in range(n):
            Message.objects.create(
                consultation=consultation,
                sender=owner if i % 2 else vet,
                client_id=uuid.uuid4(),
                body=f"m{i}",
            )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(room_url(consultation)).status_code == 200
        return len(ctx.captured_queries)

    assert count(2) == count(10)


# --- photo upload -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_owner_sends_a_photo_message(client_for, consultation, owner, django_capture_on_commit_callbacks):
    client_id = uuid.uuid4()
    with django_capture_on_commit_callbacks() as callbacks:
        response = post_photo(client_for(owner), consultation, client_id, body="Lukanya di kaki")
    assert response.status_code == 201
    event = response.json()
    assert event["type"] == "message" and event["client_id"] == str(client_id)
    assert event["body"] == "Lukanya di kaki"
    assert event["sender"]["role"] == "owner"
    message = Message.objects.get(pk=event["id"])
    assert event["attachment"] == {
        "url": reverse("consultations:chat_attachment", args=[consultation.pk, message.pk]),
        "width": 80,
        "height": 60,
    }
    assert message.attachment.name.startswith(f"consultations/{consultation.pk}/chat/")
    # After commit: the room is told, and the vet (no socket in the room) gets one notification.
    assert len(callbacks) == 2
    from notifications.models import Notification

    assert Notification.objects.get(recipient=consultation.vet).kind == "consultations.chat_message"


@pytest.mark.django_db
def test_photo_upload_is_announced_to_the_room(
    client_for, consultation, owner, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(chat, "group_send_event", lambda cid, event, **kw: sent.append((cid, event)))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_photo(client_for(owner), consultation)
    assert sent == [(consultation.pk, response.json())]


@pytest.mark.django_db
def test_photo_resend_with_same_client_id_is_idempotent(client_for, consultation, vet):
    client = client_for(vet)
    client_id = uuid.uuid4()
    first = post_photo(client, consultation, client_id)
    again = post_photo(client, consultation, client_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Message.objects.filter(consultation=consultation).count() == 1


@pytest.mark.django_db
def test_photo_that_is_not_an_image_is_refused(client_for, consultation, owner):
    response = post_photo(client_for(owner), consultation, content=b"%PDF-1.4 not an image")
    assert response.status_code == 400
    assert response.json()["type"] == "error" and response.json()["code"] == "invalid"
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_photo_without_client_id_is_refused(client_for, consultation, owner):
    photo = ContentFile(factories.image_bytes(), name="a.jpg")
    response = client_for(owner).post(
        upload_url(consultation), {"photo": photo}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("who,status", [("other_member", 404), ("staff", 403)])
def test_photo_upload_refused_to_non_participants(request, client_for, consultation, who, status):
    response = post_photo(client_for(request.getfixturevalue(who)), consultation)
    assert response.status_code == status
    assert not Message.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("state", [Status.AWAITING_PAYMENT, Status.ENDED, Status.CANCELLED])
def test_photo_upload_refused_when_chat_is_closed(client_for, owner, vet, state):
    consultation = make_consultation(owner, vet, state)
    response = post_photo(client_for(owner), consultation)
    assert response.status_code == 409 and response.json()["code"] == "chat_closed"


@pytest.mark.django_db
def test_photo_upload_without_javascript_redirects_back_to_the_room(client_for, consultation, owner):
    photo = ContentFile(factories.image_bytes(), name="a.jpg")
    response = client_for(owner).post(
        upload_url(consultation), {"photo": photo, "client_id": str(uuid.uuid4())}
    )
    assert response.status_code == 302 and response["Location"] == room_url(consultation)
    assert Message.objects.filter(consultation=consultation).count() == 1


@pytest.mark.django_db
def test_photo_uploads_are_rate_limited(client_for, consultation, owner, monkeypatch):
    from django.core.cache import cache

    from consultations.chat import views as views_chat

    monkeypatch.setattr(views_chat, "UPLOADS_PER_MINUTE", 3)
    cache.delete(f"chat:uploads:{owner.pk}")
    client = client_for(owner)
    codes = [post_photo(client, consultation).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    assert post_photo(client, consultation).json()["code"] == "rate_limited"
    cache.delete(f"chat:uploads:{owner.pk}")


@pytest.mark.django_db
def test_photo_upload_needs_post(client_for, consultation, owner):
    assert client_for(owner).get(upload_url(consultation)).status_code == 405


# --- attachments ----------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("who,status", [("owner", 200), ("vet", 200), ("staff", 200), ("other_member", 404)])
def test_attachment_access_matrix(request, client_for, consultation, owner, who, status):
    message = photo_message(consultation, owner)
    response = client_for(request.getfixturevalue(who)).get(chat.attachment_url(message))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "image/jpeg"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


@pytest.mark.django_db
def test_attachment_asks_anonymous_to_log_in(client, consultation, owner):
    message = photo_message(consultation, owner)
    response = client.get(chat.attachment_url(message))
    assert response.status_code == 302


@pytest.mark.django_db
def test_attachment_of_another_consultation_or_text_message_is_404(
    client_for, consultation, owner, vet, other_member
):
    elsewhere = make_consultation(other_member, vet)
    foreign = photo_message(elsewhere, other_member)
    text, _ = chat.message_send(consultation=consultation, sender=owner, client_id=uuid.uuid4(), body="teks")
    client = client_for(owner)
    url = reverse("consultations:chat_attachment", args=[consultation.pk, foreign.pk])
    assert client.get(url).status_code == 404
    assert client.get(chat.attachment_url(text)).status_code == 404


@pytest.mark.django_db
def test_attachment_file_is_deleted_with_the_message(consultation, owner):
    message = photo_message(consultation, owner)
    storage, name = message.attachment.storage, message.attachment.name
    assert storage.exists(name)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        message.delete()
    assert not storage.exists(name)


@pytest.mark.django_db
def test_photo_upload_limit_holds_while_the_cache_is_down(
    client_for, consultation, owner, monkeypatch, settings, caplog
):
    """Issue 13.18: with Redis down the limit is counted from the database, with one logged warning.
    (The chat's presence and away e-mails are the chat consumer's own: issue 10.)"""
    from common import cache_guard
    from consultations.chat import views as views_chat

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    monkeypatch.setattr(chat, "notify_if_away", lambda **kwargs: None)
    monkeypatch.setattr(views_chat, "UPLOADS_PER_MINUTE", 3)
    monkeypatch.setattr(cache_guard, "_last_warned", {})
    client = client_for(owner)
    codes = [post_photo(client, consultation).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    # (Sessions, users and the unread badge fall back to the database too, each with its own warning.)
    warnings = [r for r in caplog.records if r.name == "hellopet.cache" and "photo" in r.getMessage()]
    assert len(warnings) == 1 and "counting the sender's photo messages" in warnings[0].getMessage()
