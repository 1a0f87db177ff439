import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client

from hellopet.asgi import application
from notifications.models import Notification
from notifications.services import push_live, user_group
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


async def _connect(user=None):
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if user is not None:
        client = Client()
        await database_sync_to_async(client.force_login)(user)
        cookie = f"sessionid={client.cookies['sessionid'].value}"
        headers.append((b"cookie", cookie.encode()))
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_anonymous_is_closed_with_4401():
    communicator, connected, _code = await _connect()
    assert connected  # accepted so that the browser sees the code, then closed at once
    message = await communicator.receive_output(timeout=2)
    assert message == {"type": "websocket.close", "code": 4401}


async def test_member_receives_pushed_notification():
    user = await database_sync_to_async(factories.UserFactory)(city=None)
    communicator, connected, _code = await _connect(user)
    assert connected
    notification = await database_sync_to_async(Notification.objects.create)(
        recipient=user, kind="test.event", title="Your booking is confirmed", url="/grooming/bookings/"
    )
    await database_sync_to_async(push_live)(notification)
    message = await communicator.receive_json_from(timeout=2)
    assert message == {
        "type": "notification",
        "id": notification.pk,
        "kind": "test.event",
        "title": "Your booking is confirmed",
        "url": "/grooming/bookings/",
        "unread": 1,
    }
    await communicator.disconnect()


async def test_member_does_not_receive_other_peoples_notifications():
    alice = await database_sync_to_async(factories.UserFactory)(city=None)
    bob = await database_sync_to_async(factories.UserFactory)(city=None)
    communicator, connected, _code = await _connect(alice)
    assert connected
    await get_channel_layer().group_send(
        user_group(bob.pk), {"type": "notification.created", "id": 1, "title": "t", "url": "", "unread": 1}
    )
    assert await communicator.receive_nothing(timeout=0.3)
    # Garbage from the client is ignored, the socket stays open.
    await communicator.send_to(text_data="not json")
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()
