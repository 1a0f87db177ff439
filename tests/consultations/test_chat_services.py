"""consultations/chat/services.py: storing messages, paging, read markers, presence counters, event shape."""

import uuid

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile

from consultations.chat import presence
from consultations.chat import services as chat
from consultations.models import Consultation, Message, ReadState
from tests import factories
from tests.consultations.chat_support import make_consultation

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(owner, vet):
    return make_consultation(owner, vet)


def send(consultation, sender, body="Halo", client_id=None):
    return chat.message_send(
        consultation=consultation, sender=sender, client_id=client_id or uuid.uuid4(), body=body
    )


def test_message_send_stores_once_per_client_id(consultation, owner, django_assert_num_queries):
    client_id = uuid.uuid4()
    send(consultation, owner)  # the consultation's first message also creates its sequence counter
    # Inside a transaction: SAVEPOINT, the counter's UPDATE ... RETURNING (the seq), INSERT, RELEASE.
    with django_assert_num_queries(4):
        first, created = send(consultation, owner, client_id=client_id)
    assert created and first.seq == 2
    again, created_again = send(consultation, owner, "edited?", client_id=client_id)
    assert not created_again and again.pk == first.pk and again.body == "Halo"
    assert Message.objects.count() == 2


def test_same_client_id_from_the_other_participant_is_a_different_message(consultation, owner, vet):
    client_id = uuid.uuid4()
    send(consultation, owner, client_id=client_id)
    _, created = send(consultation, vet, client_id=client_id)
    assert created and Message.objects.count() == 2


def test_duplicate_photo_does_not_leave_an_orphan_file(consultation, owner):
    client_id = uuid.uuid4()

    def photo():
        return ContentFile(factories.image_bytes(), name="p.jpg")

    first, _ = chat.message_send(
        consultation=consultation, sender=owner, client_id=client_id, body="", attachment=photo()
    )
    storage = first.attachment.storage
    folder = f"consultations/{consultation.pk}/chat"
    assert len(storage.listdir(folder)[1]) == 1
    again, created = chat.message_send(
        consultation=consultation, sender=owner, client_id=client_id, body="", attachment=photo()
    )
    assert not created and again.pk == first.pk
    assert storage.listdir(folder)[1] == [first.attachment.name.rsplit("/", 1)[-1]]


def test_broadcast_happens_only_after_commit(
    consultation, owner, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(chat, "group_send_event", lambda cid, event, **kw: sent.append(event))
    with django_capture_on_commit_callbacks() as callbacks:
        message, _ = chat.message_send(
            consultation=consultation, sender=owner, client_id=uuid.uuid4(), body="x", broadcast=True
        )
        assert sent == []
    for callback in callbacks:
        callback()
    assert [e["id"] for e in sent] == [message.pk]


def test_messages_after_pages_in_id_order(consultation, owner, vet):
    ids = [send(consultation, owner if n % 2 else vet, f"m{n}")[0].pk for n in range(7)]
    assert [m.pk for m in chat.messages_after(consultation, ids[2], limit=3)] == ids[3:6]
    assert chat.messages_after(consultation, ids[-1]) == []


def test_sync_events_yields_pages_then_the_last_id(consultation, owner, monkeypatch):
    monkeypatch.setattr(chat, "SYNC_PAGE_SIZE", 2)
    ids = [send(consultation, owner, f"m{n}")[0].pk for n in range(5)]
    steps = list(chat.sync_events(consultation, ids[0]))
    pages = [[e["id"] for e in step[1]] for step in steps if step[0] == "page"]
    assert pages == [ids[1:3], ids[3:5]]
    assert steps[-1] == ("synced", ids[-1], 5)
    assert list(chat.sync_events(consultation, ids[-1] + 50)) == [("synced", ids[-1], 5)]
    by_seq = list(chat.sync_events(consultation, after_seq=3))
    assert [[e["seq"] for e in step[1]] for step in by_seq if step[0] == "page"] == [[4, 5]]


def test_sync_of_an_empty_room_reports_zero(consultation):
    assert list(chat.sync_events(consultation, 0)) == [("synced", 0, 0)]


def test_sync_does_not_leak_other_consultations(consultation, owner, vet, other_member):
    elsewhere = make_consultation(other_member, vet)
    send(elsewhere, other_member, "rahasia")
    mine, _ = send(consultation, owner, "punya saya")
    bodies = [e["body"] for step in chat.sync_events(consultation, 0) if step[0] == "page" for e in step[1]]
    assert bodies == ["punya saya"] and mine


def test_mark_read_moves_forward_only(consultation, vet):
    assert chat.mark_read(consultation=consultation, user=vet, up_to=5) == 5
    assert chat.mark_read(consultation=consultation, user=vet, up_to=9) == 9
    assert chat.mark_read(consultation=consultation, user=vet, up_to=7) is None
    assert chat.mark_read(consultation=consultation, user=vet, up_to=9) is None
    assert ReadState.objects.get(consultation=consultation, user=vet).last_read_id == 9
    assert chat.read_states(consultation) == {vet.pk: 9}


def test_message_event_shape(consultation, owner, vet):
    message, _ = send(consultation, vet, "Sejak kapan?")
    message = Message.objects.select_related("sender", "consultation").get(pk=message.pk)
    event = chat.message_to_event(message)
    assert event == {
        "type": "message",
        "id": message.pk,
        "seq": 1,
        "client_id": str(message.client_id),
        "sender": {"id": vet.pk, "name": vet.full_name, "role": "vet"},
        "body": "Sejak kapan?",
        "attachment": None,
        "created_at": event["created_at"],
    }
    assert event["created_at"].endswith("Z") and "T" in event["created_at"]


def test_owner_is_named_by_first_name_only(consultation, owner):
    assert chat.participant_info(consultation, owner) == {"id": owner.pk, "name": "Budi", "role": "owner"}


def test_non_participant_has_no_participant_info(consultation, other_member, staff):
    assert chat.participant_info(consultation, other_member) is None
    assert chat.participant_info(consultation, staff) is None


@pytest.mark.parametrize(
    "status,open_",
    [
        (Consultation.Status.AWAITING_PAYMENT, False),
        (Consultation.Status.WAITING, True),
        (Consultation.Status.ACTIVE, True),
        (Consultation.Status.ENDED, False),
        (Consultation.Status.CANCELLED, False),
        (Consultation.Status.EXPIRED, False),
    ],
)
def test_chat_is_open_only_while_waiting_or_active(status, open_):
    assert chat.chat_is_open(Consultation(status=status)) is open_


def test_presence_counts_connections_per_user():
    room, user = uuid.uuid4(), 42
    assert presence.online_user_ids(room, [user, 43]) == set()
    assert presence.presence_join(room, user) == 1
    assert presence.presence_join(room, user) == 2
    assert presence.online_user_ids(room, [user, 43]) == {user}
    assert presence.presence_leave(room, user) == 1
    assert presence.online_user_ids(room, [user]) == {user}
    assert presence.presence_leave(room, user) == 0
    assert presence.online_user_ids(room, [user]) == set()
    assert presence.presence_leave(room, user) == 0  # an extra leave never goes negative


def test_presence_refresh_recreates_an_expired_key():
    room, user = uuid.uuid4(), 7
    presence.presence_refresh(room, user)
    assert presence.online_user_ids(room, [user]) == {user}
    cache.delete(f"chat:presence:{room}:{user}")


def test_broadcast_consultation_event_payload(consultation, monkeypatch):
    sent = []
    monkeypatch.setattr(chat, "group_send_event", lambda cid, event, **kw: sent.append((cid, event)))
    consultation.status = Consultation.Status.ENDED
    chat.broadcast_consultation_event(consultation, "consultation.ended", summary="Istirahat")
    assert sent == [
        (
            consultation.pk,
            {
                "type": "consultation.ended",
                "consultation": str(consultation.pk),
                "status": "ended",
                "summary": "Istirahat",
            },
        )
    ]


def test_group_send_failure_is_logged_not_raised(consultation, monkeypatch, caplog):
    class Broken:
        async def group_send(self, *args):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(chat, "get_channel_layer", lambda: Broken())
    chat.broadcast_consultation_event(consultation, "consultation.accepted")
    assert "relay" in caplog.text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_message_send_in_autocommit_takes_its_seq_and_inserts(owner, vet, django_assert_num_queries):
    consultation = make_consultation(owner, vet)
    send(consultation, owner)  # creates the consultation's sequence counter
    with django_assert_num_queries(4, exact=False) as captured:
        second, created = send(consultation, owner)
    sqls = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("BEGIN", "COMMIT"))]
    assert created and second.seq == 2
    assert len(sqls) == 2  # one transaction: the counter's UPDATE ... RETURNING, then the INSERT
    assert sqls[0].startswith("UPDATE") and "RETURNING" in sqls[0] and sqls[1].startswith("INSERT")
    client_id = second.client_id
    with django_assert_num_queries(5, exact=False) as captured:
        _, created = send(consultation, owner, client_id=client_id)
    sqls = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("BEGIN", "ROLLBACK"))]
    assert not created and len(sqls) == 3  # UPDATE, the refused INSERT (its seq rolls back), one SELECT
    assert send(consultation, owner)[0].seq == 3  # no gap
