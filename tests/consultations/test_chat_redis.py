"""Two daphne processes sharing Redis (channel layer + presence cache) and the test database: a message
sent through one server reaches a socket on the other. Runs in CI (REDIS_URL set); skips locally without."""

import asyncio
import json
import uuid

import pytest
from websockets.asyncio.client import connect

from tests.conftest import _free_port
from tests.consultations.chat_support import (
    make_consultation,
    server_env,
    session_cookie,
    start_server,
    stop_server,
)

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def two_servers(transactional_db, settings, tmp_path):
    env = server_env(settings, REDIS_URL=settings.REDIS_URL)
    servers = []
    try:
        for n in range(2):
            port = _free_port()
            servers.append((port, *start_server(port, env, tmp_path / f"server-{n}.log")))
        yield [port for port, _, _ in servers]
    finally:
        for _, proc, log in servers:
            stop_server(proc, log)


def _open(port, consultation, cookie):
    return connect(
        f"ws://127.0.0.1:{port}/ws/consultations/{consultation.pk}/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": cookie},
        open_timeout=10,
    )


async def _next(ws, kind, timeout=10):
    async with asyncio.timeout(timeout):
        while True:
            event = json.loads(await ws.recv())
            if event["type"] == kind:
                return event


def test_message_sent_through_one_server_reaches_a_socket_on_the_other(two_servers, owner, vet):
    port_a, port_b = two_servers
    consultation = make_consultation(owner, vet)
    owner_cookie, vet_cookie = session_cookie(owner), session_cookie(vet)

    async def scenario():
        async with _open(port_a, consultation, vet_cookie) as vet_ws:
            async with _open(port_b, consultation, owner_cookie) as owner_ws:
                # Presence crosses processes too (the cache and the group are in Redis).
                assert await _next(vet_ws, "presence") == {
                    "type": "presence",
                    "user_id": owner.pk,
                    "online": False,
                }
                assert await _next(vet_ws, "presence") == {
                    "type": "presence",
                    "user_id": owner.pk,
                    "online": True,
                }
                assert await _next(owner_ws, "presence") == {
                    "type": "presence",
                    "user_id": vet.pk,
                    "online": True,
                }

                frame = {"type": "message.send", "client_id": str(uuid.uuid4()), "body": "Lintas proses"}
                await owner_ws.send(json.dumps(frame))
                ack = await _next(owner_ws, "message")
                seen = await _next(vet_ws, "message")
                assert seen == ack and seen["body"] == "Lintas proses"

                await vet_ws.send(json.dumps({"type": "typing", "is_typing": True}))
                assert (await _next(owner_ws, "typing"))["user_id"] == vet.pk
                await vet_ws.send(json.dumps({"type": "read", "up_to": seen["id"]}))
                assert await _next(owner_ws, "read") == {
                    "type": "read",
                    "user_id": vet.pk,
                    "up_to": seen["id"],
                }

                # A reconnect on the other server catches up from the database.
                await owner_ws.send(json.dumps({"type": "sync", "after": 0}))
                assert (await _next(owner_ws, "message"))["id"] == seen["id"]
                assert (await _next(owner_ws, "synced"))["last_id"] == seen["id"]
            assert await _next(vet_ws, "presence") == {
                "type": "presence",
                "user_id": owner.pk,
                "online": False,
            }

    asyncio.run(scenario())
