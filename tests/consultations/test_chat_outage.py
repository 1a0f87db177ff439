"""Redis down: chat sockets are refused with 1013 (try again later) and one log line, not a traceback
per socket; presence (the cache) failing alone degrades to "offline" with a warning."""

import logging

import pytest
import redis.exceptions

import hellopet.asgi  # noqa: F401  (its django.setup() re-applies LOGGING: before caplog, not during a test)
from consultations.chat import live as chat_live
from consultations.chat import presence
from tests.consultations.chat_support import (
    aheaders,
    amake,
    communicator,
    open_socket,
    receive_until,
    send_frame,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _fresh_layer():
    from asgiref.sync import SyncToAsync
    from channels.layers import channel_layers
    from django.db import connections

    channel_layers.backends.clear()
    chat_live.channel_layer_outage.down_since = None
    chat_live.cache_outage.down_since = None
    yield
    channel_layers.backends.clear()
    chat_live.channel_layer_outage.down_since = None
    chat_live.cache_outage.down_since = None
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()
    chat_live.close_writer_connection()


def _redis_down(*args, **kwargs):
    raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


async def test_sockets_are_refused_with_1013_and_one_log_line_while_redis_is_down(
    owner, vet, monkeypatch, caplog
):
    from channels.layers import get_channel_layer

    # The layer in use (in-memory locally, channels_redis' pub/sub layer in CI, which delegates its
    # methods per event loop: patched on the instance the consumers share) fails as channels_redis does.
    monkeypatch.setattr(get_channel_layer(), "group_add", _redis_down)
    monkeypatch.setattr(presence, "presence_join", _redis_down)
    consultation = await amake(owner, vet)
    codes = []
    with caplog.at_level(logging.INFO):
        for user in (owner, vet, owner):
            socket = communicator(consultation, await aheaders(user))
            connected, code = await socket.connect(timeout=5)
            assert connected  # accepted, then closed with a code the client can act on
            output = await socket.receive_output(3)
            codes.append(output.get("code"))
            await socket.disconnect()
    assert codes == [1013, 1013, 1013]
    layer_errors = [r.getMessage() for r in caplog.records if "channel layer" in r.getMessage()]
    assert len(layer_errors) == 1 and "closed with 1013" in layer_errors[0]  # one line for the event
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 2  # + the cache's one
    assert not any(r.exc_info for r in caplog.records)  # no traceback per socket


async def test_presence_cache_down_alone_keeps_the_chat_working(owner, vet, monkeypatch, caplog):
    monkeypatch.setattr(presence, "presence_join", _redis_down)
    consultation = await amake(owner, vet)
    with caplog.at_level(logging.INFO):
        owner_socket = await open_socket(consultation, await aheaders(owner))
        vet_socket = await open_socket(consultation, await aheaders(vet))
        await owner_socket.send_json_to(send_frame("Halo dok"))
        assert (await receive_until(vet_socket, "message"))["body"] == "Halo dok"
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert line.startswith("cache (Redis) unavailable") and "offline" in line
    await owner_socket.disconnect()
    await vet_socket.disconnect()


def test_a_photo_is_accepted_with_a_warning_while_the_cache_is_down(client, owner, vet, monkeypatch, caplog):
    from django.core.cache import cache

    from consultations.models import Message
    from tests import factories
    from tests.consultations.chat_support import make_consultation

    consultation = make_consultation(owner, vet)
    monkeypatch.setattr(cache, "add", _redis_down)
    monkeypatch.setattr("common.cache_guard._last_warned", {})  # the warning is rate-limited per process
    client.force_login(owner)
    with caplog.at_level(logging.WARNING):
        response = client.post(
            f"/consultations/{consultation.pk}/photos/",
            {"photo": factories.image_file(), "client_id": "6f1c1d64-6b8e-4a47-9d6a-3c1e0f0b9a11"},
            HTTP_ACCEPT="application/json",
        )
    assert response.status_code == 201
    assert Message.objects.filter(consultation=consultation).count() == 1
    # The limit still holds: counted from the stored photo messages (common/cache_guard.py).
    assert "cache unavailable for chat photo-upload limit" in caplog.text
