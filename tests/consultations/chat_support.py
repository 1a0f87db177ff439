"""Helpers shared by the chat tests: consultations in a given state, session cookies, socket helpers."""

import asyncio
import json
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
    await drain(socket)
    return socket


async def drain(socket, timeout: float = 0.2) -> list[dict]:
    """Every event already sent or arriving within `timeout` (receive_nothing does not cancel the app,
    unlike a timed-out receive)."""
    events = []
    while not await socket.receive_nothing(timeout):
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
