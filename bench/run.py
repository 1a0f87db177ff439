"""Page benchmark: each public list page against a bare view on the same server, in one run.

Starts gunicorn (WSGI, 2 sync workers, as in production) on a throw-away copy of the demo database,
then drives it with keep-alive HTTP clients in threads for a fixed time per URL. Machines here are
noisy, so read the ratio to /healthz (a bare view with one `SELECT 1`), not the absolute numbers.

    make bench                      # all pages, 5 s each
    BENCH_SECONDS=10 make bench
"""

import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import free_port, fresh_database_url  # noqa: E402

PY = sys.executable
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
PAGES = ["/healthz", "/", "/vets/", "/grooming/", "/adoption/", "/articles/"]


def hammer(port: int, path: str, seconds: float, clients: int):
    counts, latencies, errors = [0] * clients, [], [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        local = []
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
            except Exception:
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            local.append(time.perf_counter() - t0)
            counts[i] += 1
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = sum(counts)
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    return total / seconds, p50, errors[0]


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="hellopet-bench-"))
    env = {
        **os.environ,
        "DEBUG": "False",
        "SECRET_KEY": "bench-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": str(work / "media"),
        "PRIVATE_MEDIA_ROOT": str(work / "private"),
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}")
    env.setdefault("CONN_MAX_AGE", "60")  # as recommended for the WSGI process (docs/deployment.md)
    env["DATABASE_URL"] = fresh_database_url(env["DATABASE_URL"], "hellopet_bench_pages")
    setup_env = {**env, "DEBUG": "True"}
    print(f"database: {env['DATABASE_URL'].split('@')[-1]}  clients: {CLIENTS}  seconds/page: {SECONDS}")
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=setup_env, check=True)
    subprocess.run(
        [PY, "manage.py", "seed_demo"], cwd=ROOT, env=setup_env, check=True, stdout=subprocess.DEVNULL
    )
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "hellopet.wsgi:application",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
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
        hammer(port, "/healthz", 1.0, CLIENTS)  # warm-up
        results = {}
        for path in PAGES:
            results[path] = hammer(port, path, SECONDS, CLIENTS)
        base = results["/healthz"][0]
        print(f"{'page':<14}{'req/s':>10}{'p50 ms':>10}{'vs bare':>10}{'errors':>8}")
        for path, (rps, p50, errors) in results.items():
            print(f"{path:<14}{rps:>10.0f}{p50:>10.1f}{rps / base:>10.2f}{errors:>8}")
        return 0 if all(r[2] == 0 for r in results.values()) else 1
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
