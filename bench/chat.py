"""Chat benchmark: messages through the real WebSocket consumer, server CPU per message, loss, latency.

Starts the ASGI app the way production serves `/ws/` (uvicorn, one worker) on a throw-away database,
opens one owner and one vet socket per consultation, and has every owner send at a fixed rate (kept
under the consumer's per-connection limit of 20 messages / 10 s). The vet side counts what arrives.
Afterwards the database is checked: every sent message must be stored exactly once.

    make bench                                  # pages, then this
    BENCH_PAIRS=100 BENCH_RATE=1.5 python bench/chat.py
    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/chat.py   # the production stack

Read `server CPU ms/msg` (process CPU time / messages) — it does not depend on how busy the machine
is; msg/s here is bounded by the offered load. The design's reference: the seed's Node.js + Socket.IO
stack used ~0.5-1.1 ms CPU per message; Channels + ORM 6-9 ms.
"""

import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import free_port, fresh_database_url  # noqa: E402

PY = sys.executable
PAIRS = int(os.environ.get("BENCH_PAIRS", "60"))
RATE = float(os.environ.get("BENCH_RATE", "1.5"))  # messages per second per owner
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def setup(env: dict) -> list[tuple[str, str, str]]:
    """Create PAIRS active consultations; return (consultation id, owner cookie, vet cookie)."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hellopet.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User
    from consultations.models import Consultation, Specialty

    def session_for(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"

    rows = []
    cats = Specialty.objects.get(slug="cats")
    for i in range(PAIRS):
        owner = User.objects.create_user(f"bench-owner-{i}@example.test", "x", full_name=f"Owner {i}")
        vet = User.objects.create_user(f"bench-vet-{i}@example.test", "x", full_name=f"Vet {i}", is_vet=True)
        consultation = Consultation.objects.create(
            owner=owner,
            vet=vet,
            pet_name="Mochi",
            pet_species=cats,
            complaint="bench",
            fee=50000,
            status=Consultation.Status.ACTIVE,
        )
        rows.append((str(consultation.pk), session_for(owner), session_for(vet)))
    return rows


async def run_load(port: int, rows, server_pid: int):
    import websockets

    latencies, received, errors = [], 0, []
    sent_ids: list[str] = []
    done = asyncio.Event()

    async def vet_side(ws):
        nonlocal received
        async for raw in ws:
            event = json.loads(raw)
            if event.get("type") == "message":
                received += 1
                latencies.append(time.perf_counter() - float(event["body"].split(":", 1)[0]))
            elif event.get("type") == "error":
                errors.append(event)
            if done.is_set():
                break

    async def owner_side(ws):
        interval = 1.0 / RATE
        # Each owner starts at its own offset within one interval and keeps that phase, so the load
        # is spread evenly (anchoring every schedule at one common start would send in bursts).
        await asyncio.sleep(interval * random.random())
        start = time.perf_counter()
        n = 0
        while time.perf_counter() - start < SECONDS:
            client_id = str(uuid.uuid4())
            sent_ids.append(client_id)
            await ws.send(
                json.dumps(
                    {
                        "type": "message.send",
                        "client_id": client_id,
                        "body": f"{time.perf_counter()}:halo dok",
                    }
                )
            )
            n += 1
            await asyncio.sleep(max(0.0, start + n * interval - time.perf_counter()))

    async def drain(ws):
        async for raw in ws:
            event = json.loads(raw)
            if event.get("type") == "error":
                errors.append(event)

    url = f"ws://127.0.0.1:{port}/ws/consultations/"
    sockets = []
    for cid, owner_cookie, vet_cookie in rows:
        headers = {"Origin": f"http://127.0.0.1:{port}"}
        owner = await websockets.connect(
            url + cid + "/", additional_headers={**headers, "Cookie": owner_cookie}
        )
        vet = await websockets.connect(url + cid + "/", additional_headers={**headers, "Cookie": vet_cookie})
        sockets.append((owner, vet))
    await asyncio.sleep(1.0)  # presence events of the connects settle before measuring
    cpu_before = cpu_seconds(server_pid)
    readers = [asyncio.create_task(vet_side(v)) for _, v in sockets]
    drains = [asyncio.create_task(drain(o)) for o, _ in sockets]
    await asyncio.gather(*(owner_side(o) for o, _ in sockets))
    await asyncio.sleep(2.0)  # let the last messages arrive
    cpu = cpu_seconds(server_pid) - cpu_before
    done.set()
    for o, v in sockets:
        await o.close()
        await v.close()
    for task in readers + drains:
        task.cancel()
    return sent_ids, received, latencies, errors, cpu


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="hellopet-chatbench-"))
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "False",
        "SECRET_KEY": "bench-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "DATABASE_POOL": "true",
        "MEDIA_ROOT": str(work / "media"),
        "PRIVATE_MEDIA_ROOT": str(work / "private"),
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{work / 'chat.sqlite3'}")
    env["DATABASE_URL"] = fresh_database_url(env["DATABASE_URL"], "hellopet_bench_chat")
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    rows = setup(env)
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "uvicorn",
            "hellopet.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        sent_ids, received, latencies, errors, cpu = asyncio.run(run_load(port, rows, server.pid))
        from consultations.models import Message

        stored = Message.objects.filter(client_id__in=sent_ids).count()
        latencies.sort()
        p = (
            (lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000)
            if latencies
            else (lambda q: 0)
        )
        layer = "redis" if os.environ.get("REDIS_URL") else "in-memory"
        db = "postgresql" if env["DATABASE_URL"].startswith("postgres") else "sqlite"
        print(f"chat: {PAIRS} consultations x {RATE}/s for {SECONDS:.0f} s; uvicorn, 1 worker; {db}; {layer}")
        print(
            f"  sent {len(sent_ids)}  stored {stored}  relayed live {received}  "
            f"not relayed by the end {len(sent_ids) - received} (stored: clients get them by sync)  "
            f"errors {len(errors)}"
        )
        print(f"  throughput {received / SECONDS:.0f} msg/s offered {PAIRS * RATE:.0f} msg/s")
        print(f"  latency p50 {p(0.5):.1f} ms  p99 {p(0.99):.1f} ms  max {p(1.0):.1f} ms")
        print(
            f"  server CPU while sending: {cpu:.2f} s = {cpu * 1000 / max(1, len(sent_ids)):.2f} ms/message"
        )
        return 0 if stored == len(sent_ids) else 1  # losing a stored message is the failure
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
