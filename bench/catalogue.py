"""Catalogue benchmark: import 100,000 generated listings, then time the public API and pages.

    .venv/bin/python bench/catalogue.py                    # 100,000 listings, temporary SQLite
    .venv/bin/python bench/catalogue.py --quick            # 2,000 listings, a smoke run
    .venv/bin/python bench/catalogue.py --database-url postgres://user:pw@host/postgres

Steps, each in its own process so the database URL is in the environment before Django starts:
a fresh database (a temporary SQLite file, or a new database created on the given PostgreSQL
server and dropped afterwards), `migrate`, `generate_catalogue` (40% instruments, 20%
incubators, 40% technologies, one institution per ~200 listings), `import_catalogue` timed,
the same import again (nothing changes) timed, then a real gunicorn server (1 sync worker) and
N sequential requests per endpoint: p50/p95 latency, and the SQL queries each request ran
(reported by a bench-only middleware in a response header). The floor is a bare Django view
on the same server. Endpoints answering 404 are reported as missing.

A full run (not --quick) rewrites the marked section of docs/performance.md; BENCH_LISTINGS
sets the default size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "performance.md"
MARK = "<!-- bench:catalogue:{family}:{edge} -->"  # one section per database family
QUERY_HEADER = "X-Bench-Queries"  # bench/lib/query_count.py
DETAIL_CODES = 10  # detail requests cycle through this many different listings
WARMUP = 5


# --- Steps ---------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run_step(label: str, args: list[str], env: dict, *, stdout=None) -> float:
    """Run one command to completion; its wall time in seconds. Exits on failure."""
    log(f"{label} …")
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 -- our own interpreter and manage.py
        args, cwd=ROOT, env=env, stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE
    )
    elapsed = time.perf_counter() - started
    if result.returncode:
        sys.stderr.write(result.stderr.decode("utf-8", "replace")[-4000:])
        raise SystemExit(f"[bench] {label} failed with exit status {result.returncode}")
    if stdout is None and result.stdout:
        for line in result.stdout.decode("utf-8", "replace").splitlines():
            log(f"  {line}")
    log(f"{label}: {elapsed:.1f} s")
    return elapsed


def manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


@dataclass
class Database:
    url: str
    engine: str
    drop: str | None = None  # PostgreSQL database to drop afterwards
    admin_url: str | None = None

    def size_mb(self) -> float | None:
        """Size of a SQLite database on disk, with its write-ahead log."""
        if not self.url.startswith("sqlite:///"):
            return None
        path = Path(self.url.removeprefix("sqlite:///"))
        files = [path, path.with_name(path.name + "-wal")]
        return sum(f.stat().st_size for f in files if f.exists()) / 1e6

    def cleanup(self) -> None:
        if self.drop and self.admin_url:
            import psycopg

            from bench.lib.pg import drop_database

            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                drop_database(conn, self.drop)


def fresh_database(url: str | None, workdir: Path) -> Database:
    if not url:
        import sqlite3

        return Database(
            f"sqlite:///{workdir / 'bench.sqlite3'}", f"SQLite {sqlite3.sqlite_version}"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit("[bench] --database-url must be postgres://… (SQLite is the default)")
    import psycopg
    from psycopg import sql

    name = f"bench_catalogue_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        version = conn.info.server_version
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    engine = f"PostgreSQL {version // 10000}.{version % 10000}"
    fresh = urlunsplit(parts._replace(path=f"/{name}"))
    return Database(fresh, engine, drop=name, admin_url=url)


# --- Endpoints -----------------------------------------------------------------------------


@dataclass
class Endpoint:
    label: str
    paths: list[str]  # requests cycle through these


@dataclass
class Result:
    endpoint: Endpoint
    status: int
    timings_ms: list[float] = field(default_factory=list)
    queries: set[int] = field(default_factory=set)
    error: str = ""  # the exception behind a 500, from the server's log

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.timings_ms)

    @property
    def p50(self) -> float:
        return statistics.median(self.timings_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.timings_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def sample_codes(catalogue: dict, kind: str, count: int, accept=lambda r: True) -> list[str]:
    """`count` published codes spread evenly through the file."""
    records = [r for r in catalogue.get(kind, []) if r.get("published") and accept(r)]
    if not records:
        return []
    step = max(1, len(records) // count)
    return [r["code"] for r in records[::step][:count]]


def endpoints(catalogue: dict) -> list[Endpoint]:
    start = dt.date.today() + dt.timedelta(days=1)
    window = f"start={start.isoformat()}&end={(start + dt.timedelta(days=13)).isoformat()}"
    institutions = catalogue["institutions"]
    step = max(1, len(institutions) // DETAIL_CODES)
    institution_codes = [r["code"] for r in institutions[::step]][:DETAIL_CODES]
    published = sum(1 for r in catalogue["instruments"] if r.get("published"))
    pages = max(1, math.ceil(published / 20))
    middle_page = max(1, pages // 2)  # a deep page: OFFSET half-way through the list
    codes = {
        "instruments": sample_codes(catalogue, "instruments", DETAIL_CODES),
        "bookable": sample_codes(
            catalogue,
            "instruments",
            DETAIL_CODES,
            lambda r: "booking" in r and r.get("status", "in_service") == "in_service",
        ),
        "incubators": sample_codes(catalogue, "incubators", DETAIL_CODES),
        "technologies": sample_codes(catalogue, "technologies", DETAIL_CODES),
    }

    def each(template: str, key: str) -> list[str]:
        pool = institution_codes if key == "institutions" else codes[key]
        return [template.format(code=code) for code in pool]

    return [
        Endpoint("floor: bare Django view", ["/bench/floor"]),
        Endpoint("API institutions list", ["/api/v1/institutions/"]),
        Endpoint("API institution detail", each("/api/v1/institutions/{code}/", "institutions")),
        Endpoint("API instruments list", ["/api/v1/instruments/"]),
        Endpoint(
            "API instruments list, filtered",
            ["/api/v1/instruments/?region=530100&category=analytical"],
        ),
        Endpoint(
            f"API instruments list, page {middle_page} of {pages}",
            [f"/api/v1/instruments/?page_size=20&page={middle_page}"],
        ),
        Endpoint(
            "API instruments search q=显微镜",
            ["/api/v1/instruments/?q=%E6%98%BE%E5%BE%AE%E9%95%9C"],
        ),
        Endpoint("API instrument detail", each("/api/v1/instruments/{code}/", "instruments")),
        Endpoint(
            "API instrument availability (14 days)",
            each(f"/api/v1/instruments/{{code}}/availability/?{window}", "bookable"),
        ),
        Endpoint("API incubators list", ["/api/v1/incubators/"]),
        Endpoint(
            "API incubators list, filtered", ["/api/v1/incubators/?region=530100&type=incubator"]
        ),
        Endpoint("API incubator detail", each("/api/v1/incubators/{code}/", "incubators")),
        Endpoint("API technologies list", ["/api/v1/technologies/"]),
        Endpoint(
            "API technologies list, filtered",
            ["/api/v1/technologies/?ip_type=invention_patent&trl_min=6"],
        ),
        Endpoint("API technology detail", each("/api/v1/technologies/{code}/", "technologies")),
        Endpoint("page /instruments/", ["/instruments/"]),
        Endpoint(
            "page /instruments/, filtered", ["/instruments/?region=530100&category=analytical"]
        ),
        Endpoint("page instrument detail", each("/instruments/{code}/", "instruments")),
        Endpoint("page /incubators/", ["/incubators/"]),
        Endpoint("page incubator detail", each("/incubators/{code}/", "incubators")),
        Endpoint("page /technologies/", ["/technologies/"]),
        Endpoint("page technology detail", each("/technologies/{code}/", "technologies")),
        Endpoint("page /institutions/", ["/institutions/"]),
        Endpoint("page institution detail", each("/institutions/{code}/", "institutions")),
    ]


# --- The server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port: int, path: str) -> tuple[int, float, int | None]:
    """(status, milliseconds to the last byte, queries) for one GET on a new connection."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        accept = "application/json" if path.startswith("/api/") else "text/html"
        conn.request("GET", path, headers={"Accept": accept})
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    elapsed = (time.perf_counter() - started) * 1000
    queries = response.getheader(QUERY_HEADER)
    return response.status, elapsed, int(queries) if queries is not None else None


class Server:
    def __init__(self, env: dict, workdir: Path) -> None:
        self.port = free_port()
        self.log_path = workdir / "gunicorn.log"
        self.log_file = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 -- our own interpreter and gunicorn
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if fetch(self.port, "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        sys.stderr.write(self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:])
        raise SystemExit("[bench] gunicorn did not become ready")

    def last_exception(self) -> str:
        """The last line of the last traceback in the server's log, e.g. `KeyError: 'x'`."""
        self.log_file.flush()
        lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        for index in range(len(lines) - 1, -1, -1):
            if lines[index].startswith("Traceback"):
                tail = [line for line in lines[index + 1 :] if line and not line[0].isspace()]
                return tail[0] if tail else ""
        return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


def measure(port: int, endpoint: Endpoint, requests: int) -> Result:
    status, _elapsed, _queries = fetch(port, endpoint.paths[0])
    result = Result(endpoint, status)
    if status != 200:
        return result
    for index in range(WARMUP):
        fetch(port, endpoint.paths[index % len(endpoint.paths)])
    for index in range(requests):
        status, elapsed, queries = fetch(port, endpoint.paths[index % len(endpoint.paths)])
        if status != 200:
            result.status = status
            return result
        result.timings_ms.append(elapsed)
        if queries is not None:
            result.queries.add(queries)
    return result


# --- Report --------------------------------------------------------------------------------


def machine(engine: str) -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        match = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        if match:
            ram = f"{int(match.group(1)) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    versions = subprocess.run(  # noqa: S603 -- our own interpreter
        [
            sys.executable,
            "-c",
            "import django, wagtail, gunicorn; "
            "print(django.get_version(), wagtail.__version__, gunicorn.__version__)",
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    django_v, wagtail_v, gunicorn_v = (versions + ["?", "?", "?"])[:3]
    return {
        "CPU": f"{cpu}, {os.cpu_count()} logical cores",
        "RAM": ram,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Django / Wagtail / gunicorn": f"{django_v} / {wagtail_v} / {gunicorn_v}",
        "Database": engine,
    }


def table(results: list[Result]) -> str:
    floor = next((r for r in results if r.endpoint.paths == ["/bench/floor"] and r.ok), None)
    lines = [
        "| endpoint | p50 ms | p95 ms | queries/request | p50 vs floor |",
        "|---|---:|---:|---:|---:|",
    ]
    for result in results:
        label = result.endpoint.label
        if not result.ok:
            what = "missing (404)" if result.status == 404 else f"error (HTTP {result.status})"
            lines.append(f"| {label} | {what} | | | |")
            continue
        queries = "–"
        if result.queries:
            low, high = min(result.queries), max(result.queries)
            queries = str(low) if low == high else f"{low}–{high}"
        ratio = f"{result.p50 / floor.p50:.1f}×" if floor else "–"
        lines.append(f"| {label} | {result.p50:.1f} | {result.p95:.1f} | {queries} | {ratio} |")
    return "\n".join(lines)


def report(
    facts: dict[str, str],
    sizes: dict[str, int],
    timings: dict[str, float],
    results: list[Result],
    requests: int,
    command: str,
) -> str:
    total = sizes["instruments"] + sizes["incubators"] + sizes["technologies"]
    missing = [
        f"{r.endpoint.label} ({r.error or f'HTTP {r.status}'})"
        if r.status >= 500
        else r.endpoint.label
        for r in results
        if not r.ok
    ]
    lines = [
        f"## {facts['Database'].split()[0]}, {total:,} listings",
        "",
        f"Measured {dt.date.today().isoformat()} with `{command}`.",
        "",
        "**Machine**",
        "",
        *[f"- {key}: {value}" for key, value in facts.items()],
        "",
        "**Data**",
        "",
        f"- {total:,} listings: {sizes['instruments']:,} instruments, "
        f"{sizes['incubators']:,} incubators, {sizes['technologies']:,} technologies; "
        f"{sizes['institutions']:,} institutions "
        f"(`generate_catalogue --seed {sizes['seed']}`, {sizes['file_mb']:.0f} MB of JSON)",
        "",
        "**Import** (`manage.py import_catalogue FILE --no-progress`, wall time of the command)",
        "",
        f"- generate the file: {timings['generate']:.1f} s; migrate the empty database: "
        f"{timings['migrate']:.1f} s",
        f"- import into the empty database: {timings['import']:.1f} s",
        f"- re-import of the same file (nothing changes): {timings['reimport']:.1f} s",
        *(
            [f"- database size after import: {sizes['database_mb']:.0f} MB"]
            if sizes.get("database_mb")
            else []
        ),
        "",
        f"**Requests** (gunicorn, 1 sync worker, {requests} sequential requests per endpoint "
        f"after {WARMUP} warm-up requests, a new connection each; detail endpoints cycle "
        f"through {DETAIL_CODES} listings; 1-minute load average when they started: "
        f"{timings['load']:.2f})",
        "",
        table(results),
    ]
    if missing:
        lines += ["", f"Not measured (the endpoint did not answer 200): {', '.join(missing)}."]
    return "\n".join(lines)


DOC_HEAD = """# Performance

What the catalogue costs at realistic scale, measured by `bench/catalogue.py` (`make bench`
runs it; `--quick` is a smoke run that leaves this file alone). Each section between
`bench:catalogue` markers is rewritten by the next full run on that database (SQLite by
default, PostgreSQL with `--database-url`); edit around them, not inside.

How it measures: a fresh database is migrated, `generate_catalogue` writes a deterministic
catalogue file, and `import_catalogue` loads it twice through the real command (the second
run finds every record unchanged). Then a real gunicorn server with one sync worker answers
sequential requests from the same machine; latency is client-side wall time to the last byte,
including the TCP connect. Queries per request are counted on the server by a bench-only
middleware (`bench/lib/query_count.py`) for exactly the requests timed. The floor is a Django
view returning constant JSON through the same middleware stack, so "p50 vs floor" is what the
endpoint's own work costs in multiples of the framework's fixed cost. The benchmark server
runs the dev settings with `DEBUG = False` (`bench/lib/settings.py`) and without
Elasticsearch, so search uses the database engine.

"""


def write_docs(section: str, family: str) -> None:
    start, end = (MARK.format(family=family, edge=edge) for edge in ("start", "end"))
    block = f"{start}\n{section}\n{end}"
    if DOCS.exists():
        text = DOCS.read_text(encoding="utf-8")
        if start in text and end in text:
            head, rest = text.split(start, 1)
            tail = rest.split(end, 1)[1]
            text = head + block + tail
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
    else:
        DOCS.parent.mkdir(parents=True, exist_ok=True)
        text = DOC_HEAD + block + "\n"
    DOCS.write_text(text, encoding="utf-8")
    log(f"updated {DOCS}")


# --- Main ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--listings",
        type=int,
        default=None,
        help="listings to generate (default: $BENCH_LISTINGS or 100000; 2000 with --quick)",
    )
    parser.add_argument("--quick", action="store_true", help="2,000 listings, 20 requests each")
    parser.add_argument("--requests", type=int, default=None, help="timed requests per endpoint")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument(
        "--database-url", default=None, help="postgres://… server to create a fresh database on"
    )
    parser.add_argument(
        "--docs",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="rewrite docs/performance.md (default: on for full runs, off for --quick)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.listings is None:
        args.listings = 2_000 if args.quick else int(os.environ.get("BENCH_LISTINGS") or 100_000)
    if args.requests is None:
        args.requests = 20 if args.quick else 100
    if args.docs is None:
        args.docs = not args.quick
    if args.listings < 10 or args.requests < 1:
        parser.error("--listings must be at least 10 and --requests at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="bench-catalogue-"))
    database = fresh_database(args.database_url, workdir)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("ELASTICSEARCH_URL", "STRIPE_API_BASE", "STRIPE_SECRET_KEY")
    }
    env.update(
        DATABASE_URL=database.url,
        DJANGO_SETTINGS_MODULE="bench.lib.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        MEDIA_ROOT=str(workdir / "media"),
        # Pages are measured as rendered: repeated requests would otherwise be page-cache hits.
        # bench/pages.py measures them from the page cache too.
        PAGE_CACHE="0",
    )
    instruments = round(args.listings * 0.4)
    incubators = round(args.listings * 0.2)
    sizes = {
        "instruments": instruments,
        "incubators": incubators,
        "technologies": args.listings - instruments - incubators,
        "seed": args.seed,
    }
    catalogue_path = workdir / "catalogue.json"
    server = None
    try:
        timings = {"migrate": run_step("migrate", manage("migrate", "--noinput", "-v", "0"), env)}
        timings["generate"] = run_step(
            "generate_catalogue",
            manage(
                "generate_catalogue",
                f"--instruments={sizes['instruments']}",
                f"--incubators={sizes['incubators']}",
                f"--technologies={sizes['technologies']}",
                f"--seed={args.seed}",
                f"--output={catalogue_path}",
            ),
            env,
        )
        sizes["file_mb"] = catalogue_path.stat().st_size / 1e6
        with catalogue_path.open(encoding="utf-8") as file:
            catalogue = json.load(file)
        sizes["institutions"] = len(catalogue["institutions"])
        timings["import"] = run_step(
            "import_catalogue",
            manage("import_catalogue", str(catalogue_path), "--no-progress"),
            env,
        )
        timings["reimport"] = run_step(
            "import_catalogue again (unchanged)",
            manage("import_catalogue", str(catalogue_path), "--no-progress"),
            env,
        )
        sizes["database_mb"] = database.size_mb()
        plan = endpoints(catalogue)
        del catalogue
        server = Server(env, workdir)
        server.wait_ready()
        timings["load"] = os.getloadavg()[0]
        log(f"gunicorn on 127.0.0.1:{server.port}; {args.requests} requests per endpoint")
        results = []
        for endpoint in plan:
            result = measure(server.port, endpoint, args.requests)
            if result.status >= 500:
                result.error = server.last_exception()
            shown = f"p50 {result.p50:.1f} ms" if result.ok else f"HTTP {result.status}"
            shown += f" {result.error}" if result.error else ""
            log(f"  {endpoint.label}: {shown}")
            results.append(result)
    finally:
        if server:
            server.stop()
        database.cleanup()
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    command = " ".join(["bench/catalogue.py", *(argv if argv is not None else sys.argv[1:])])
    section = report(
        machine(database.engine), sizes, timings, results, args.requests, command.strip()
    )
    print(section)
    if args.docs:
        write_docs(section, "postgresql" if database.drop else "sqlite")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
