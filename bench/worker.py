"""Task-queue benchmark: how many consumer workers drain a burst of e-mails, and how fast.

A local SMTP server (aiosmtpd) answers every message after BENCH_SMTP_MS milliseconds (a hosted relay
over TLS takes ~100-300 ms per message). BENCH_EMAILS outbox rows are written and enqueued at once,
then a real `manage.py run_huey` process with W worker threads drains them; the wall time from the
consumer's start to the last row marked sent is reported for each W.

    .venv/bin/python bench/worker.py                              # SQLite queue (the embedded default)
    REDIS_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/worker.py        # Redis queue
    BENCH_EMAILS=300 BENCH_SMTP_MS=100 BENCH_WORKERS=1,2,4,8 .venv/bin/python bench/worker.py
"""

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import free_port, fresh_database_url  # noqa: E402

EMAILS = int(os.environ.get("BENCH_EMAILS", "300"))
SMTP_MS = int(os.environ.get("BENCH_SMTP_MS", "100"))
WORKERS = [int(w) for w in os.environ.get("BENCH_WORKERS", "1,2,4,8").split(",")]


class SlowInbox:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        await asyncio.sleep(SMTP_MS / 1000)
        self.count += 1
        return "250 OK"


def main():
    tmp = Path(tempfile.mkdtemp(prefix="hellopet-bench-queue-"))
    smtp_port = free_port()
    database_url = fresh_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{tmp / 'db.sqlite3'}"),
        "hellopet_bench_queue_" + str(os.getpid()),
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hellopet.settings",
        "DEBUG": "True",
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "HUEY_NAME": "bench",
        "LOG_LEVEL": "WARNING",
    }
    if not os.environ.get("REDIS_URL"):
        env["HUEY_SQLITE_PATH"] = str(tmp / "queue.sqlite3")
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from huey.contrib.djhuey import HUEY

    from notifications.models import OutgoingEmail
    from notifications.services import queue_email

    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    queue = "redis" if os.environ.get("REDIS_URL") else "sqlite"
    print(f"queue={queue} emails={EMAILS} smtp={SMTP_MS} ms/message, run_huey thread workers:")
    try:
        for workers in WORKERS:
            HUEY.flush()
            OutgoingEmail.objects.all().delete()
            for i in range(EMAILS):
                queue_email(to=f"member{i}@example.test", subject=f"Bench {i}", text="Halo")
            start = time.monotonic()
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "run_huey",
                    "-w",
                    str(workers),
                    "-k",
                    "thread",
                    "--no-periodic",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                while OutgoingEmail.objects.filter(state=OutgoingEmail.State.SENT).count() < EMAILS:
                    if time.monotonic() - start > 600:
                        raise SystemExit("not drained in 10 minutes")
                    time.sleep(0.2)
                elapsed = time.monotonic() - start
            finally:
                proc.terminate()
                proc.wait(timeout=20)
            print(f"  {workers:>2} workers: {EMAILS} e-mails in {elapsed:6.1f} s = {EMAILS / elapsed:6.1f}/s")
    finally:
        controller.stop()
        if database_url.startswith(("postgres://", "postgresql://")):
            from django.db import connections

            connections.close_all()
            name = database_url.rsplit("/", 1)[-1]
            subprocess.run(
                ["dropdb", "--if-exists", *_pg_args(database_url), name], env=_pg_env(database_url)
            )


def _pg_args(url):
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or ""]


def _pg_env(url):
    from urllib.parse import urlsplit

    return {**os.environ, "PGPASSWORD": urlsplit(url).password or ""}


if __name__ == "__main__":
    main()
