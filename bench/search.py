"""Search benchmark: index N generated listings, then time searches and suggestions.

    .venv/bin/python bench/search.py                          # 100,000 listings, SQLite
    .venv/bin/python bench/search.py --listings 2000          # a smoke run
    .venv/bin/python bench/search.py --elasticsearch-url http://127.0.0.1:9200
    .venv/bin/python bench/search.py --write-docs             # update docs/performance.md
    .venv/bin/python bench/search.py --reuse /tmp/catalogue.sqlite3   # an imported database
    .venv/bin/python bench/search.py --database-url postgres://…/shuangchuang_search_bench
    .venv/bin/python bench/search.py --database-url postgres://…/db --imported   # reuse it
    DATABASE_URL=… .venv/bin/python bench/search.py --profile 5   # where each query's time goes

Steps: a fresh SQLite database in a temporary folder (or a copy of --reuse, a database that
already holds an imported catalogue; or the PostgreSQL database of --database-url, which is
emptied first), `migrate`, `generate_catalogue --seed 20260101` (40% instruments, 20%
incubators, 40% technologies), `import_catalogue`, then in one process:
`rebuild` of the embedded index (and of Elasticsearch when a URL is given) timed as documents
per second, and sequential in-process searches (the engine call plus highlighting, without
HTTP) over a fixed query mix: p50/p95 per engine, suggestion p95, and the floor, interleaved
with the engine's searches: Elasticsearch's same request bodies sent raw through the same
client, or the database engine's same SQL statements sent raw on the same connection.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "performance.md"
START, END = "<!-- search:start -->", "<!-- search:end -->"
QUERIES = [
    "电镜",
    "扫描电镜",
    "SEM",
    "质谱",
    "液质",
    "核磁共振",
    "激光",
    "二氧化碳培养箱",
    "Orbitrap Exploris 480 高分辨质谱仪",
    "众创空间",
    "孵化器",
    "三七",
    "茶",
    "sanqi",
    "smdj",
    "扫描电境",
    "新材料 制备方法",
    "",
    "显微镜",
    "检测",
    "mass spectrometer",
    "microscope",
    "incubator",
    "TEM-01",
    "ZL2021",
    "dianjing",
    "xianweijing",
]
FILTERED = [{"kind": "instrument", "region": "530100"}, {"kind": "technology", "trl": "7-9"}]
SUGGEST = ["扫", "扫描", "sao", "smd", "质谱", "zc", "孵化", "三七", "ka", "激光", "xian", "dianj"]


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def step(label: str, args: list[str], env: dict) -> float:
    log(f"{label} …")
    started = time.perf_counter()
    subprocess.run(args, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    return time.perf_counter() - started


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


class CpuClock:
    """CPU time spent on a search, whatever the machine's load: this thread's (which on SQLite
    includes the database's work) plus, on PostgreSQL, that of the connection's server
    process on this machine; read from /proc/…/schedstat (nanoseconds on a core). Where the
    server is elsewhere or /proc is missing, only this thread's CPU time is counted."""

    def __init__(self, connection) -> None:
        self.paths = [f"/proc/self/task/{threading.get_native_id()}/schedstat"]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.paths.append(f"/proc/{cursor.fetchone()[0]}/schedstat")
        self.paths = [path for path in self.paths if Path(path).exists()]

    def __call__(self) -> float:
        """Seconds on a core so far (thread, plus server process)."""
        if not self.paths:
            return time.thread_time()
        return sum(int(Path(path).read_text().split()[0]) for path in self.paths) / 1e9


def django_setup() -> None:
    # this file is bench/search.py: its folder must not shadow the `search` app
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    sys.path.insert(0, str(ROOT))
    sys.modules.pop("search", None)
    import django

    django.setup()
    from search.backends import database

    # Every search of the mix is repeated: measured with the engine's kept matches, each
    # round after the first would send no full-text statement. This bench measures what a
    # search costs the engine (a query not seen since the index last changed); the repeated
    # query is bench/api.py's search rows.
    database.KEEP_MATCHES_BYTES = 0


def profile(repeat: int, queries: list[str]) -> None:
    """Where a search's time goes, per query of the mix (the --profile mode, run against the
    database of DATABASE_URL as it is): the median of `repeat` runs of the whole search and of
    each SQL statement it sends, and what remains in this process (parsing, facet arithmetic,
    highlighting). Printed as a table; with PROFILE_CPROFILE=1 also cProfile's top functions."""
    django_setup()
    from django.db import connection

    from search.engines import database_engine
    from search.query import parse_request, run

    engine = database_engine()
    for q in queries:  # warm up: facet arrays, jieba, vocabulary
        run(engine, parse_request({"q": q}))
    print(
        f"load {os.getloadavg()[0]:.1f}, {engine.document_count():,} documents, "
        f"{connection.vendor}; ms, median of {repeat}; cpu = on a core (this thread and, on "
        "PostgreSQL, the server process)"
    )
    clock = CpuClock(connection)
    print(
        f"{'query':<24} {'total':>8} {'cpu':>8} {'sql':>8} {'python':>8}  statements (ms, median)"
    )
    for q in queries:
        totals, cpu, per_statement = [], [], []
        for _ in range(repeat):
            times: list[tuple[str, float]] = []

            def timed(execute, sql, params, many, context, times=times):
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    times.append((sql, time.perf_counter() - started))

            on_core = clock()
            started = time.perf_counter()
            with connection.execute_wrapper(timed):
                run(engine, parse_request({"q": q}))
            totals.append(time.perf_counter() - started)
            cpu.append(clock() - on_core)
            per_statement.append(times)
        total = statistics.median(totals) * 1000
        counts = {len(times) for times in per_statement}
        columns = max(counts)
        medians = [
            statistics.median(t[i][1] for t in per_statement if len(t) > i) * 1000
            for i in range(columns)
        ]
        labels = [re.sub(r"\s+", " ", sql)[:40] for sql, _t in per_statement[0]]
        sql = sum(medians)
        print(
            f"{q or '(empty)':<24} {total:8.1f} {statistics.median(cpu) * 1000:8.1f} "
            f"{sql:8.1f} {total - sql:8.1f}  "
            + "; ".join(f"{m:.1f} {label}" for m, label in zip(medians, labels, strict=False))
        )
    if os.environ.get("PROFILE_CPROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeat):
            for q in queries:
                run(engine, parse_request({"q": q}))
        profiler.disable()
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(
            40
        )


def measure(rounds: int, rebuild: bool = True) -> dict:
    """Runs inside Django (the --measure mode of this script)."""
    django_setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from search import indexing
    from search.engines import database_engine, get_engine
    from search.query import parse_request, run

    out: dict = {"engines": {}}
    engines = [database_engine()]
    if get_engine() is not database_engine():
        engines.append(get_engine())
    for engine in engines:
        started = time.perf_counter()
        if rebuild or engine.name != "database":
            count = indexing.rebuild(engine)
        else:  # --no-rebuild: the import already made every listing searchable
            count = engine.document_count()
        seconds = time.perf_counter() - started if rebuild or engine.name != "database" else 0
        if engine.name == "elasticsearch":
            engine.refresh()
        timings, filtered, suggest, floor = [], [], [], []
        bodies = raw_bodies(engine) if engine.name == "elasticsearch" else {}
        for q in QUERIES:  # warm up: per-process facet arrays, jieba, vocabulary
            run(engine, parse_request({"q": q}))
        queries = []
        statements = {}
        for q in QUERIES:
            with CaptureQueriesContext(connection) as captured:
                run(engine, parse_request({"q": q}))
            queries.append(len(captured))
            # the database engine's floor: the same SQL statements sent raw on the connection
            statements[q] = [
                item["sql"]
                for item in captured.captured_queries
                if item["sql"] not in ("BEGIN", "COMMIT")
                and not item["sql"].startswith("SAVEPOINT")
                and not item["sql"].startswith("RELEASE SAVEPOINT")
            ]
        load = [os.getloadavg()[0]]
        clock = CpuClock(connection) if engine.name == "database" else None
        cpu = []
        for _ in range(rounds):
            for q in QUERIES:
                on_core = clock() if clock else 0
                started = time.perf_counter()
                run(engine, parse_request({"q": q}))
                timings.append(time.perf_counter() - started)
                if clock:
                    cpu.append(clock() - on_core)
                if bodies:
                    # the floor, interleaved so that both meet the node in the same state:
                    # the same request bodies sent raw through the client (and the
                    # forgiving retry where run() makes one), the response left unread
                    body = bodies[q]
                    started = time.perf_counter()
                    response = engine.client.search(index=engine.alias, **body[0])
                    if response["hits"]["total"]["value"] == 0 and len(body) > 1:
                        engine.client.search(index=engine.alias, **body[1])
                    floor.append(time.perf_counter() - started)
                elif engine.name == "database":
                    # the floor, interleaved: the statements this search ran, sent raw
                    # (in one transaction, as the engine runs them: SET LOCAL needs one)
                    started = time.perf_counter()
                    with transaction.atomic(), connection.cursor() as cursor:
                        for sql in statements[q]:
                            cursor.execute(sql)
                            if cursor.description:
                                cursor.fetchall()
                    floor.append(time.perf_counter() - started)
            load.append(os.getloadavg()[0])
            for params in FILTERED:
                started = time.perf_counter()
                run(engine, parse_request({"q": "检测", **params}))
                filtered.append(time.perf_counter() - started)
            for typed in SUGGEST:
                started = time.perf_counter()
                engine.suggest(typed)
                suggest.append(time.perf_counter() - started)
        row = {
            "documents": count,
            "index_seconds": seconds,
            "docs_per_second": count / seconds if seconds else 0,
            "search_p50_ms": statistics.median(timings) * 1000,
            "search_p95_ms": percentile(timings, 95) * 1000,
            "filtered_p95_ms": percentile(filtered, 95) * 1000,
            "suggest_p50_ms": statistics.median(suggest) * 1000,
            "suggest_p95_ms": percentile(suggest, 95) * 1000,
            "queries_per_search": f"{min(queries)}–{max(queries)}",
            "load_average": f"{min(load):.1f}–{max(load):.1f}",
        }
        if cpu:
            row["cpu_p50_ms"] = statistics.median(cpu) * 1000
            row["cpu_p95_ms"] = percentile(cpu, 95) * 1000
        if floor:
            row["floor_p50_ms"] = statistics.median(floor) * 1000
            row["floor_p95_ms"] = percentile(floor, 95) * 1000
        out["engines"][engine.name] = row
    return out


def raw_bodies(engine) -> dict:
    """The request bodies the engine sends for each query of the mix (and for its forgiving
    retry), built once: what a client would send with no application in between."""
    from search.analysis import relaxed_query, relaxing_helps
    from search.query import parse_request

    bodies = {}
    for q in QUERIES:
        request = parse_request({"q": q})
        parsed = request.parsed()
        body = [engine.request_body(engine.build_search(parsed, request))]
        if not parsed.empty and relaxing_helps(parsed, relaxed_query(parsed)):
            relaxed = engine.build_search(relaxed_query(parsed), request, relaxed=True)
            body.append(engine.request_body(relaxed))
        bodies[q] = body
    return bodies


def markers(database: str) -> tuple[str, str]:
    """The SQLite run owns the search:start/end section, PostgreSQL one of its own."""
    if database == "PostgreSQL":
        return "<!-- search:postgresql:start -->", "<!-- search:postgresql:end -->"
    return START, END


def markdown(listings: int, result: dict) -> str:
    start, end = markers(result.get("database", "SQLite"))
    lines = [
        start,
        "## Search" + (" on PostgreSQL" if result.get("database") == "PostgreSQL" else ""),
        "",
        f"Measured {dt.date.today():%Y-%m-%d} with `{result.get('command', 'bench/search.py')}` "
        f"({platform.processor() or platform.machine()}, {os.cpu_count()} logical cores, "
        f"Python {platform.python_version()}), {result.get('database', 'SQLite')}. Latencies "
        "are in-process (engine call, highlighting; no HTTP), sequential, after one warm-up "
        f"pass, over a mix of {len(QUERIES)} queries (Chinese, synonyms, pinyin, initials, "
        "typos, model numbers, English, codes, full pinyin, empty); filtered = 检测 plus two "
        "facet filters; SQL statements per search counted on the database connection. Same "
        "requests sent raw: the floor, interleaved with the engine's own searches — for "
        "Elasticsearch the same request bodies through the same client, for the database "
        "engine the SQL statements the search ran, sent raw on the same connection. CPU per "
        "search: time on a core (this process's thread and, on PostgreSQL, its server "
        "process; /proc schedstat), which the machine's load does not inflate: on a loaded "
        "machine the rest of the wall time is waiting for a core. Load average: the 1-minute "
        "load of the machine (2 cores, shared) during the rounds.",
        "",
        "| engine | documents | indexing docs/s | search p50 | search p95 | filtered p95 "
        "| suggest p50 / p95 | SQL per search | same requests sent raw, p50 / p95 "
        "| CPU per search, p50 / p95 | load average |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, row in result["engines"].items():
        floor = (
            f"{row['floor_p50_ms']:.1f} / {row['floor_p95_ms']:.1f} ms"
            if "floor_p50_ms" in row
            else "—"
        )
        cpu = (
            f"{row['cpu_p50_ms']:.1f} / {row['cpu_p95_ms']:.1f} ms" if "cpu_p50_ms" in row else "—"
        )
        lines.append(
            f"| {name} | {row['documents']:,} "
            f"| {f'{rate:.0f}' if (rate := row['docs_per_second']) else '— (not rebuilt)'} "
            f"| {row['search_p50_ms']:.1f} ms | {row['search_p95_ms']:.1f} ms "
            f"| {row['filtered_p95_ms']:.1f} ms "
            f"| {row.get('suggest_p50_ms', 0):.1f} / {row['suggest_p95_ms']:.1f} ms "
            f"| {row.get('queries_per_search', '—')} | {floor} | {cpu} "
            f"| {row.get('load_average', '—')} |"
        )
    relevance = result.get("relevance")
    if relevance:
        lines += ["", relevance]
    lines.append(end)
    return "\n".join(lines)


def write_docs(section: str, database: str = "SQLite") -> None:
    start, end = markers(database)
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Performance\n"
    if start in text and end in text:
        text = re.sub(
            re.escape(start) + r".*?" + re.escape(end), lambda _m: section, text, flags=re.S
        )
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOCS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--elasticsearch-url", default="")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument(
        "--reuse", default="", help="copy this SQLite database (a catalogue already imported)"
    )
    parser.add_argument("--database-url", default="", help="a PostgreSQL database to use")
    parser.add_argument(
        "--imported",
        action="store_true",
        help="the --database-url database already holds the imported catalogue: migrate only",
    )
    parser.add_argument(
        "--no-rebuild",
        action="store_true",
        help="measure the embedded index the import built (no timed rebuild; with --reuse "
        "or --imported)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="no set-up: against the database of DATABASE_URL as it is, the median of N runs "
        "of each query of the mix, split into its SQL statements and the rest",
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile:
        profile(args.profile, QUERIES)
        return
    if args.measure:
        print(json.dumps(measure(args.rounds, rebuild=not args.no_rebuild)))
        return
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-search-") as folder:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", folder),
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": args.database_url or f"sqlite:///{folder}/bench.sqlite3",
            "TASK_BACKEND": "dummy",
            "ELASTICSEARCH_INDEX_PREFIX": os.environ.get(
                "ELASTICSEARCH_INDEX_PREFIX", "search_bench"
            ),
        }
        if args.elasticsearch_url:
            env["ELASTICSEARCH_URL"] = args.elasticsearch_url
        catalogue = f"{folder}/catalogue.json"
        n = args.listings
        if args.reuse:
            import shutil

            shutil.copy(args.reuse, f"{folder}/bench.sqlite3")
        step("migrate", [python, "manage.py", "migrate", "--noinput"], env)
        reuse = args.reuse or (args.database_url and args.imported)
        if args.database_url and not reuse:
            step("flush", [python, "manage.py", "flush", "--noinput"], env)
        if not reuse:
            import_catalogue(python, n, catalogue, env)
        log("indexing and measuring …")
        output = subprocess.run(  # noqa: S603
            [python, str(Path(__file__).resolve()), "--measure", "--rounds", str(args.rounds)]
            + (["--no-rebuild"] if args.no_rebuild else []),
            env={**env, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            check=False,
            capture_output=True,
            text=True,
        )
        if output.returncode:
            sys.exit(f"measuring failed:\n{output.stderr[-3000:]}")
        output = output.stdout
    result = json.loads(output.strip().splitlines()[-1])
    result["database"] = "PostgreSQL" if args.database_url else "SQLite"
    log(json.dumps(result["engines"], ensure_ascii=False))
    command = f"bench/search.py --listings {n}"
    if args.reuse:
        command += " --reuse FILE"
    if args.database_url and args.imported:
        command += " --imported"
    if args.no_rebuild:
        command += " --no-rebuild"
    if args.database_url:
        command += " --database-url postgres://…"
    if args.elasticsearch_url:
        command += " --elasticsearch-url …"
    result["command"] = command
    section = markdown(n, result)
    print(section)
    if args.write_docs:
        write_docs(section, result["database"])
        log(f"wrote the search section of {DOCS}")


def import_catalogue(python: str, n: int, catalogue: str, env: dict) -> None:
    sizes = {"instruments": n * 4 // 10, "incubators": n * 2 // 10}
    sizes["technologies"] = n - sizes["instruments"] - sizes["incubators"]
    command = [python, "manage.py", "generate_catalogue", "--seed", "20260101", "-o", catalogue]
    for kind, count in sizes.items():
        command += [f"--{kind}", str(count)]
    step("generate_catalogue", command, env)
    seconds = step("import_catalogue", [python, "manage.py", "import_catalogue", catalogue], env)
    log(f"imported in {seconds:.0f}s")


if __name__ == "__main__":
    main()
