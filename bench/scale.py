"""Multi-server run (issue 17): production settings, a task worker, 1 then 2 gunicorn app
servers behind nginx with TLS, a realistic load, and the database checked for double bookings.

    .venv/bin/python bench/scale.py --database-url postgres://u:pw@127.0.0.1:25432/sc_scale \
        --elasticsearch-url http://127.0.0.1:9200 --index-prefix sc_scale --duration 90

Without --database-url it uses DATABASE_URL's server with the database name + "_scale" (made
if missing; never the database itself); without a PostgreSQL URL or without nginx
(`apt-get install nginx-light`) it says so and does nothing, so `make bench` runs anywhere.

What it starts, all on this machine and on loopback:

- `manage.py db_worker` (TASK_BACKEND=database: index updates and mail leave the request);
- N gunicorn servers (`config/gunicorn.py`, sync workers) with production's settings
  (bench/lib/scale_settings.py: config.settings.production plus the floor view): one
  SECRET_KEY for all, ALLOWED_HOSTS, DB_CONN_MAX_AGE=60, NUM_PROXIES=1, and the shared caches
  production uses by default — sessions in the database, throttles, lockouts and the page
  cache in PostgreSQL cache tables; nothing a request needs lives in one server's memory;
- nginx from Debian in front, terminating TLS (a throwaway self-signed certificate, so the
  secure cookies and HTTPS redirect of production apply), round robin with keep-alive to the
  upstreams, passing X-Forwarded-Proto and the visitor's X-Forwarded-For as an edge would.

The load generator is a pool of threads, each a visitor with its own session and address, over
keep-alive TLS connections, running this mix:

- 70 % anonymous reads: home, news, the catalogue lists, an instrument's page, the API list,
  and search (page and API) over a few common queries;
- 20 % signed-in reads: /api/v1/me/, the visitor's bookings (page and API), an instrument
  (after signing in through the login form: CSRF token, password check, session);
- 10 % bookings: one hour on one of 100 instruments, at a random hour of the next 14 days
  (collisions are expected: the loser gets 409, a correct answer, not an error).

Beside it, one thread asks for /bench/floor (a constant JSON view behind the same proxy, server
and middleware) ten times a second: the floor under the same load, for the ratios.

Reported per configuration: requests/s, p50/p95/p99 overall and per kind (client-side, to the
last byte), the floor, errors (5xx, failed connections, anything unexpected: must be 0),
booking outcomes, the page cache's hit rate (X-Page-Cache on anonymous pages), CPU used by the
app servers, the load generator and the whole machine (other sessions included), and after the
run the number of overlapping active bookings on one instrument in the database (must be 0).
Each configuration starts from the same state: the run's bookings deleted, caches emptied.
The data are seeded once: migrate, the demo data, a generated catalogue (imported, hence
indexed), 100 bookable instruments of one institution, 200 visitors, collectstatic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "scale-bench-Password-9"  # noqa: S105 — the seeded load visitors
USERS = 200
INSTRUMENTS = 100
QUERIES = ["显微镜", "质谱", "光谱仪", "检测", "孵化器", "专利"]
SHANGHAI = ZoneInfo("Asia/Shanghai")
ACTIVE = ("pending_approval", "awaiting_payment", "confirmed")


def log(message: str) -> None:
    print(f"[scale] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


# --- inside Django (`bench/scale.py --seed | --reset | --check`, run with the servers' env) ----


def seed() -> None:
    import django

    django.setup()
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password

    from marketplace.accounts.models import Institution, User
    from marketplace.catalogue.models import Instrument, OpeningInterval

    institution, _ = Institution.objects.get_or_create(
        code="SCALE", defaults={"name": "压测共享平台中心", "region": "昆明市"}
    )
    for n in range(INSTRUMENTS):
        instrument, created = Instrument.objects.get_or_create(
            code=f"SCALE-{n:03d}",
            defaults={
                "institution": institution,
                "name": f"压测扫描电子显微镜 {n}",
                "category": "analytical",
                "original_value": Decimal("1000000.00"),
                "offers_machine_time": True,
                "price_hourly": Decimal("100.00"),
                "price_internal_hourly": Decimal("60.00"),
                "slot_minutes": 60,
                "min_minutes": 60,
                "max_minutes": 60,
                "min_notice_hours": 0,
                "max_advance_days": 30,
                "approval_required": True,
                "max_active_bookings": 1000,
                "live": True,
            },
        )
        if created:
            OpeningInterval.objects.bulk_create(
                OpeningInterval(
                    instrument=instrument, weekday=day, start=dt.time(0, 0), end=dt.time(23, 59)
                )
                for day in range(7)
            )
    # One password hash for all (production's hasher takes a good fraction of a second each).
    hashed = make_password(PASSWORD)
    existing = set(
        User.objects.filter(username__startswith="load").values_list("username", flat=True)
    )
    User.objects.bulk_create(
        User(
            username=f"load{n}",
            email=f"load{n}@example.org",
            password=hashed,
            real_name=f"压测用户{n}",
            organisation="压测科技有限公司",
            phone=f"138{n:08d}",
        )
        for n in range(USERS)
        if f"load{n}" not in existing
    )
    log(f"seeded {INSTRUMENTS} instruments, {USERS} visitors")


def reset() -> None:
    """The same start for every configuration: no bookings on the run's instruments, empty
    caches (pages, throttles), no sessions or login attempts from the previous one."""
    import django

    django.setup()
    from axes.models import AccessAttempt
    from django.contrib.sessions.models import Session
    from django.core.cache import caches

    from marketplace.bookings.models import Booking

    Booking.objects.filter(instrument__code__startswith="SCALE-").delete()
    Session.objects.all().delete()
    AccessAttempt.objects.all().delete()
    caches["default"].clear()
    caches["pages"].clear()


def double_bookings() -> None:
    import django

    django.setup()
    from django.db import connection

    statuses = ", ".join(f"'{s}'" for s in ACTIVE)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(*) FROM bookings_booking a JOIN bookings_booking b
                ON a.instrument_id = b.instrument_id AND a.id < b.id
                AND a.start < b."end" AND b.start < a."end"
                WHERE a.status IN ({statuses}) AND b.status IN ({statuses})"""  # noqa: S608 — constants
        )
        overlapping = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT count(*) FROM bookings_booking WHERE status IN ({statuses}) AND instrument_id "  # noqa: S608
            "IN (SELECT id FROM catalogue_instrument WHERE code LIKE 'SCALE-%%')"
        )
        total = cursor.fetchone()[0]
    print(f"{overlapping} {total}")  # noqa: T201 — read by the parent process


# --- the load --------------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: list = field(default_factory=list)
    by_kind: dict = field(default_factory=lambda: defaultdict(list))
    floor: list = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    bookings: Counter = field(default_factory=Counter)
    cache: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


ANON = [
    "/",
    "/news/",
    "/instruments/",
    "/incubators/",
    "/technologies/",
    "/institutions/",
    "/api/v1/instruments/",
]


def visitor(number: int, base: str, verify: str, stop: float, tally: Tally, run: int) -> None:
    rnd = random.Random(run * 1000 + number)
    address = f"10.{number // 250}.{number % 250}.{run % 250}"
    session = requests.Session()
    anonymous = requests.Session()
    for client in (session, anonymous):
        client.trust_env = False  # REQUESTS_CA_BUNDLE would override `verify`
        client.verify = verify
        client.headers["X-Forwarded-For"] = address
    username = f"load{(number + 37 * run) % USERS}"
    signed_in = False

    def timed(kind: str, client, method: str, path: str, ok=(200,), **kwargs):
        started = time.perf_counter()
        try:
            response = client.request(method, base + path, timeout=30, **kwargs)
        except requests.RequestException as error:
            with tally.lock:
                tally.errors[f"{kind}: {type(error).__name__}"] += 1
            return None
        elapsed = time.perf_counter() - started
        with tally.lock:
            tally.latencies.append(elapsed)
            tally.by_kind[kind].append(elapsed)
            if response.status_code not in ok:
                tally.errors[f"{kind} {path.split('?')[0]}: {response.status_code}"] += 1
            if kind == "anonymous" and "X-Page-Cache" in response.headers:
                tally.cache[response.headers["X-Page-Cache"]] += 1
        return response

    def login() -> bool:
        page = timed("sign-in", session, "GET", "/accounts/login/")
        if page is None:
            return False
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        response = timed(
            "sign-in",
            session,
            "POST",
            "/accounts/login/",
            ok=(302,),
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": base + "/accounts/login/"},
            allow_redirects=False,
        )
        return response is not None and response.status_code == 302

    while time.time() < stop:
        roll = rnd.random()
        instrument = f"SCALE-{rnd.randrange(INSTRUMENTS):03d}"
        if roll < 0.70:
            choice = rnd.random()
            if choice < 0.15:
                path = f"/search/?q={rnd.choice(QUERIES)}"
            elif choice < 0.25:
                path = f"/api/v1/search/?q={rnd.choice(QUERIES)}"
            elif choice < 0.45:
                path = f"/instruments/{instrument}/"
            else:
                path = rnd.choice(ANON)
            timed("anonymous", anonymous, "GET", path)
            continue
        if not signed_in:
            signed_in = login()
            if not signed_in:
                time.sleep(0.5)
                continue
        if roll < 0.90:
            path = rnd.choice(
                ["/api/v1/me/", "/api/v1/bookings/", "/bookings/", f"/instruments/{instrument}/"]
            )
            timed("signed-in", session, "GET", path)
            continue
        day = dt.date.today() + dt.timedelta(days=rnd.randrange(2, 16))
        # 00:00–23:00 starts: every hour lies inside the 00:00–23:59 opening hours.
        start = dt.datetime.combine(day, dt.time(rnd.randrange(23)), SHANGHAI)
        response = timed(
            "booking",
            session,
            "POST",
            "/api/v1/bookings/",
            ok=(201, 409),
            json={
                "instrument": instrument,
                "start": start.isoformat(),
                "end": (start + dt.timedelta(hours=1)).isoformat(),
                "purpose": "压测",
            },
            headers={
                "X-CSRFToken": session.cookies.get("csrftoken", ""),
                "Referer": base + "/",
            },
        )
        if response is not None:
            code = str(response.status_code)
            if response.status_code == 400:
                code += " " + str(response.json().get("code", ""))[:40]
            with tally.lock:
                tally.bookings[code] += 1


def floor_probe(base: str, verify: str, stop: float, tally: Tally) -> None:
    client = requests.Session()
    client.trust_env = False
    client.verify = verify
    while time.time() < stop:
        started = time.perf_counter()
        try:
            response = client.get(base + "/bench/floor", timeout=30)
            if response.status_code == 200:
                tally.floor.append(time.perf_counter() - started)
        except requests.RequestException:
            pass
        time.sleep(0.1)


def percentile(values: list, q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


# --- CPU accounting from /proc ---------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _proc_table() -> dict[int, tuple[int, float]]:
    """pid → (parent pid, CPU seconds used so far)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        table[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK)
    return table


def tree_cpu(roots: list[int]) -> float:
    """CPU seconds used so far by `roots` and every process under them."""
    table = _proc_table()
    children = defaultdict(list)
    for pid, (parent, _cpu) in table.items():
        children[parent].append(pid)
    total, stack = 0.0, list(roots)
    while stack:
        pid = stack.pop()
        if pid in table:
            total += table[pid][1]
            stack.extend(children[pid])
    return total


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    total = sum(values)
    idle = values[3] + values[4]
    return (total - idle) / TICK, total / TICK


class DatabaseSampler(threading.Thread):
    """Every second: the CPU used so far by each PostgreSQL backend serving the run's database
    (the servers', the worker's), so that backends closed during the run still count; and the
    database's committed transactions (in autocommit, about one per query) at start and end."""

    def __init__(self, url: str, stop: float):
        super().__init__(daemon=True)
        self.url, self.stop = url, stop
        self.cpu: dict[int, float] = {}
        self.start_cpu: dict[int, float] = {}

    def _backends(self, connection) -> dict[int, float]:
        pids = [
            row[0]
            for row in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        ]
        table = _proc_table()
        return {pid: table[pid][1] for pid in pids if pid in table}

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            self.start_cpu = self._backends(connection)
            self.cpu.update(self.start_cpu)
            while time.time() < self.stop:
                self.cpu.update(self._backends(connection))
                time.sleep(1)
            self.cpu.update(self._backends(connection))

    def used(self) -> float:
        return sum(cpu - self.start_cpu.get(pid, 0.0) for pid, cpu in self.cpu.items())


def committed_transactions(url: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("SELECT pg_stat_clear_snapshot()")
        return connection.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database "
            "WHERE datname = current_database()"
        ).fetchone()[0]


# --- processes -------------------------------------------------------------------------------


NGINX_CONF = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  upstream app {{ {servers} keepalive 32; }}
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {tmp}/cert.pem;
    ssl_certificate_key {tmp}/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:1m;
    location / {{
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $http_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
"""


def start(args: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 — our interpreter, nginx
        args, cwd=ROOT, env=env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT
    )


def stop_all(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def wait_for(url: str, proc: subprocess.Popen, verify: str | bool = True, timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"[scale] the process serving {url} exited ({proc.returncode})")
        try:
            requests.get(url, timeout=10, verify=verify)
            return
        except requests.RequestException:
            time.sleep(0.5)
    raise SystemExit(f"[scale] {url} did not answer")


def certificate(tmp: Path) -> None:
    subprocess.run(  # noqa: S603
        [  # noqa: S607 — Debian's openssl
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(tmp / "key.pem"),
            "-out",
            str(tmp / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )


def in_django(flag: str, env: dict) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, __file__, flag],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def run_configuration(servers: int, opts, env: dict, tmp: Path) -> dict:
    in_django("--reset", env)
    procs = []
    ports = [free_port() for _ in range(servers)]
    verify = str(tmp / "cert.pem")
    try:
        for n, port in enumerate(ports):
            procs.append(
                start(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "-c",
                        "config/gunicorn.py",
                        "config.wsgi:application",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        str(opts.workers),
                        "--access-logfile",
                        "/dev/null",
                    ],
                    env,
                    tmp / f"gunicorn-{servers}-{n}.log",
                )
            )
        for port, proc in zip(ports, procs, strict=True):
            wait_for(f"http://127.0.0.1:{port}/healthz", proc)
        proxy_port = free_port()
        conf = tmp / f"nginx-{servers}.conf"
        conf.write_text(
            NGINX_CONF.format(
                tmp=tmp,
                port=proxy_port,
                servers=" ".join(f"server 127.0.0.1:{p};" for p in ports),
            )
        )
        nginx = start([opts.nginx, "-c", str(conf), "-g", "daemon off;"], env, tmp / "nginx.log")
        procs.append(nginx)
        base = f"https://127.0.0.1:{proxy_port}"
        wait_for(base + "/healthz", nginx, verify)
        # Warm every worker: imports, templates, the first connections.
        for path in ["/", "/instruments/", "/search/?q=显微镜", "/accounts/login/"]:
            for _ in range(2 * servers * opts.workers):
                requests.get(base + path, timeout=60, verify=verify)
        in_django("--reset", env)  # cold page cache, as after a deploy
        idle_floor = []
        with requests.Session() as client:
            client.trust_env = False
            for _ in range(100):
                started = time.perf_counter()
                client.get(base + "/bench/floor", timeout=30, verify=verify)
                idle_floor.append(time.perf_counter() - started)
        app_pids = [proc.pid for proc in procs]
        load_before = os.getloadavg()[0]
        cpu_before = (tree_cpu(app_pids), sum(os.times()[:2]), machine_cpu())
        tally = Tally()
        stop = time.time() + opts.duration
        transactions_before = committed_transactions(env["DATABASE_URL"])
        sampler = DatabaseSampler(env["DATABASE_URL"], stop)
        sampler.start()
        threads = [
            threading.Thread(target=visitor, args=(n, base, verify, stop, tally, servers))
            for n in range(opts.concurrency)
        ]
        threads.append(threading.Thread(target=floor_probe, args=(base, verify, stop, tally)))
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        cpu_after = (tree_cpu(app_pids), sum(os.times()[:2]), machine_cpu())
        load_after = os.getloadavg()[0]
        sampler.join()
    finally:
        stop_all(procs)
    # After the servers closed their connections, which flushes their statistics.
    time.sleep(1)
    transactions = committed_transactions(env["DATABASE_URL"]) - transactions_before
    server_errors = sum(
        (tmp / f"gunicorn-{servers}-{n}.log").read_text(errors="replace").count("Traceback")
        for n in range(servers)
    )
    busy = cpu_after[2][0] - cpu_before[2][0]
    capacity = cpu_after[2][1] - cpu_before[2][1]
    return {
        "servers": servers,
        "load": (load_before, load_after),
        "elapsed": elapsed,
        "rps": len(tally.latencies) / elapsed,
        "requests": len(tally.latencies),
        "p50": percentile(tally.latencies, 0.50),
        "p95": percentile(tally.latencies, 0.95),
        "p99": percentile(tally.latencies, 0.99),
        "kinds": {
            kind: (len(values), percentile(values, 0.50), percentile(values, 0.95))
            for kind, values in sorted(tally.by_kind.items())
        },
        "floor": (len(tally.floor), percentile(tally.floor, 0.50), percentile(tally.floor, 0.95)),
        "idle_floor": (len(idle_floor), percentile(idle_floor, 0.50), percentile(idle_floor, 0.95)),
        "transactions": transactions,
        "cpu_database": sampler.used() / elapsed,
        "errors": sum(tally.errors.values()),
        "error_kinds": dict(tally.errors),
        "tracebacks": server_errors,
        "bookings": dict(tally.bookings),
        "cache": dict(tally.cache),
        # CPU as a share of one core, averaged over the run; the machine's over all its cores.
        "cpu_servers": (cpu_after[0] - cpu_before[0]) / elapsed,
        "cpu_client": (cpu_after[1] - cpu_before[1]) / elapsed,
        "cpu_machine": busy / capacity if capacity else float("nan"),
    }


def scale_database_url(url: str) -> str:
    """DATABASE_URL's server, database name + "_scale": the run never writes the original."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_scale"))


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            log(f"creating database {name}")
            connection.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--elasticsearch-url", default=os.environ.get("ELASTICSEARCH_URL", ""))
    parser.add_argument(
        "--index-prefix", default="", help="Elasticsearch index prefix (default: the database name)"
    )
    parser.add_argument("--duration", type=int, default=90, help="seconds per configuration")
    parser.add_argument("--servers", default="1,2", help="app server counts to run, in order")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--concurrency", type=int, default=16, help="simultaneous visitors")
    parser.add_argument("--instruments", default="2000", help="generated catalogue size")
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    parser.add_argument("--skip-seed", action="store_true")
    for internal in ("--seed", "--reset", "--check"):
        parser.add_argument(internal, action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.seed:
        return seed()
    if opts.reset:
        return reset()
    if opts.check:
        return double_bookings()
    url = opts.database_url
    if not url and os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        url = scale_database_url(os.environ["DATABASE_URL"])
    if not url.startswith(("postgres://", "postgresql://")):
        log("skipped: needs PostgreSQL (--database-url or DATABASE_URL=postgres://…)")
        return None
    if not Path(opts.nginx).exists():
        log("skipped: needs nginx (apt-get install nginx-light)")
        return None
    ensure_database(url)
    prefix = opts.index_prefix or urlsplit(url).path.lstrip("/")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "bench.lib.scale_settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": url,
        "DB_CONN_MAX_AGE": "60",
        "TASK_BACKEND": "database",
        "NUM_PROXIES": "1",
        "ELASTICSEARCH_URL": opts.elasticsearch_url,
        "ELASTICSEARCH_INDEX_PREFIX": prefix,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    for name in ("CACHE_URL", "PAGE_CACHE_URL", "PAGE_CACHE"):
        env.pop(name, None)  # production's defaults: the shared database caches, on
    tmp = Path(tempfile.mkdtemp(prefix="scale-"))
    certificate(tmp)
    if not opts.skip_seed:
        sizes = opts.instruments
        for args in (
            manage("migrate", "--noinput", "-v0"),
            manage("load_demo"),
            manage(
                "generate_catalogue",
                "--instruments",
                sizes,
                "--incubators",
                str(int(sizes) // 4),
                "--technologies",
                str(int(sizes) * 3 // 4),
                "--seed",
                "20260101",
                "-o",
                str(tmp / "catalogue.json"),
            ),
            manage("import_catalogue", str(tmp / "catalogue.json"), "--no-progress"),
            [sys.executable, __file__, "--seed"],
            manage("rebuild_search_index", "--no-progress"),
        ):
            log(" ".join(args[1:3]) + " …")
            subprocess.run(args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    # Always, --skip-seed too: production's manifest storage answers 500 on every page that
    # names a static file missing from this checkout's STATIC_ROOT.
    subprocess.run(  # noqa: S603
        manage("collectstatic", "--noinput", "-v0"), cwd=ROOT, env=env, check=True
    )
    worker = start(manage("db_worker"), env, tmp / "worker.log")
    results = []
    try:
        for servers in [int(n) for n in opts.servers.split(",")]:
            log(f"{servers} app server(s) × {opts.workers} workers, {opts.duration} s …")
            result = run_configuration(servers, opts, env, tmp)
            result["double_bookings"], result["active_bookings"] = map(
                int, in_django("--check", env).split()
            )
            results.append(result)
            log(str(result))
    finally:
        stop_all([worker])
    print(table(results, opts))  # noqa: T201
    log(f"logs in {tmp}")
    failed = [r["servers"] for r in results if r["errors"] or r["double_bookings"]]
    if failed:
        # A run with errors measured failures, not the mix: say so by the exit status too.
        log(f"errors or double bookings with {failed} app server(s): see the logs")
        sys.exit(1)


def table(results: list[dict], opts) -> str:
    lines = [
        f"{opts.concurrency} simultaneous visitors, {opts.duration} s per configuration, "
        f"gunicorn {opts.workers} sync workers per server, nginx (TLS) round robin, 1 db_worker, "
        f"{os.cpu_count()} logical cores.",
        "",
        "| app servers | load avg start → end | requests | req/s | p50 ms | p95 ms | p99 ms "
        "| idle floor p50 ms | p50 ÷ idle floor | errors | bookings 201 / 409 / other | active bookings "
        "| double bookings | page cache hit rate |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for r in results:
        booked = r["bookings"]
        other = sum(v for k, v in booked.items() if not k.startswith(("201", "409")))
        hits = r["cache"].get("hit", 0)
        looked = hits + r["cache"].get("miss", 0)
        rate = f"{100 * hits / looked:.0f} % ({hits}/{looked})" if looked else "—"
        floor = r["idle_floor"][1]
        lines.append(
            f"| {r['servers']} | {r['load'][0]:.1f} → {r['load'][1]:.1f} | {r['requests']} "
            f"| {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} "
            f"| {floor:.0f} | {r['p50'] / floor:.1f}× | {r['errors']} "
            f"| {booked.get('201', 0)} / {booked.get('409', 0)} / {other} "
            f"| {r['active_bookings']} | {r['double_bookings']} | {rate} |"
        )
    lines += [
        "",
        "| app servers | kind | requests | p50 ms | p95 ms |",
        "|---:|---|---:|---:|---:|",
    ]
    for r in results:
        for kind, (count, p50, p95) in [
            *r["kinds"].items(),
            ("floor under the load", r["floor"]),
            ("floor before the load", r["idle_floor"]),
        ]:
            lines.append(f"| {r['servers']} | {kind} | {count} | {p50:.0f} | {p95:.0f} |")
    lines += [
        "",
        "| app servers | CPU (cores): app servers + nginx | PostgreSQL backends "
        "| load generator | whole machine busy (all sessions) | requests per app-server "
        "CPU-second | DB transactions per request |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        per_cpu = r["requests"] / (r["cpu_servers"] * r["elapsed"])
        lines.append(
            f"| {r['servers']} | {r['cpu_servers']:.2f} | {r['cpu_database']:.2f} "
            f"| {r['cpu_client']:.2f} | {100 * r['cpu_machine']:.0f} % | {per_cpu:.0f} "
            f"| {r['transactions'] / max(r['requests'], 1):.1f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
