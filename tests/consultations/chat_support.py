"""Helpers shared by the chat tests: consultations in a given state, session cookies, socket helpers."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils import timezone

from consultations.models import Consultation, Specialty

ORIGIN = b"http://localhost"


def make_consultation(owner, vet, status=Consultation.Status.ACTIVE, **extra) -> Consultation:
    species, _ = Specialty.objects.get_or_create(slug="cat", defaults={"name": "Cat"})
    if status in (Consultation.Status.ACTIVE, Consultation.Status.ENDED):
        extra.setdefault("paid_at", timezone.now())
        extra.setdefault("accepted_at", timezone.now())
    return Consultation.objects.create(
        owner=owner,
        vet=vet,
        pet_name="Mochi",
        pet_species=species,
        pet_age="2 years",
        complaint="Not eating since yesterday.",
        status=status,
        fee=75_000,
        **extra,
    )


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def headers_for(user, origin: bytes = ORIGIN) -> list:
    headers = [(b"origin", origin)]
    if user is not None:
        headers.append((b"cookie", session_cookie(user).encode()))
    return headers


def ws_path(consultation) -> str:
    return f"/ws/consultations/{getattr(consultation, 'pk', consultation)}/"


def communicator(consultation, headers) -> WebsocketCommunicator:
    from hellopet.asgi import application

    return WebsocketCommunicator(application, ws_path(consultation), headers=headers)


async def open_socket(consultation, headers) -> WebsocketCommunicator:
    """A connected, accepted socket whose connect-time events (presence, read) were drained."""
    socket = communicator(consultation, headers)
    connected, _ = await socket.connect(timeout=5)
    assert connected
    await drain(socket, settle_only=True)
    return socket


async def drain(socket, timeout: float = 0.2, *, settle_only: bool = False) -> list[dict]:
    """Every event already sent or arriving within `timeout` (receive_nothing does not cancel the app,
    unlike a timed-out receive).

    `settle_only`: the events of work already under way on the event loop, with no thread hop or network
    wait left in it — what a connect sends after its accept (presence, read states, the room's notice,
    handed to this process's other sockets directly). A few turns of the loop see them all, so the
    quiet period is short instead of a wait for something that may still come from elsewhere."""
    quiet, interval = (0.02, 0.002) if settle_only else (timeout, 0.01)
    events = []
    while not await socket.receive_nothing(quiet, interval):
        events.append(await socket.receive_json_from())
    return events


async def receive_until(socket, kind: str, timeout: float = 3) -> dict:
    """The next event of type `kind`, skipping others (presence, typing) that may come first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        event = await socket.receive_json_from(timeout=max(0.05, deadline - loop.time()))
        if event["type"] == kind:
            return event


async def close_code(socket, timeout: float = 3) -> int:
    output = await socket.receive_output(timeout)
    assert output["type"] == "websocket.close", output
    return output.get("code")


def send_frame(body: str = "Halo dok", client_id: str | None = None) -> dict:
    return {"type": "message.send", "client_id": client_id or str(uuid.uuid4()), "body": body}


def dumps(data) -> str:
    return json.dumps(data)


@pytest.fixture
def consultation(owner, vet):
    return make_consultation(owner, vet)


@pytest.fixture
def owner_headers(owner):
    return headers_for(owner)


@pytest.fixture
def vet_headers(vet):
    return headers_for(vet)


async def amake(owner, vet, status=Consultation.Status.ACTIVE) -> Consultation:
    from asgiref.sync import sync_to_async

    return await sync_to_async(make_consultation)(owner, vet, status)


async def aheaders(user, origin: bytes = ORIGIN) -> list:
    from asgiref.sync import sync_to_async

    return await sync_to_async(headers_for)(user, origin)


# --- extra server processes (the Redis test and the reconnect browser test) ---------------------------
def server_env(settings, **extra) -> dict:
    """The environment of a daphne subprocess on the test database (as tests/conftest.py's
    live_asgi_server builds it)."""
    from tests.conftest import _database_url

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hellopet.settings_test",
        "DATABASE_URL": _database_url(),
        "HELLOPET_TESTING": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MEDIA_ROOT": settings.MEDIA_ROOT,
        "PRIVATE_MEDIA_ROOT": settings.PRIVATE_MEDIA_ROOT,
        **extra,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def start_server(port: int, env: dict, log_path):
    """Start daphne on `port` and wait until it listens; returns (process, log file)."""
    from tests.conftest import ROOT

    log = open(log_path, "wb")  # noqa: SIM115 (closed by stop_server)
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "hellopet.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, log
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    stop_server(proc, log)
    raise RuntimeError(f"daphne on port {port} did not start; see {log_path}")


def stop_server(proc, log) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
    log.close()
