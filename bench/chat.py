"""Chat benchmark: the app's chat against the peer (Node.js + Socket.IO + pg), same run, same load tool.

For each offered rate (BENCH_RATES, default 200,500,2000 msg/s; every socket sends 1 message/s, so
rate/2 pairs of sockets) it starts, fresh:

1. the peer from ../shared/bench-peer/ (copied to a temp dir, `npm ci`, its own PostgreSQL database
   BENCH_PEER_DB), `node server.js` (one process, as the issue's reference figures), driven by the
   peer's load client `ws_load.py --proto socketio`;
2. the app in its production shape for `/ws/` (docs/deployment.md): BENCH_WORKERS uvicorn processes
   (uvloop + httptools + websockets), one port each, every consultation routed to one of them by its
   id (what the reverse proxy's `hash` does in production; the bench client connects to that port
   directly, as the peer's clients connect to it directly), DATABASE_POOL=true on PostgreSQL, Redis for
   the channel layer and presence, driven by the same `ws_load.py --proto hellopet`.

CPU per message = CPU of (the server's process tree + the PostgreSQL backends of its own database +
the Redis server) over the send window / messages delivered; the PostgreSQL backends are found in
`pg_stat_activity` at both ends of the window (a patched `cpu.snap`, see `bench/cpu_pg.py`). The
machine is shared: "machine busy %" says how loaded it was (200 % = both cores).

After each app case the exactly-once check: rows stored for the client_ids the load client sent, no
client_id stored twice, and stored = sent - refused (`busy`, `rate_limited`).

    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/chat.py
    BENCH_RATES=200,2000 BENCH_SECONDS=10 BENCH_PORT=10100 python bench/chat.py
    BENCH_WORKERS=2 (every rate) or BENCH_WORKERS=200:1,500:1,2000:2 (the default: per rate)
    BENCH_WS=websockets-sansio (uvicorn's WebSocket implementation), BENCH_PYSPY=/tmp/prof (py-spy)
    BENCH_VARIANTS="app;sansio:WS=websockets-sansio" (app configurations compared in the same run)
    BENCH_DB / BENCH_PEER_DB (default: DATABASE_URL's name + _bench_chat / _peer_bench_chat)
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import fresh_database_url  # noqa: E402

PY = sys.executable
PEER_SRC = Path(os.environ.get("BENCH_PEER_DIR", ROOT.parent / "shared" / "bench-peer"))
RATES = [int(r) for r in os.environ.get("BENCH_RATES", "200,500,2000").split(",")]
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
# uvicorn processes for the app: one number for every rate, or per rate ("200:1,500:1,2000:2").
_WORKERS_SPEC = os.environ.get("BENCH_WORKERS", "200:1,500:1,2000:2")


def workers_at(rate: int) -> int:
    if ":" not in _WORKERS_SPEC:
        return int(_WORKERS_SPEC)
    spec = dict(part.split(":") for part in _WORKERS_SPEC.split(","))
    return int(spec.get(str(rate), 1))


PORT = int(os.environ.get("BENCH_PORT", "0"))  # base port; 0 = pick free ones
# The bench's own databases are named after DATABASE_URL's (hellopet_i10 -> hellopet_i10_bench_chat),
# so two benches on one PostgreSQL server with different DATABASE_URLs never drop each other's.
_BASE_DB = urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/") or "hellopet"
APP_DB = os.environ.get("BENCH_DB", f"{_BASE_DB}_bench_chat")
PEER_DB = os.environ.get("BENCH_PEER_DB", f"{_BASE_DB}_peer_bench_chat")
SKIP_PEER = os.environ.get("BENCH_SKIP_PEER") == "1"  # development only: the app alone
WS_IMPL = os.environ.get("BENCH_WS", "websockets")  # uvicorn's WebSocket implementation


def parse_variants(spec: str) -> list[tuple[str, dict]]:
    """BENCH_VARIANTS: app configurations run one after another in each case, same run, same load:
    "name" or "name:KEY=VALUE+KEY=VALUE", separated by ";". KEY is an environment variable of the
    app's processes, or WS (uvicorn's WebSocket implementation) or WORKERS (processes). Example:
    "app;sansio:WS=websockets-sansio;pubsub:CHANNEL_LAYER=pubsub+CHAT_LOCAL_DELIVERY=false"."""
    variants = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        name, _, settings = part.partition(":")
        variants.append((name, dict(kv.split("=", 1) for kv in settings.split("+") if kv)))
    return variants


VARIANTS = parse_variants(os.environ.get("BENCH_VARIANTS", "app"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"{what} exited with {proc.returncode}")
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on {port}")


def stop(proc) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def redis_pid(url: str) -> int | None:
    import redis

    try:
        return int(redis.Redis.from_url(url).info("server")["process_id"])
    except Exception:
        return None


# --- the peer ------------------------------------------------------------------------------------------
def prepare_peer(work: Path, pg: dict) -> Path:
    peer = work / "bench-peer"
    shutil.copytree(PEER_SRC, peer, ignore=shutil.ignore_patterns("node_modules"))
    subprocess.run(["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=peer, check=True)
    fresh_database_url(pg["url"], PEER_DB)
    subprocess.run(
        [
            "psql",
            "-q",
            "-h",
            pg["host"],
            "-p",
            str(pg["port"]),
            "-U",
            pg["user"],
            "-d",
            PEER_DB,
            "-f",
            "schema.sql",
        ],
        cwd=peer,
        env={**os.environ, "PGPASSWORD": pg["password"]},
        check=True,
    )
    return peer


def start_peer(peer: Path, port: int, pg: dict):
    env = {
        **os.environ,
        "PORT": str(port),
        "PGHOST": pg["host"],
        "PGPORT": str(pg["port"]),
        "PGUSER": pg["user"],
        "PGPASSWORD": pg["password"],
        "PGDATABASE": PEER_DB,
    }
    proc = subprocess.Popen(["node", "server.js"], cwd=peer, env=env)
    wait_port(port, proc, "peer")
    return proc


# --- the app -------------------------------------------------------------------------------------------
def app_env(work: Path) -> dict:
    return {
        **os.environ,
        "DEBUG": "False",
        # A production-shaped process with no Midtrans keys: the simulator, opted into (payments.E003).
        "PAYMENT_SIMULATOR": "true",
        "SECRET_KEY": "bench-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "DATABASE_POOL": "true",
        "MEDIA_ROOT": str(work / "media"),
        "PRIVATE_MEDIA_ROOT": str(work / "private"),
    }


def setup_app(env: dict, pairs: int, port: int) -> list[dict]:
    """`pairs` active consultations with an owner and a vet session each (bulk: no password hashing)."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hellopet.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from accounts.models import User
    from consultations.models import Consultation, Specialty

    tag = uuid.uuid4().hex[:6]
    people = User.objects.bulk_create(
        [
            User(
                email=f"bench-{tag}-{role}-{i}@example.test",
                full_name=f"{role.title()} {i}",
                is_vet=role == "vet",
                password="!bench",
            )
            for i in range(pairs)
            for role in ("owner", "vet")
        ]
    )
    cats = Specialty.objects.get(slug="cats")
    consultations = Consultation.objects.bulk_create(
        [
            Consultation(
                owner=people[2 * i],
                vet=people[2 * i + 1],
                pet_name="Mochi",
                pet_species=cats,
                pet_age="2 tahun",
                complaint="bench",
                fee=50000,
                status=Consultation.Status.ACTIVE,
                paid_at=timezone.now(),
                accepted_at=timezone.now(),
            )
            for i in range(pairs)
        ]
    )
    store, sessions, keys = SessionStore(), [], []
    expiry = timezone.now() + timezone.timedelta(days=1)
    for user in people:
        key = uuid.uuid4().hex
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expiry))
        keys.append(key)
    Session.objects.bulk_create(sessions)
    return [
        {"path": f"/ws/consultations/{c.pk}/", "a": keys[2 * i], "b": keys[2 * i + 1]}
        for i, c in enumerate(consultations)
    ]


def app_ports(port: int, workers: int) -> list[int]:
    if not PORT:
        return [port] + [free_port() for _ in range(workers - 1)]
    return [port + 2 * n for n in range(workers)]


def route(consultation_path: str, ports: list[int]) -> int:
    """Room affinity, as the reverse proxy does it (docs/deployment.md: nginx `hash $consultation`):
    every socket of a consultation goes to the same worker, so its messages never leave the process."""
    consultation = uuid.UUID(consultation_path.rstrip("/").rsplit("/", 1)[1])
    return ports[consultation.int % len(ports)]


def start_app(env: dict, ports: list[int], ws_impl: str = WS_IMPL) -> list:
    """One uvicorn process per worker, each on its own port (the proxy routes rooms to them)."""
    procs = []
    for worker_port in ports:
        proc = subprocess.Popen(
            [
                PY,
                "-m",
                "uvicorn",
                "hellopet.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(worker_port),
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--ws",
                ws_impl,
                "--ws-per-message-deflate",  # as in production (docs/deployment.md)
                "false",
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=env,
        )
        procs.append(proc)
    for worker_port, proc in zip(ports, procs, strict=True):
        wait_port(worker_port, proc, "uvicorn")
    return procs


def exactly_once(sent_ids: list[str], acked_ids: list[str], refused: int) -> dict:
    from django.db import connection

    from consultations.models import Message

    table = Message._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), count(DISTINCT client_id) FROM {table} WHERE client_id = ANY(%s::uuid[])",
            [sent_ids],
        )
        rows, distinct = cursor.fetchone()
        cursor.execute(f"SELECT count(*) FROM {table} WHERE client_id = ANY(%s::uuid[])", [acked_ids])
        acked_stored = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT count(*) FROM (SELECT consultation_id FROM {table} GROUP BY consultation_id"
            " HAVING max(seq) <> count(*) OR min(seq) <> 1) gaps"
        )
        gaps = cursor.fetchone()[0]
    acked = len(set(acked_ids))
    return {
        "sent": len(sent_ids),
        "acked": acked,
        "refused": refused,
        "stored": rows,
        "acked_stored": acked_stored,
        "duplicates": rows - distinct,
        "seq_gaps": gaps,
        "ok": acked_stored == acked and rows == distinct and rows <= len(sent_ids) - refused and gaps == 0,
    }


# --- the load ------------------------------------------------------------------------------------------
def run_load(work: Path, label: str, proto: str, pairs: int, trees: dict, pg_db: str, extra: list) -> dict:
    out = work / f"{label}.json"
    cmd = [
        PY,
        str(ROOT / "bench" / "cpu_pg.py"),
        pg_db,
        str(work / "bench-peer" / "ws_load.py"),
        *extra,
        "--proto",
        proto,
        "--pairs",
        str(pairs),
        "--interval",
        "1.0",
        "--duration",
        str(SECONDS),
        "--label",
        label,
        "--out",
        str(out),
        "--cpu-trees",
        *[f"{k}={v}" for k, v in trees.items() if v],
    ]
    env = {**os.environ, "ACKED_OUT": str(work / f"{label}-acked.json")}
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    return json.loads(out.read_text())


def summary(result: dict) -> dict:
    window = result.get("cpu_window") or {}
    pct = window.get("cpu_pct", {})
    wall = window.get("wall_s", 0)
    cpu_s = sum(pct.values()) / 100 * wall
    delivered = max(1, result["delivered"])
    return {
        "offered": result["offered_msgs_per_s"],
        "delivered_per_s": result["delivered_msgs_per_s"],
        "lost": result["lost"],
        "p50": result["lat_p50_ms"],
        "p99": result["lat_p99_ms"],
        "cpu_ms": 1000 * cpu_s / delivered,
        "cpu_split": {k: round(10 * v * wall / delivered, 3) for k, v in pct.items()},  # ms/msg per tree
        "busy": window.get("machine_busy_pct"),
        "errors": result.get("error_frames", {}),
        "connect_errors": result["connect_errors"],
    }


def main() -> int:
    db_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not db_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        print(
            "chat bench: needs DATABASE_URL=postgres://... and REDIS_URL=redis://... (the production shape)"
        )
        return 2
    parts = urlsplit(db_url)
    pg = {
        "url": db_url,
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "password": parts.password or "",
    }
    work = Path(tempfile.mkdtemp(prefix="hellopet-chatbench-"))
    base = PORT or free_port()
    peer_port, app_port = (base, base + 1) if PORT else (free_port(), free_port())
    rpid = redis_pid(redis_url)
    rows = []
    try:
        peer = prepare_peer(work, pg)
        env = app_env(work)
        env["DATABASE_URL"] = fresh_database_url(db_url, APP_DB)
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        max_pairs = max(RATES) // 2
        sessions = setup_app(env, max_pairs, app_port)
        from django.db import connections

        connections.close_all()
        for rate in RATES:
            pairs = rate // 2
            proc = start_peer(peer, peer_port, pg) if not SKIP_PEER else None
            try:
                peer_result = SKIP_PEER or run_load(
                    work,
                    f"peer-{rate}",
                    "socketio",
                    pairs,
                    {"server": proc.pid, "redis": rpid},
                    PEER_DB,
                    [f"ws://127.0.0.1:{peer_port}/socket.io/?EIO=4&transport=websocket&pair={{pair}}"],
                )
                peer_load = os.getloadavg()[0]  # 1-minute load average at the end of the case
            finally:
                if proc is not None:
                    stop(proc)
            for variant, overrides in VARIANTS:
                check, app_summary = run_app_case(
                    work, env, sessions, rate, pairs, app_port, rpid, variant, overrides
                )
                connections.close_all()
                peer_summary = (
                    None
                    if SKIP_PEER or variant != VARIANTS[0][0]
                    else {**summary(peer_result), "load1": peer_load, "procs": 1}
                )
                rows.append((rate, peer_summary, {**app_summary, "variant": variant}, check))
                print_case(rows[-1])
        print_table(rows)
        return 0 if all(check["ok"] for *_, check in rows) else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_app_case(work, env, sessions, rate, pairs, app_port, rpid, variant, overrides) -> tuple:
    overrides = dict(overrides)
    ws_impl = overrides.pop("WS", WS_IMPL)
    workers = int(overrides.pop("WORKERS", workers_at(rate)))
    env = {**env, **overrides}
    label = f"{variant}-{rate}"
    session_file = work / f"sessions-{label}.json"
    ports = app_ports(app_port, workers)
    session_file.write_text(
        json.dumps(
            [
                {"url": f"ws://127.0.0.1:{route(s['path'], ports)}{s['path']}", "a": s["a"], "b": s["b"]}
                for s in sessions[:pairs]
            ]
        )
    )
    ids_file = work / f"ids-{label}.json"
    procs = start_app(env, ports, ws_impl)
    spies = []
    if os.environ.get("BENCH_PYSPY"):  # a profile of each app process over the case (collapsed stacks)
        for n, proc in enumerate(procs):
            spies.append(
                subprocess.Popen(
                    [
                        str(Path(PY).parent / "py-spy"),
                        "record",
                        "-p",
                        str(proc.pid),
                        "-r",
                        "50",
                        "-f",
                        "raw",
                        "-o",
                        f"{os.environ['BENCH_PYSPY']}-{label}-p{n}.txt",
                        "-d",
                        str(int(SECONDS + 30)),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
    try:
        time.sleep(1.0)
        trees = {f"server{n}": p.pid for n, p in enumerate(procs)}
        app_result = run_load(
            work,
            f"app-{label}",
            "hellopet",
            pairs,
            {**trees, "redis": rpid},
            APP_DB,
            [
                "--sessions",
                str(session_file),
                "--origin",
                f"http://127.0.0.1:{app_port}",
                "--sent-ids",
                str(ids_file),
            ],
        )
        app_load = os.getloadavg()[0]
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=30)
        for p in procs:
            stop(p)
    refused = sum(app_result.get("error_frames", {}).values())
    check = exactly_once(
        json.loads(ids_file.read_text()),
        json.loads((work / f"app-{label}-acked.json").read_text()),
        refused,
    )
    return check, {**summary(app_result), "load1": app_load, "procs": len(procs)}


def fmt(v, spec=".1f"):
    return "-" if v is None else format(v, spec)


def print_case(row) -> None:
    rate, peer, app, check = row
    print(f"chat @ {rate} msg/s: peer {json.dumps(peer)}", flush=True)
    print(f"chat @ {rate} msg/s: {app.get('variant', 'app')}  {json.dumps(app)}", flush=True)
    print(
        f"  exactly-once: sent {check['sent']}, acknowledged {check['acked']} (all stored: "
        f"{check['acked_stored'] == check['acked']}), refused {check['refused']}, stored {check['stored']}, "
        f"duplicates {check['duplicates']}, consultations with a seq gap {check['seq_gaps']} -> "
        f"{'OK' if check['ok'] else 'FAILED'}",
        flush=True,
    )


def print_table(rows) -> None:
    print()
    print(
        "chat: Node peer (1 process) vs HELLOPET! (uvicorn processes as listed, rooms routed by "
        f"consultation), {SECONDS:.0f} s per case, "
        "1 msg/s per socket; CPU = server + PostgreSQL backends + Redis; load = 1-minute load average "
        "at the end of the case (2 cores, shared)"
    )
    print(
        "| offered | side | processes | delivered live msg/s | lost | p50 ms | p99 ms | CPU ms/msg "
        "| machine busy % | load | refused |"
    )
    print("|" + "---|" * 11)
    for rate, peer, app, _ in rows:
        for name, s in (("peer", peer), (app.get("variant", "app"), app)):
            if s is None:
                continue
            refused = sum(s["errors"].values()) if s["errors"] else 0
            print(
                f"| {rate} | {name} | {s['procs']} | {fmt(s['delivered_per_s'])} | {s['lost']} | "
                f"{fmt(s['p50'])} | {fmt(s['p99'])} | {fmt(s['cpu_ms'], '.2f')} | {fmt(s['busy'], '.0f')} | "
                f"{fmt(s['load1'])} | {refused} |"
            )
    print()
    for rate, _, app, check in rows:
        print(
            f"exactly-once @ {rate} ({app.get('variant', 'app')}): acknowledged {check['acked']}, "
            f"of them stored {check['acked_stored']}; "
            f"stored {check['stored']} of {check['sent']} sent ({check['refused']} refused busy/limited, "
            f"the rest in flight when the client closed, never acknowledged); "
            f"duplicates {check['duplicates']}, seq gaps {check['seq_gaps']}: "
            f"{'OK' if check['ok'] else 'FAILED'}"
        )


if __name__ == "__main__":
    sys.exit(main())
