"""Multi-server run (issue 17): a task worker, 1 then 2 gunicorn app servers behind nginx, a
realistic load, and the database checked for double bookings afterwards.

    .venv/bin/python bench/scale.py --database-url postgres://u:pw@127.0.0.1:25432/sc_hperf \
        --elasticsearch-url http://127.0.0.1:9200 --duration 60

What it starts, all on this machine and on loopback: `manage.py db_worker` (TASK_BACKEND=
database: index updates and mail leave the request), N gunicorn servers (bench settings: the
dev settings with DEBUG off, NUM_PROXIES=1, persistent connections), nginx from Debian
(`apt-get install nginx-light`) as the reverse proxy in front of them, round robin. The load
generator is a pool of threads, each a visitor with its own session and its own address
(X-Forwarded-For, which nginx passes on as the edge would), running this mix:

- 70 % anonymous reads: home, the catalogue lists and an instrument's page, the API list,
  and search (page and API) over a few common queries;
- 20 % logged-in reads: /api/v1/me/, the visitor's bookings (page and API), an instrument;
- 10 % bookings: one hour on one of 100 instruments, at a random hour of the next 14 days
  (collisions are expected: the loser gets 409, which is a correct answer, not an error).

Reported per configuration: requests/s, p50/p95/p99 (client-side, to the last byte), errors
(5xx, connection failures, anything unexpected: must be 0), booking outcomes, the page cache's
hit rate (X-Page-Cache on anonymous pages), and after the run the number of overlapping
active bookings on one instrument in the database (must be 0). The data are seeded once:
migrate, a generated catalogue (imported, hence indexed), and 100 bookable instruments of
one institution with their visitors.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "scale-bench-Password-9"  # noqa: S105 — the seeded load visitors
USERS = 200
INSTRUMENTS = 100
QUERIES = ["显微镜", "质谱", "光谱仪", "检测", "孵化器", "专利"]


def log(message: str) -> None:
    print(f"[scale] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


# --- seeding (runs inside Django: `bench/scale.py --seed`) ----------------------------------


def seed() -> None:
    import django

    django.setup()
    import datetime as dt
    from decimal import Decimal

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
    for n in range(USERS):
        if not User.objects.filter(username=f"load{n}").exists():
            User.objects.create_user(f"load{n}", f"load{n}@example.org", PASSWORD)
    log(f"seeded {INSTRUMENTS} instruments, {USERS} visitors")


def double_bookings() -> None:
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM bookings_booking a JOIN bookings_booking b
               ON a.instrument_id = b.instrument_id AND a.id < b.id
               AND a.start < b."end" AND b.start < a."end"
               WHERE a.status IN ('pending_approval','awaiting_payment','confirmed')
               AND b.status IN ('pending_approval','awaiting_payment','confirmed')"""
        )
        overlapping = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM bookings_booking WHERE instrument_id IN "
            "(SELECT id FROM catalogue_instrument WHERE code LIKE 'SCALE-%%')"
        )
        total = cursor.fetchone()[0]
    print(f"{overlapping} {total}")


# --- the load --------------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: list = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    bookings: Counter = field(default_factory=Counter)
    cache: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


ANON = ["/", "/instruments/", "/incubators/", "/technologies/", "/api/v1/instruments/"]


def visitor(number: int, base: str, stop: float, tally: Tally, seed_value: int) -> None:
    rnd = random.Random(seed_value * 1000 + number)
    session = requests.Session()
    session.headers["X-Forwarded-For"] = f"10.{number // 250}.{number % 250}.{seed_value % 250}"
    anonymous = requests.Session()
    anonymous.headers["X-Forwarded-For"] = session.headers["X-Forwarded-For"]
    username = f"load{number % USERS}"
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
            tally.kinds[kind] += 1
            if response.status_code not in ok:
                tally.errors[f"{kind} {path.split('?')[0]}: {response.status_code}"] += 1
            if kind == "anonymous" and "X-Page-Cache" in response.headers:
                tally.cache[response.headers["X-Page-Cache"]] += 1
        return response

    def login() -> bool:
        page = timed("login", session, "GET", "/accounts/login/")
        if page is None:
            return False
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        response = timed(
            "login",
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
            timed("logged-in", session, "GET", path)
            continue
        import datetime as dt
        from zoneinfo import ZoneInfo

        day = dt.date.today() + dt.timedelta(days=rnd.randrange(2, 16))
        start = dt.datetime.combine(day, dt.time(rnd.randrange(24)), ZoneInfo("Asia/Shanghai"))
        response = timed(
            "booking",
            session,
            "POST",
            "/api/v1/bookings/",
            ok=(201, 409, 400),
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
            code = response.status_code
            reason = ""
            if code == 400:
                reason = " " + str(response.json().get("code", ""))[:40]
            with tally.lock:
                tally.bookings[f"{code}{reason}"] += 1


def percentile(values: list, q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


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
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $http_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto http;
    }}
  }}
}}
"""


def start(args: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 — our interpreter, nginx
        args, cwd=ROOT, env=env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT
    )


def wait_for(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=10)
            return
        except requests.RequestException:
            time.sleep(0.5)
    raise SystemExit(f"[scale] {url} did not answer")


def run_configuration(servers: int, opts, env: dict, tmp: Path) -> dict:
    procs = []
    ports = [free_port() for _ in range(servers)]
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
        for port in ports:
            wait_for(f"http://127.0.0.1:{port}/healthz")
        proxy_port = free_port()
        conf = tmp / f"nginx-{servers}.conf"
        conf.write_text(
            NGINX_CONF.format(
                tmp=tmp,
                port=proxy_port,
                servers=" ".join(f"server 127.0.0.1:{p};" for p in ports),
            )
        )
        procs.append(start([opts.nginx, "-c", str(conf), "-g", "daemon off;"], env, tmp / "ng"))
        base = f"http://127.0.0.1:{proxy_port}"
        wait_for(base + "/healthz")
        for path in ["/", "/instruments/", "/search/?q=显微镜"]:  # warm the processes
            for _ in range(servers * opts.workers):
                requests.get(base + path, timeout=30)
        load = os.getloadavg()[0]
        tally = Tally()
        stop = time.time() + opts.duration
        threads = [
            threading.Thread(target=visitor, args=(n, base, stop, tally, servers))
            for n in range(opts.concurrency)
        ]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    requests_done = len(tally.latencies)
    return {
        "servers": servers,
        "load": load,
        "rps": requests_done / elapsed,
        "requests": requests_done,
        "p50": percentile(tally.latencies, 0.50),
        "p95": percentile(tally.latencies, 0.95),
        "p99": percentile(tally.latencies, 0.99),
        "errors": sum(tally.errors.values()),
        "error_kinds": dict(tally.errors),
        "kinds": dict(tally.kinds),
        "bookings": dict(tally.bookings),
        "cache": dict(tally.cache),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--elasticsearch-url", default=os.environ.get("ELASTICSEARCH_URL", ""))
    parser.add_argument("--index-prefix", default="hperf-scale")
    parser.add_argument("--duration", type=int, default=60, help="seconds per configuration")
    parser.add_argument("--servers", default="1,2", help="app server counts to run, in order")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--concurrency", type=int, default=16, help="simultaneous visitors")
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.seed:
        return seed()
    if opts.check:
        return double_bookings()
    if not opts.database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("[scale] needs --database-url postgres://… (one database, N servers)")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "bench.lib.settings",
        "DATABASE_URL": opts.database_url,
        "DB_CONN_MAX_AGE": "60",
        "TASK_BACKEND": "database",
        "NUM_PROXIES": "1",
        "ELASTICSEARCH_URL": opts.elasticsearch_url,
        "ELASTICSEARCH_INDEX_PREFIX": opts.index_prefix,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    tmp = Path(tempfile.mkdtemp(prefix="scale-"))
    if not opts.skip_seed:
        for args in (
            manage("migrate", "--noinput", "-v0"),
            manage("createcachetable"),
            manage(
                "generate_catalogue",
                "--instruments",
                "2000",
                "--incubators",
                "500",
                "--technologies",
                "1500",
                "--seed",
                "20260101",
                "-o",
                str(tmp / "catalogue.json"),
            ),
            manage("import_catalogue", str(tmp / "catalogue.json"), "--no-progress"),
            [sys.executable, __file__, "--seed"],
        ):
            log(" ".join(args[1:3]) + " …")
            subprocess.run(args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    worker = start(manage("db_worker"), env, tmp / "worker.log")
    results = []
    try:
        for servers in [int(n) for n in opts.servers.split(",")]:
            log(f"{servers} app server(s) × {opts.workers} workers, {opts.duration} s …")
            result = run_configuration(servers, opts, env, tmp)
            check = subprocess.run(  # noqa: S603
                [sys.executable, __file__, "--check"],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            result["double_bookings"], result["scale_bookings"] = map(int, check.stdout.split())
            results.append(result)
            log(str(result))
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    print(table(results, opts))


def table(results: list[dict], opts) -> str:
    lines = [
        f"{opts.concurrency} simultaneous visitors, {opts.duration} s per configuration, "
        f"gunicorn {opts.workers} sync workers per server, nginx round robin, 1 db_worker.",
        "",
        "| app servers | load avg at start | requests | req/s | p50 ms | p95 ms | p99 ms "
        "| errors | bookings 201 / 409 / other | double bookings | page cache hit rate |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in results:
        booked = r["bookings"]
        other = sum(v for k, v in booked.items() if not k.startswith(("201", "409")))
        hits = r["cache"].get("hit", 0)
        looked = hits + r["cache"].get("miss", 0)
        rate = f"{100 * hits / looked:.0f} % ({hits}/{looked})" if looked else "—"
        lines.append(
            f"| {r['servers']} | {r['load']:.1f} | {r['requests']} | {r['rps']:.1f} "
            f"| {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | {r['errors']} "
            f"| {booked.get('201', 0)} / {booked.get('409', 0)} / {other} "
            f"| {r['double_bookings']} | {rate} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
