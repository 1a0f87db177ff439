"""Page benchmark: every public page (and the member pages) against a bare Django view, in one run.

Starts gunicorn (WSGI, 2 sync workers, `DEBUG=False`, as in production) on a throw-away copy of the
demo database, drives each URL with wrk (16 connections) for a fixed time and prints req/s, p50, p99
and the ratio to `/bench/bare` (a view returning "ok" through the same middleware, measured in the
same run). Then it grows the data to 100x (`bench/seed_scale.py`: 100,000 pets, 20,000 salons,
5,000 articles) and measures the same URLs again, printing each page's slowdown against demo size.

The machine is shared and noisy: read the ratios within one run, not absolute numbers across runs.

    make bench                          # both sizes, 5 s per URL
    BENCH_SECONDS=10 make bench
    BENCH_SCALE=0 make bench            # demo size only
    DATABASE_URL=postgres://... REDIS_URL=redis://... make bench   # the production stack
    BENCH_PORT=14080 BENCH_DB_NAME=mine make bench   # a fixed port and database of your own
    BENCH_PAGES="a vet,a pet" make bench    # only these rows (labels; bare views are always kept)
"""

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from benchlib import free_port, fresh_database_url  # noqa: E402

PY = sys.executable
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SCALE = os.environ.get("BENCH_SCALE", "1") != "0"
# Comma-separated row labels to measure (e.g. "a vet,/consultations/"), both as visitor and member
# where the label exists for both; the bare views always run (every ratio is against them).
ONLY = {label.strip() for label in os.environ.get("BENCH_PAGES", "").split(",") if label.strip()}

# Sample URLs and a member's session, read from the bench database after seeding.
SAMPLES = r"""
import http.client
import json
from django.conf import settings
from django.test import Client
from accounts.models import User
from adoption.models import Pet
from articles.models import Article
from consultations.models import VetProfile
from grooming.models import Salon

pet = Pet.objects.filter(status="available").order_by("created_at").first()
salon = Salon.objects.filter(is_active=True).exclude(slug__startswith="skala-").order_by("pk").first()
article = Article.objects.published().exclude(slug__startswith="skala-").order_by("pk").first()
vet = VetProfile.objects.listed().order_by("pk").first()
client = Client()
# The backend a password login stores (accounts/backends.py).
client.force_login(User.objects.get(email="budi@hellopet.local"), backend=settings.AUTHENTICATION_BACKENDS[1])
print(json.dumps({
    "pet": str(pet.pk), "pet_city": pet.city.code, "pet_species": pet.species.slug,
    "salon": salon.slug, "salon_city": salon.city.code,
    "article": article.slug, "vet": vet.user_id,
    "session": client.cookies["sessionid"].value,
}))
"""


def pages(s: dict) -> list[tuple[str, str, bool]]:
    """(label, path, logged in)."""
    anonymous = [
        ("bare view", "/bench/bare"),
        ("/healthz", "/healthz"),
        ("/", "/"),
        ("/vets/", "/vets/"),
        ("a vet", f"/vets/{s['vet']}/"),
        ("/grooming/", "/grooming/"),
        ("/grooming/?city", f"/grooming/?city={s['salon_city']}"),
        ("/grooming/?q", "/grooming/?q=ceria"),
        ("a salon", f"/grooming/{s['salon']}/"),
        ("/adoption/", "/adoption/"),
        ("/adoption/?filters", f"/adoption/?species={s['pet_species']}&city={s['pet_city']}&sex=female"),
        ("/adoption/?q", "/adoption/?q=manja"),
        ("/adoption/?page=5", "/adoption/?page=5"),
        ("a pet", f"/adoption/pets/{s['pet']}/"),
        ("/articles/", "/articles/"),
        ("/articles/?q", "/articles/?q=sehat"),
        ("an article", f"/articles/{s['article']}/"),
        ("/privacy/", "/privacy/"),
    ]
    member = [
        ("bare view", "/bench/bare"),
        ("/consultations/", "/consultations/"),
        ("/", "/"),
        ("/vets/", "/vets/"),
        ("a vet", f"/vets/{s['vet']}/"),
        ("/grooming/", "/grooming/"),
        ("/grooming/?city", f"/grooming/?city={s['salon_city']}"),
        ("/grooming/?q", "/grooming/?q=ceria"),
        ("a salon", f"/grooming/{s['salon']}/"),
        ("/adoption/", "/adoption/"),
        ("/adoption/?filters", f"/adoption/?species={s['pet_species']}&city={s['pet_city']}&sex=female"),
        ("/adoption/?q", "/adoption/?q=manja"),
        ("/adoption/?page=5", "/adoption/?page=5"),
        ("a pet", f"/adoption/pets/{s['pet']}/"),
        ("/articles/", "/articles/"),
        ("/articles/?q", "/articles/?q=sehat"),
        ("an article", f"/articles/{s['article']}/"),
        ("/adoption/applications/", "/adoption/applications/"),
    ]
    rows = [(label, path, False) for label, path in anonymous] + [
        (label, path, True) for label, path in member
    ]
    if ONLY:
        unknown = ONLY - {label for label, _, _ in rows}
        if unknown:
            sys.exit(f"BENCH_PAGES: no such page {sorted(unknown)}")
        rows = [row for row in rows if row[0] in ONLY or row[0] == "bare view"]
    return rows


LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(port: int, path: str, cookie: str | None, seconds: float) -> dict:
    args = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{int(seconds)}s",
        "--latency",
        "--timeout",
        "10s",
        "-H",
        "Host: 127.0.0.1",
    ]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*args, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {p: _ms(v, u) for p, v, u in LATENCY.findall(out)}
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    # gunicorn's sync workers close every connection; wrk counts those closes as read errors.
    failed = int(bad.group(1)) if bad else 0
    if errors:
        failed += int(errors.group(1)) + int(errors.group(4))
    return {
        "rps": rps,
        "p50": latency.get("50", float("nan")),
        "p99": latency.get("99", float("nan")),
        "errors": failed,
    }


def workers_cpu_seconds(master_pid: int) -> float:
    """User + system CPU the gunicorn workers used so far (Linux /proc; 0 elsewhere).

    CPU per request does not depend on how busy the machine is, unlike req/s: on a shared 2-core
    machine it is the steadier figure. It leaves out PostgreSQL's and Redis's own CPU.
    """
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return 0.0
    total = 0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def check_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("wrk is not installed: trying `apt-get install -y wrk` (Debian/Ubuntu)")
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, stdout=subprocess.DEVNULL)
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (apt-get install wrk, or brew install wrk)")


def check_page(port: int, path: str, cookie: str | None) -> str | None:
    """What is wrong with this page before it is measured (wrk counts a redirect to the login page,
    e.g. an expired member session, as a success)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": "127.0.0.1", **({"Cookie": cookie} if cookie else {})}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status != 200:
        return f"HTTP {response.status}"
    if cookie and path != "/bench/bare" and b"/accounts/logout/" not in body:
        return "not logged in"
    return None


def measure(port: int, master_pid: int, samples: dict) -> dict:
    results = {}
    for label, path, member in pages(samples):
        cookie = f"sessionid={samples['session']}" if member else None
        problem = check_page(port, path, cookie)
        if problem:
            print(f"  {label}{' (member)' if member else ''}: {problem}", flush=True)
        wrk(port, path, cookie, 1)  # warm-up: the page cache, connections, Python's caches
        cpu = workers_cpu_seconds(master_pid)
        result = wrk(port, path, cookie, SECONDS)
        requests = result["rps"] * int(SECONDS)
        result["cpu_ms"] = (
            (workers_cpu_seconds(master_pid) - cpu) * 1000 / requests if requests else float("nan")
        )
        result["load"] = os.getloadavg()[0]
        if problem:
            result["errors"] = max(result["errors"], 1)
        results[(label, member)] = result
    return results


def _ratio(a: float, b: float) -> float:
    """a / b, NaN when b is 0 (no request finished within the window on an overloaded machine)."""
    return a / b if b else float("nan")


def report(title: str, results: dict, demo: dict | None = None) -> None:
    bare = results[("bare view", False)]
    print(f"\n{title}")
    print("vs bare: req/s over the bare view's as a visitor (both rows of a member too); load: the")
    print("machine's 1-minute load average after the page's run (other work shares the cores)")
    head = f"{'page':<28}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'vs bare':>9}{'errors':>8}"
    head += f"{'CPU ms/req':>12}{'CPU vs bare':>13}{'load':>6}"
    print(head + (f"{'demo/this':>11}" if demo else ""))
    for (label, member), r in results.items():
        name = f"{label} (member)" if member else label
        line = f"{name:<28}{r['rps']:>8.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}"
        line += f"{_ratio(r['rps'], bare['rps']):>9.2f}{r['errors']:>8}"
        line += f"{r['cpu_ms']:>12.2f}{_ratio(bare['cpu_ms'], r['cpu_ms']):>13.2f}{r['load']:>6.1f}"
        if demo:
            line += f"{_ratio(demo[(label, member)]['rps'], r['rps']):>10.2f}x"
        print(line)


def wait_until_serving(port: int) -> None:
    """Both workers answer (the socket accepts before the workers have imported Django)."""
    deadline = time.monotonic() + 60
    ok = 0
    while ok < 4 and time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/bench/bare", headers={"Host": "127.0.0.1"})
            ok += conn.getresponse().status == 200
            conn.close()
        except OSError:
            time.sleep(0.3)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} cores"


def main() -> int:
    check_wrk()
    work = Path(tempfile.mkdtemp(prefix="hellopet-bench-"))
    env = {
        **os.environ,
        "DEBUG": "False",
        # A production-shaped process with no Midtrans keys: the simulator, opted into (payments.E003).
        "PAYMENT_SIMULATOR": "true",
        "SECRET_KEY": "bench-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": str(work / "media"),
        "PRIVATE_MEDIA_ROOT": str(work / "private"),
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)]),
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}")
    env.setdefault("CONN_MAX_AGE", "60")  # as recommended for the WSGI process (docs/deployment.md)
    # BENCH_DB_NAME: helpers sharing one PostgreSQL server each bench their own database.
    db_name = os.environ.get("BENCH_DB_NAME", "hellopet_bench_pages")
    env["DATABASE_URL"] = fresh_database_url(env["DATABASE_URL"], db_name)
    setup_env = {**env, "DEBUG": "True"}
    print(
        f"database: {env['DATABASE_URL'].split('@')[-1]}  cache: {env.get('REDIS_URL') or 'locmem'}  "
        f"connections: {CONNECTIONS}  seconds/page: {SECONDS}  gunicorn: 2 sync workers"
    )
    print(f"machine before: {load()}")
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=setup_env, check=True)
    subprocess.run(
        [PY, "manage.py", "seed_demo"], cwd=ROOT, env=setup_env, check=True, stdout=subprocess.DEVNULL
    )
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    if env.get("REDIS_URL"):
        # The bench's Redis database starts empty: no page from an earlier run.
        subprocess.run(
            [PY, "-c", "import django; django.setup(); from django.core.cache import cache; cache.clear()"],
            cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "hellopet.settings"}, check=True,
        )  # fmt: skip
    samples = json.loads(
        subprocess.run(
            [PY, "manage.py", "shell", "-c", SAMPLES],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = int(os.environ.get("BENCH_PORT") or free_port())  # helpers sharing a machine pick their own
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "hellopet.wsgi:application", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning"],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "bench_settings"},
    )  # fmt: skip
    try:
        wait_until_serving(port)
        demo = measure(port, server.pid, samples)
        report(f"demo data ({load()})", demo)
        failed = any(r["errors"] for r in demo.values())
        if SCALE:
            started = time.monotonic()
            subprocess.run([PY, "bench/seed_scale.py"], cwd=ROOT, env=env, check=True)
            print(f"seed_scale: {time.monotonic() - started:.0f} s")
            scaled = measure(port, server.pid, samples)
            report(f"100x data: 100,000 pets, 20,000 salons, 5,000 articles ({load()})", scaled, demo)
            failed = failed or any(r["errors"] for r in scaled.values())
        return 1 if failed else 0
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
