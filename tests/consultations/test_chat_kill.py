"""A chat server process killed with SIGKILL mid-load loses nothing it acknowledged.

The production shape: uvicorn on PostgreSQL (pooled) + Redis. Sockets send as fast as the per-socket
allowance lets them; the server is killed while batches are in flight. Every `message` echo a sender got
(its acknowledgement, sent after COMMIT) must be stored exactly once, the numbering must have no gap,
and resending everything after a restart (same client_ids) stores each message once.
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from websockets.asyncio.client import connect

from consultations.models import Message
from tests import factories
from tests.conftest import ROOT, _free_port
from tests.consultations.chat_support import make_consultation, server_env, session_cookie

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def start_uvicorn(port: int, env: dict, log_path):
    log = open(log_path, "wb")  # noqa: SIM115 (closed by the caller)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "hellopet.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    import socket

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, log
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    proc.kill()
    log.close()
    raise RuntimeError(f"uvicorn did not start; see {log_path}")


async def _flood(port, rooms, acked: set, sent: list, stop: asyncio.Event):
    async def one(consultation, cookie):
        try:
            async with connect(
                f"ws://127.0.0.1:{port}/ws/consultations/{consultation.pk}/",
                origin=f"http://127.0.0.1:{port}",
                additional_headers={"Cookie": cookie},
                open_timeout=10,
            ) as ws:

                async def reader():
                    async for raw in ws:
                        event = json.loads(raw)
                        if event["type"] == "message":
                            acked.add(event["client_id"])

                task = asyncio.create_task(reader())
                for n in range(20):  # the per-socket allowance, as fast as it goes
                    if stop.is_set():
                        break
                    client_id = str(uuid.uuid4())
                    sent.append((consultation, client_id, f"pesan {n}"))
                    await ws.send(
                        json.dumps({"type": "message.send", "client_id": client_id, "body": f"pesan {n}"})
                    )
                    await asyncio.sleep(0.02)
                await asyncio.wait_for(task, 10)
        except Exception:
            pass  # the server was killed under us: expected

    await asyncio.gather(*(one(c, cookie) for c, cookie in rooms))


def test_sigkill_mid_load_loses_nothing_acknowledged(settings, tmp_path, owner, vet, other_member):
    env = server_env(settings, REDIS_URL=settings.REDIS_URL, DATABASE_POOL="true")
    owners = [owner, other_member, factories.UserFactory(), factories.UserFactory()]
    consultations = [make_consultation(member, vet) for member in owners]
    rooms = [(c, session_cookie(c.owner)) for c in consultations]
    port = _free_port()
    proc, log = start_uvicorn(port, env, tmp_path / "server.log")
    acked, sent = set(), []
    try:

        async def scenario():
            stop = asyncio.Event()
            flood = asyncio.create_task(_flood(port, rooms, acked, sent, stop))
            deadline = time.monotonic() + 20
            while len(acked) < 15 and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            os.kill(proc.pid, signal.SIGKILL)  # mid-load: sends are queued and batches in flight
            stop.set()
            await flood

        asyncio.run(scenario())
    finally:
        proc.wait(timeout=10)
        log.close()
    assert len(acked) >= 15, "the load never got going"
    stored = {str(client_id) for client_id in Message.objects.values_list("client_id", flat=True)}
    assert acked <= stored, f"acknowledged but not stored: {acked - stored}"
    for consultation in consultations:
        seqs = list(
            Message.objects.filter(consultation=consultation).order_by("seq").values_list("seq", flat=True)
        )
        assert seqs == list(range(1, len(seqs) + 1))  # no gap, no duplicate, even across the kill

    # The clients resend everything not acknowledged (same client_ids) to a new process.
    port = _free_port()
    proc, log = start_uvicorn(port, env, tmp_path / "server2.log")
    try:

        async def resend():
            for consultation, cookie in rooms:
                mine = [(cid, body) for c, cid, body in sent if c.pk == consultation.pk]
                async with connect(
                    f"ws://127.0.0.1:{port}/ws/consultations/{consultation.pk}/",
                    origin=f"http://127.0.0.1:{port}",
                    additional_headers={"Cookie": cookie},
                    open_timeout=10,
                ) as ws:
                    for cid, body in mine:
                        await ws.send(json.dumps({"type": "message.send", "client_id": cid, "body": body}))
                        while True:
                            event = json.loads(await asyncio.wait_for(ws.recv(), 10))
                            if event.get("client_id") == cid:
                                assert event["type"] == "message", event
                                break

        asyncio.run(resend())
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        log.close()
    client_ids = [cid for _, cid, _ in sent]
    assert Message.objects.filter(client_id__in=client_ids).count() == len(set(client_ids))
    for consultation in consultations:
        seqs = list(
            Message.objects.filter(consultation=consultation).order_by("seq").values_list("seq", flat=True)
        )
        assert seqs == list(range(1, len(seqs) + 1))
