"""Open-sharing benchmark: the statistics pages over a generated history, against the floor.

    .venv/bin/python bench/sharing.py --database-url postgres://user:pw@host/postgres
                                          # the documented run: 100,000 listings, 1,000,000 bookings
    .venv/bin/python bench/sharing.py --database-url … --bookings 200000 --listings 40000
    .venv/bin/python bench/sharing.py     # temporary SQLite (bookings bulk-written, then recorded)
    .venv/bin/python bench/sharing.py --database-url … --quick   # smoke run, docs untouched
    .venv/bin/python bench/sharing.py --database-url … --keep-database   # leave it for reuse
    .venv/bin/python bench/sharing.py --reuse-database postgres://…/bench_bookings_N
                                          # time the requests again on a kept database

A fresh, migrated database (created next to the one in the URL, dropped afterwards) gets 500
institutions in the 16 州/市 and N instruments (bulk_create), then the history of 2025: on
PostgreSQL the bookings (88 % completed, 9 % cancelled, 3 % no-shows; a third by members of
the owning institution), the usage records the ledger writes on completion and a rating on
every fifth, all with COPY; on SQLite the bookings only, which `rebuild_sharing_stats` then
records. `rebuild_sharing_stats` (the nightly task) rebuilds the summary tables (timed).
The requests run in-process with Django's test client (DEBUG off, the whole middleware
stack): per request 5 warm-up rounds, then N rounds of the bench-only constant-JSON floor view
followed by the request, so both meet the machine in the same state (as bench/pages.py does).
Queries per request are counted with CaptureQueriesContext. A full run rewrites the marked
section of docs/performance.md for its database.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGIONS = [
    "530100", "530300", "530400", "530500", "530600", "530700", "530800", "530900",
    "532300", "532500", "532600", "532800", "532900", "533100", "533300", "533400",
]  # fmt: skip
CATEGORIES = ["analytical", "physical_property", "metrology", "electronic_measurement", "marine"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="do not drop the generated database (its URL is printed) so that "
        "--reuse-database can time the requests again without rebuilding the history",
    )
    parser.add_argument(
        "--reuse-database",
        default=None,
        metavar="URL",
        help="a database a --keep-database run left: migrate it, skip the history, time again",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.bookings import prepare_database

    if args.reuse_database:
        url, drop = args.reuse_database, lambda: None
    else:
        url, drop = prepare_database(args.database_url)
        if args.keep_database:
            print(f"keeping the database: {url}", flush=True)
            drop = lambda: None  # noqa: E731
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.lib.settings"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    try:
        report = run(
            bookings=20_000 if args.quick else args.bookings,
            listings=2000 if args.quick else args.listings,
            quick=args.quick,
            reuse=bool(args.reuse_database),
        )
    finally:
        drop()
    print(report)
    if not args.quick:
        postgresql = (args.reuse_database or args.database_url or "").startswith("postgres")
        write_docs(report, "postgresql" if postgresql else "sqlite")


def generate(n_bookings: int, n_instruments: int, n_institutions: int = 500) -> dict:
    """Institutions, users and instruments with bulk_create; the bookings (and, on PostgreSQL,
    their usage records and ratings) in batches: COPY on PostgreSQL, bulk_create on SQLite."""
    from decimal import Decimal

    from django.db import connection

    from marketplace.accounts.models import Institution, Membership, User
    from marketplace.catalogue.models import Instrument

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
        [User(username=f"bench-user-{i}", email=f"u{i}@example.org") for i in range(5000)],
        batch_size=2000,
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
    world = {
        # Read before any COPY starts: the connection runs no other query during one.
        "instruments": list(
            Instrument.objects.order_by("pk").values_list("pk", "institution_id", "category")
        ),
        "institution": institutions[0],
        "member": users[0],
        "institutions": {i.pk: i for i in institutions},
        "users": users,
        "n_institutions": n_institutions,
    }
    if connection.vendor == "postgresql":
        _copy_history(n_bookings, world)
    else:
        _bulk_bookings(n_bookings, world)
    return world


def _history(n_bookings: int, world: dict):
    """The generated bookings, one tuple each: (instrument id, institution id, category, user
    id, internal, start, minutes booked, status, actual minutes, response minutes). 88 % are
    completed, 9 % cancelled, 3 % no-shows; a third by the owning institution's member."""
    import datetime as dt
    import random
    from zoneinfo import ZoneInfo

    rng = random.Random(20260)
    shanghai = ZoneInfo("Asia/Shanghai")
    users, n_institutions = world["users"], world["n_institutions"]
    instruments = world["instruments"]
    first_institution = min(world["institutions"])
    start_of_year = dt.datetime(2025, 1, 1, 9, tzinfo=shanghai)
    for i in range(n_bookings):
        pk, institution_id, category = instruments[rng.randrange(len(instruments))]
        internal = i % 3 == 0
        if internal:
            user = users[(institution_id - first_institution) % n_institutions]
        else:
            user = users[n_institutions + rng.randrange(len(users) - n_institutions)]
        start = start_of_year + dt.timedelta(days=rng.randrange(364), hours=rng.randrange(8))
        minutes = rng.choice((30, 60, 90, 120, 180, 240))
        roll = rng.random()
        status = "completed" if roll < 0.88 else "cancelled" if roll < 0.97 else "no_show"
        actual = minutes - rng.choice((0, 0, 15)) if status == "completed" else None
        yield (
            pk, institution_id, category, user.pk, internal, start, minutes, status, actual,
            rng.randrange(10, 2880),
        )  # fmt: skip


def _bulk_bookings(n_bookings: int, world: dict) -> None:
    """SQLite: bookings only; `rebuild_sharing_stats` records them."""
    import datetime as dt
    from decimal import Decimal

    from marketplace.bookings.models import Booking

    batch = []
    for pk, institution, _cat, user, _int, start, minutes, status, actual, _resp in _history(
        n_bookings, world
    ):
        batch.append(
            Booking(
                instrument_id=pk,
                institution_id=institution,
                user_id=user,
                start=start,
                end=start + dt.timedelta(minutes=minutes),
                status=status,
                price=Decimal("0.00"),
                actual_minutes=actual,
            )
        )
        if len(batch) == 5000:
            Booking.objects.bulk_create(batch)
            batch = []
    Booking.objects.bulk_create(batch)


def _copy_history(n_bookings: int, world: dict) -> None:
    """PostgreSQL: COPY the bookings; then, from the same seeded history again, the usage
    records the ledger writes when it completes them (300 元 an hour) and a rating on every
    fifth one. No row goes through the ORM one by one, and nothing is held in memory."""
    import datetime as dt
    import random
    from decimal import Decimal

    from django.db import connection

    rng = random.Random(19)
    regions = {pk: i.region for pk, i in world["institutions"].items()}
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM bookings_booking")
        first_booking = cursor.fetchone()[0] + 1
        columns = (
            'id, instrument_id, institution_id, user_id, start, "end", purpose, status, price, '
            "internal_rate, reject_reason, actual_minutes, created_at, updated_at"
        )
        with cursor.cursor.copy(f"COPY bookings_booking ({columns}) FROM STDIN") as copy:
            for booking_id, row in enumerate(_history(n_bookings, world), start=first_booking):
                pk, institution, _cat, user, internal, start, minutes, status, actual, _resp = row
                copy.write_row(
                    (booking_id, pk, institution, user, start, start + dt.timedelta(minutes=minutes), "",
                     status, Decimal(300 * minutes) / 60, internal, "", actual,
                     start - dt.timedelta(days=3), now)
                )  # fmt: skip
        columns = (
            "id, instrument_id, institution_id, region, category, kind, source, booking_id, "
            "user_id, external, minutes, income, started_at, ended_at, at, year, month, "
            "response_minutes, note, created_at"
        )
        rated, record_id = [], 0
        with cursor.cursor.copy(f"COPY sharing_usagerecord ({columns}) FROM STDIN") as copy:
            for booking_id, row in enumerate(_history(n_bookings, world), start=first_booking):
                pk, institution, category, user, internal, start, minutes, status, actual, resp = (
                    row
                )
                if status != "completed":
                    continue
                record_id += 1
                copy.write_row(
                    (record_id, pk, institution, regions[institution], category, "service",
                     "booking", booking_id, user, not internal, actual,
                     Decimal(300 * minutes) / 60, start, start + dt.timedelta(minutes=actual),
                     start, start.year, start.month, resp, "", now)
                )  # fmt: skip
                if record_id % 5 == 1:
                    rated.append((record_id, user))
        columns = (
            "record_id, user_id, timeliness, quality, attitude, comment, comment_status, reply, "
            "reply_status, created_at"
        )
        with cursor.cursor.copy(f"COPY sharing_rating ({columns}) FROM STDIN") as copy:
            for record_id, user in rated:
                copy.write_row(
                    (record_id, user, rng.randint(3, 5), rng.randint(3, 5), rng.randint(2, 5),
                     "", "approved", "", "", now)
                )  # fmt: skip
        for table in ("bookings_booking", "sharing_usagerecord", "sharing_rating"):
            cursor.execute(  # the three constant table names above, no input
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")


def existing_world() -> dict:
    """The parts of `generate`'s answer the requests need, read back from a kept database."""
    from marketplace.accounts.models import Institution, User

    institution = Institution.objects.filter(code__startswith="B").order_by("pk").first()
    member = User.objects.filter(username="bench-user-0").first()
    if institution is None or member is None:
        raise SystemExit("--reuse-database: not a database a --keep-database run left")
    return {"institution": institution, "member": member}


def run(*, bookings: int, listings: int, quick: bool, reuse: bool = False) -> str:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.bookings import percentile
    from cms import page_cache
    from marketplace.bookings.models import Booking
    from marketplace.catalogue.models import Instrument
    from marketplace.sharing import freshness
    from marketplace.sharing.models import Tally, UsageRecord

    n_instruments = listings
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - started
    if reuse:
        world = existing_world()
        n_instruments, bookings = Instrument.objects.count(), Booking.objects.count()
        generate_s = rebuild_s = None
    else:
        started = time.perf_counter()
        world = generate(bookings, n_instruments)
        generate_s = time.perf_counter() - started
        started = time.perf_counter()
        call_command("rebuild_sharing_stats", verbosity=0, stdout=io.StringIO())
        rebuild_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a rebuild: statistics for the new summary rows (the
        # planner otherwise guesses one instrument row and walks them all for a dashboard).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE sharing_tally")
    records, tallies = UsageRecord.objects.count(), Tally.objects.count()

    client = Client()
    member = Client()
    member.force_login(world["member"])
    code = world["institution"].code
    pk = world["institution"].pk
    per_institution = n_instruments // 500
    n = 20 if quick else 100
    # Rendered unless the row says otherwise: the anonymous page cache is off (a hit is one
    # query whatever the history). The statistics body, the statistics APIs' bodies, the
    # institution's indicators and the province median stay in the shared cache until a
    # figure moves (marketplace/sharing/freshness.py): "kept" rows read them from there,
    # "figure moved" rows bump the figures' versions before each request (as a completion
    # anywhere in the province does), so the request computes them again and stores them.
    # "page cache hit" is what an anonymous visitor gets once someone has seen the page.
    settings.PAGE_CACHE_SECONDS = 3600
    RENDERED, MOVED, HIT = "rendered", "moved", "hit"
    endpoints = [
        ("public statistics page /statistics/, anonymous page cache hit", client, "/statistics/?year=2025", HIT),
        ("public statistics page, rendered around its kept body", client, "/statistics/?year=2025", RENDERED),
        ("public statistics page, rendered, a figure moved (body computed)", client, "/statistics/?year=2025", MOVED),
        ("API /api/v1/statistics/, body kept", client, "/api/v1/statistics/?year=2025", RENDERED),
        ("API /api/v1/statistics/, a figure moved", client, "/api/v1/statistics/?year=2025", MOVED),
        ("API institution indicators, kept", client, f"/api/v1/statistics/institutions/{code}/?year=2025", RENDERED),
        ("API institution indicators, a figure moved", client, f"/api/v1/statistics/institutions/{code}/?year=2025", MOVED),
        (f"institution page ({per_institution} instruments, with its summary), rendered", client, f"/institutions/{code}/", RENDERED),
        ("institution page, anonymous page cache hit", client, f"/institutions/{code}/", HIT),
        ("instrument page (with its summary), rendered", client, "/instruments/BI-000000/", RENDERED),
        ("instrument page, anonymous page cache hit", client, "/instruments/BI-000000/", HIT),
        (f"institution dashboard (member, {per_institution} instruments, 50 a page), kept", member, "/statistics/institution/?year=2025", RENDERED),
        ("institution dashboard, a figure moved (median, indicators computed)", member, "/statistics/institution/?year=2025", MOVED),
        ("yearly export XLSX", member, f"/statistics/institution/{pk}/evaluation.xlsx?year=2025", RENDERED),
    ]  # fmt: skip

    def one(who, url, mode=RENDERED, warm_up=False) -> tuple[float, int]:
        settings.PAGE_CACHE_ENABLED = mode == HIT
        if mode == MOVED:
            page_cache.bump_now(freshness.FIGURES, freshness.institution_tag(pk))
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = who.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{response.status_code} from {url}")
        if mode == HIT and not warm_up and response.get("X-Page-Cache") != "hit":
            raise SystemExit(f"{url}: not served from the page cache")
        if who is client:
            client.cookies.clear()  # an anonymous visitor with no cookies, as bench/pages.py
        return elapsed, len(captured)

    load_before = os.getloadavg()[0]
    rows = []
    for name, who, url, mode in endpoints:
        for _ in range(5):
            one(client, "/bench/floor")
            one(who, url, mode, warm_up=True)
        floor, page, queries = [], [], 0
        # Each round: the floor, then the page, so both meet the machine in the same state.
        for _ in range(n):
            floor.append(one(client, "/bench/floor")[0])
            elapsed, queries = one(who, url, mode)
            page.append(elapsed)
        f50, f95 = statistics.median(floor), percentile(floor, 0.95)
        p50, p95 = statistics.median(page), percentile(page, 0.95)
        rows.append(
            f"| {name} | {f50:.2f} / {f95:.2f} | {p50:.1f} | {p95:.1f} | {queries} "
            f"| {p50 / f50:.0f}× | {p95 / f95:.1f}× |"
        )
    vendor = connection.vendor
    if vendor == "sqlite":
        import sqlite3

        version = sqlite3.sqlite_version
    else:
        version = ".".join(str(connection.pg_version // f % 100) for f in (10000, 1))
    load_after = os.getloadavg()[0]
    return "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')} with `bench/sharing.py`"
            f"{' --quick' if quick else ''}; {platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} logical cores, Python {platform.python_version()}, "
            f"{vendor} {version}; 1-minute load average {load_before:.2f} before timing, "
            f"{load_after:.2f} after.",
            "",
            f"**History**: 500 institutions in the 16 州/市, {n_instruments:,} instruments, "
            f"{bookings:,} bookings in 2025 (88 % completed, 9 % cancelled, 3 % no-shows), "
            + (
                "COPY-written with the usage records of the completed ones and a rating on "
                "every fifth."
                if vendor == "postgresql"
                else "bulk-written, no ledger yet."
            ),
            "",
            *(
                [
                    f"- the database a `--keep-database` run left, reused (migrate: "
                    f"{migrate_s:.1f} s): {records:,} usage records, {tallies:,} tally rows"
                ]
                if reuse
                else [
                    f"- migrate: {migrate_s:.1f} s; generate the history: {generate_s:.1f} s",
                    f"- `rebuild_sharing_stats` (record the bookings without a record, then "
                    f"every sum, as the nightly task does): {rebuild_s:.1f} s "
                    f"→ {records:,} usage records, {tallies:,} tally rows",
                ]
            ),
            "",
            f"**Requests**: in-process test client, DEBUG off; per "
            f"request 5 warm-up rounds, then {n} rounds of the floor (a bare view returning "
            "constant JSON) followed by the request; ratios are to the floor of the same rounds.",
            "",
            "| request | floor p50 / p95 ms | p50 ms | p95 ms | queries | p50 vs floor p50 "
            "| p95 vs floor p95 |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )


def write_docs(report: str, family: str) -> None:
    from bench.lib.docs import write_section

    write_section("sharing", family, "Open-sharing statistics", report)


if __name__ == "__main__":
    main()
