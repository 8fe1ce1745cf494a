"""Public pages benchmark: every kind of public page, rendered (page cache off) and served from
the anonymous page cache (a hit), each interleaved with the floor.

    .venv/bin/python bench/pages.py                          # temporary SQLite, demo data
    .venv/bin/python bench/pages.py --database-url postgres://user:pw@host/postgres
    .venv/bin/python bench/pages.py --quick                  # smoke run, docs untouched

In-process: Django's test client against a fresh, migrated database with the demo data
(`load_demo`), DEBUG off, the whole middleware stack; an anonymous visitor with no cookies. For
every page, N rounds of three requests in a row — the floor (a bare view returning constant
JSON, bench/lib/floor_urls.py), the page rendered with PAGE_CACHE off, the page from the cache
— so all three meet the machine in the same state. Queries per request are counted with
CaptureQueriesContext. A full run rewrites the marked section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
WARMUP = 5


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[index]


def prepare_database(url: str | None) -> tuple[str, callable]:
    if not url:
        path = Path(tempfile.mkdtemp(prefix="bench-pages-")) / "db.sqlite3"
        return f"sqlite:///{path}", lambda: None
    import psycopg

    parts = urlsplit(url)
    name = f"bench_pages_{int(time.time())}"
    admin = psycopg.connect(url, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    target = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))

    def drop():
        from django.db import connections

        connections.close_all()
        from bench.lib.pg import drop_database

        drop_database(admin, name)

    return target, drop


def pages() -> list[tuple[str, str]]:
    """(label, URL) of one page of every public kind, from the demo data."""
    from django.db.models import Count

    from cms.models import (
        Department,
        NewsIndexPage,
        NewsPage,
        NoticeIndexPage,
        NoticePage,
        PolicyIndexPage,
        PolicyPage,
    )
    from marketplace.accounts.models import Institution
    from marketplace.catalogue.models import Incubator, Instrument, Technology

    policy = (
        PolicyPage.objects.live()
        .annotate(measures=Count("responsibilities"))
        .order_by("-measures")
        .first()
    )
    department = Department.objects.annotate(n=Count("responsibilities")).order_by("-n").first()
    found = [
        ("home", "/"),
        ("news index", NewsIndexPage.objects.live().first().url),
        ("news article", NewsPage.objects.live().order_by("-date").first().url),
        ("notices index", NoticeIndexPage.objects.live().first().url),
        ("notice", getattr(NoticePage.objects.live().first(), "url", None)),
        ("policies index", PolicyIndexPage.objects.live().first().url),
        (f"policy page ({policy.measures} measures)", policy.url),
        ("departments", "/departments/"),
        ("department", department.get_absolute_url()),
        ("/instruments/", "/instruments/"),
        ("instrument detail", Instrument.objects.published().first().get_absolute_url()),
        ("/incubators/", "/incubators/"),
        ("incubator detail", Incubator.objects.published().first().get_absolute_url()),
        ("/technologies/", "/technologies/"),
        ("technology detail", Technology.objects.published().first().get_absolute_url()),
        ("/institutions/", "/institutions/"),
        ("institution detail", f"/institutions/{Institution.objects.first().code}/"),
        ("search q=显微镜", "/search/?q=显微镜"),
    ]
    return [(label, url) for label, url in found if url]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--requests", type=int, default=None, help="rounds per page (300)")
    args = parser.parse_args()
    url, drop = prepare_database(args.database_url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.lib.settings"
    os.environ.pop("ELASTICSEARCH_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    try:
        report = run(rounds=args.requests or (30 if args.quick else 300), url=url)
    finally:
        drop()
    print(report)
    if not args.quick:
        family = "postgresql" if args.database_url else "sqlite"
        write_docs(report, family)


def run(*, rounds: int, url: str) -> str:
    import django
    import wagtail
    from django.conf import settings
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.lib.timing import timed_get

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    caches["pages"].clear()
    # Entries must outlive a slow run: what is measured is a hit, not the expiry.
    settings.PAGE_CACHE_SECONDS = 3600
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")

    def one(path: str, cached: bool) -> tuple[float, int, str]:
        return timed_get(client, path, cached=cached, forget_cookies=True)

    load = os.getloadavg()[0]
    rows = []
    floors_all: list[float] = []
    for label, path in pages():
        for _ in range(WARMUP):
            one("/bench/floor", False)
            one(path, False)
            one(path, True)
        floor, plain, hit = [], [], []
        plain_queries = hit_queries = 0
        for _ in range(rounds):
            floor.append(one("/bench/floor", False)[0])
            ms, plain_queries, _ = one(path, False)
            plain.append(ms)
            ms, hit_queries, state = one(path, True)
            if state != "hit":
                raise SystemExit(f"{path}: not served from the page cache ({state or 'no header'})")
            hit.append(ms)
        floors_all += floor
        f50 = statistics.median(floor)
        rows.append(
            (
                label,
                f50,
                percentile(floor, 0.95),
                statistics.median(plain),
                percentile(plain, 0.95),
                plain_queries,
                statistics.median(hit),
                percentile(hit, 0.95),
                hit_queries,
            )
        )

    database = (
        f"SQLite {__import__('sqlite3').sqlite_version}"
        if connection.vendor == "sqlite"
        else f"PostgreSQL {connection.cursor().connection.info.server_version}"
    )
    lines = [
        f"Measured {time.strftime('%Y-%m-%d', time.gmtime())} with `bench/pages.py` ({platform.machine()}, "
        f"{os.cpu_count()} logical cores, Python {platform.python_version()}, Django "
        f"{django.get_version()}, Wagtail {wagtail.__version__}, {database}; 1-minute load "
        f"average when it started: {load:.2f}).",
        "",
        "Data: the demo site (`load_demo`: the demo catalogue, news, notices, policies, "
        f"departments). In-process test client, anonymous, {rounds} rounds per page after "
        f"{WARMUP} warm-up rounds; each round times the floor, the page rendered (page cache "
        "off) and the page from the cache, in a row. Ratios are to the floor of the same "
        f"page's rounds (floor p50 over all pages: {statistics.median(floors_all):.2f} ms).",
        "",
        "| page | floor p50 / p95 ms | rendered p50 / p95 ms | queries | rendered p50 vs floor "
        "| cached p50 / p95 ms | queries | cached p50 vs floor | cached p95 vs floor p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, f50, f95, p50, p95, pq, h50, h95, hq in rows:
        lines.append(
            f"| {label} | {f50:.2f} / {f95:.2f} | {p50:.1f} / {p95:.1f} | {pq} | "
            f"{p50 / f50:.1f}× | {h50:.2f} / {h95:.2f} | {hq} | {h50 / f50:.1f}× | {h95 / f95:.1f}× |"
        )
    return "\n".join(lines) + "\n"


def write_docs(report: str, family: str) -> None:
    from bench.lib.docs import write_section

    write_section("pages", family, "Public pages on {title}: rendered and cached", report)


if __name__ == "__main__":
    main()
