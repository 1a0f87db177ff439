"""A message to someone who is not in the chat room reaches them as a notification, once per window."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.core import mail
from django.core.cache import cache

from notifications.models import Notification
from tests.consultations.chat_support import aheaders, amake, drain, open_socket, receive_until, send_frame

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _fresh_state():
    from asgiref.sync import SyncToAsync
    from channels.layers import channel_layers
    from django.db import connections

    cache.clear()
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()


async def wait_for_notifications(user, count, timeout=3.0):
    for _ in range(int(timeout / 0.05)):
        if (
            await sync_to_async(
                Notification.objects.filter(recipient=user, kind="consultations.chat_message").count
            )()
            >= count
        ):
            return
        await asyncio.sleep(0.05)


async def test_vet_away_gets_one_notification_for_a_burst_of_messages(owner, vet):
    consultation = await amake(owner, vet)
    owner_socket = await open_socket(consultation, await aheaders(owner))
    for body in ("Halo dok", "Kucing saya muntah", "Sudah dua kali"):
        await owner_socket.send_json_to(send_frame(body))
        await receive_until(owner_socket, "message")
    await wait_for_notifications(vet, 1)
    await asyncio.sleep(0.3)  # a second notification would have arrived by now
    notifications = await sync_to_async(list)(Notification.objects.filter(recipient=vet))
    assert [n.kind for n in notifications] == ["consultations.chat_message"]
    assert notifications[0].url == f"/consultations/{consultation.pk}/"
    assert "Budi" in notifications[0].title
    [email] = mail.outbox
    assert email.to == [vet.email]
    assert "Kucing saya muntah" not in email.body  # the message itself stays in the chat (medical privacy)
    await owner_socket.disconnect()


async def test_nobody_is_notified_while_both_are_in_the_room(owner, vet):
    consultation = await amake(owner, vet)
    owner_socket = await open_socket(consultation, await aheaders(owner))
    vet_socket = await open_socket(consultation, await aheaders(vet))
    await drain(owner_socket)
    await owner_socket.send_json_to(send_frame("Halo dok"))
    await receive_until(vet_socket, "message")
    await vet_socket.send_json_to(send_frame("Halo, ada yang bisa dibantu?"))
    await receive_until(owner_socket, "message")
    await asyncio.sleep(0.3)
    assert await sync_to_async(Notification.objects.filter(kind="consultations.chat_message").count)() == 0
    assert mail.outbox == []
    await owner_socket.disconnect()
    await vet_socket.disconnect()


async def test_owner_who_left_hears_the_vets_reply(owner, vet):
    consultation = await amake(owner, vet)
    vet_socket = await open_socket(consultation, await aheaders(vet))
    await vet_socket.send_json_to(send_frame("Coba beri makan sedikit-sedikit"))
    await receive_until(vet_socket, "message")
    await wait_for_notifications(owner, 1)
    notification = await sync_to_async(Notification.objects.get)(recipient=owner)
    assert notification.kind == "consultations.chat_message"
    await vet_socket.disconnect()
