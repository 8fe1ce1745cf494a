"""Open-sharing benchmark: the statistics pages over a generated history, against the floor.

    .venv/bin/python bench/sharing.py                          # temporary SQLite, 1,000,000 bookings
    .venv/bin/python bench/sharing.py --bookings 200000        # a smaller history
    .venv/bin/python bench/sharing.py --database-url postgres://user:pw@host/postgres
    .venv/bin/python bench/sharing.py --quick                  # smoke run, docs untouched

A fresh, migrated database gets 500 institutions in the 16 州/市, 40,000 instruments and
N completed bookings spread over 2025 (a third by members of the owning institution), written
with bulk_create, the way a platform that had no ledger yet would hold them. Then
`rebuild_sharing_stats` records them and builds the summary tables (timed). The pages are
timed in-process with Django's test client (DEBUG off) against the bench-only constant-JSON
floor view through the same client and middleware, as bench/bookings.py does. Queries per
request are counted with CaptureQueriesContext. A full run rewrites the marked section of
docs/performance.md for its database.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "performance.md"
MARK = "<!-- bench:sharing:{family}:{edge} -->"
REGIONS = [
    "530100", "530300", "530400", "530500", "530600", "530700", "530800", "530900",
    "532300", "532500", "532600", "532800", "532900", "533100", "533300", "533400",
]  # fmt: skip
CATEGORIES = ["analytical", "physical_property", "metrology", "electronic_measurement", "marine"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.bookings import prepare_database

    url, drop = prepare_database(args.database_url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.lib.settings"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    try:
        report = run(bookings=20_000 if args.quick else args.bookings, quick=args.quick)
    finally:
        drop()
    print(report)
    if not args.quick:
        write_docs(report, "postgresql" if args.database_url else "sqlite")


def generate(n_bookings: int, n_instruments: int, n_institutions: int = 500) -> dict:
    import datetime as dt
    import random
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from marketplace.accounts.models import Institution, Membership, User
    from marketplace.bookings.models import Booking
    from marketplace.catalogue.models import Instrument

    rng = random.Random(20260)
    shanghai = ZoneInfo("Asia/Shanghai")
    Institution.objects.bulk_create(
        [
            Institution(
                code=f"B{i:04d}", name=f"基准研究院{i}", type="university", region=REGIONS[i % 16]
            )
            for i in range(n_institutions)
        ]
    )
    institutions = list(Institution.objects.order_by("pk"))
    User.objects.bulk_create(
        [User(username=f"bench-user-{i}", email=f"u{i}@example.org") for i in range(5000)]
    )
    users = list(User.objects.filter(username__startswith="bench-user-").order_by("pk"))
    Membership.objects.bulk_create(
        [
            Membership(user=users[i], institution=institutions[i], role="manager")
            for i in range(n_institutions)
        ]
    )
    Instrument.objects.bulk_create(
        [
            Instrument(
                code=f"BI-{i:06d}",
                institution=institutions[i % n_institutions],
                name=f"基准仪器 {i}",
                category=CATEGORIES[i % len(CATEGORIES)],
                original_value=Decimal("1000000.00"),
                offers_machine_time=True,
                price_hourly=Decimal("300.00"),
                live=True,
            )
            for i in range(n_instruments)
        ],
        batch_size=2000,
    )
    instruments = list(Instrument.objects.values_list("pk", "institution_id"))
    start_of_year = dt.datetime(2025, 1, 1, 9, tzinfo=shanghai)
    batch = []
    for i in range(n_bookings):
        pk, institution_id = instruments[rng.randrange(len(instruments))]
        # A third by the owning institution's member (internal), the rest by outsiders.
        if i % 3 == 0:
            user = users[(institution_id - institutions[0].pk) % n_institutions]
        else:
            user = users[n_institutions + rng.randrange(len(users) - n_institutions)]
        start = start_of_year + dt.timedelta(days=rng.randrange(364), hours=rng.randrange(8))
        minutes = rng.choice((30, 60, 90, 120, 180, 240))
        batch.append(
            Booking(
                instrument_id=pk,
                user=user,
                start=start,
                end=start + dt.timedelta(minutes=minutes),
                status="completed",
                price=Decimal("0.00"),
                actual_minutes=minutes - rng.choice((0, 0, 15)),
            )
        )
        if len(batch) == 5000:
            Booking.objects.bulk_create(batch)
            batch = []
    Booking.objects.bulk_create(batch)
    return {"institution": institutions[0], "member": users[0]}


def run(*, bookings: int, quick: bool) -> str:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.bookings import percentile, timed
    from marketplace.sharing.models import Tally, UsageRecord

    n_instruments = 2000 if quick else 40_000
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - started
    started = time.perf_counter()
    world = generate(bookings, n_instruments)
    generate_s = time.perf_counter() - started
    started = time.perf_counter()
    call_command("rebuild_sharing_stats", verbosity=0)
    rebuild_s = time.perf_counter() - started
    records, tallies = UsageRecord.objects.count(), Tally.objects.count()

    client = Client()
    member = Client()
    member.force_login(world["member"])
    code = world["institution"].code
    n = 20 if quick else 100
    for warm in ("/bench/floor", "/statistics/?year=2025", "/api/v1/statistics/?year=2025"):
        client.get(warm)
    rows = []
    floor_ms, floor_q = timed(lambda i: client.get("/bench/floor"), 200)
    endpoints = [
        ("public statistics page /statistics/", client, "/statistics/?year=2025"),
        ("API /api/v1/statistics/", client, "/api/v1/statistics/?year=2025"),
        (
            "API institution indicators",
            client,
            f"/api/v1/statistics/institutions/{code}/?year=2025",
        ),
        ("institution page (with its summary)", client, f"/institutions/{code}/"),
        ("instrument page (with its summary)", client, "/instruments/BI-000000/"),
        ("institution dashboard (member, 80 instruments)", member, "/statistics/institution/?year=2025"),
        ("yearly export XLSX", member, f"/statistics/institution/{world['institution'].pk}/evaluation.xlsx?year=2025"),
    ]  # fmt: skip

    def check(response):
        if response.status_code != 200:
            raise SystemExit(f"{response.status_code} from {response.request['PATH_INFO']}")

    results = []
    for name, who, url in endpoints:
        samples, queries = timed(lambda i, who=who, url=url: check(who.get(url)), n)
        results.append((name, samples, queries))
    floor_p50 = statistics.median(floor_ms)
    floor_p95 = percentile(floor_ms, 0.95)

    def row(name, samples, queries):
        p50, p95 = statistics.median(samples), percentile(samples, 0.95)
        return (
            f"| {name} | {p50:.1f} | {p95:.1f} | {queries} | {p50 / floor_p50:.1f}× "
            f"| {p95 / floor_p95:.1f}× |"
        )

    rows.append(row("floor: constant JSON view (test client)", floor_ms, floor_q))
    rows += [row(*result) for result in results]
    vendor = connection.vendor
    version = connection.cursor().connection.server_version if vendor == "postgresql" else ""
    if vendor == "sqlite":
        import sqlite3

        version = sqlite3.sqlite_version
    load = os.getloadavg()[0]
    return "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')} with `bench/sharing.py`"
            f"{' --quick' if quick else ''}; {platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} logical cores, Python {platform.python_version()}, "
            f"{vendor} {version}; 1-minute load average before timing: {load:.2f}.",
            "",
            f"**History**: 500 institutions in the 16 州/市, {n_instruments:,} instruments, "
            f"{bookings:,} completed bookings in 2025 (bulk-written, no ledger yet).",
            "",
            f"- migrate: {migrate_s:.1f} s; generate the history: {generate_s:.1f} s",
            f"- `rebuild_sharing_stats` (record every booking, then every sum): {rebuild_s:.1f} s "
            f"→ {records:,} usage records, {tallies:,} tally rows",
            "",
            f"**Requests** ({n} sequential requests each after a warm-up, in-process test "
            "client, DEBUG off)",
            "",
            "| request | p50 ms | p95 ms | queries | p50 vs floor | p95 vs floor p95 |",
            "|---|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )


def write_docs(report: str, family: str) -> None:
    start, end = MARK.format(family=family, edge="start"), MARK.format(family=family, edge="end")
    title = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[family]
    section = f"{start}\n## Open-sharing statistics on {title}\n\n{report}\n{end}"
    text = DOCS.read_text(encoding="utf-8")
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _old, after = rest.split(end, 1)
        text = before + section + after
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    DOCS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
