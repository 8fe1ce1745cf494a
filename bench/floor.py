"""Floor benchmark: the week of free machine time for every instrument of one institution
(1,000 instruments), through the API and the page, against the floor and one instrument's week.

    .venv/bin/python bench/floor.py                          # temporary SQLite
    .venv/bin/python bench/floor.py --database-url postgres://user:pw@host/postgres
    .venv/bin/python bench/floor.py --quick                  # 100 instruments, docs untouched
    .venv/bin/python bench/floor.py --database-url postgres://… --database-name sc_me_floor

In-process, as bench/bookings.py: Django's test client against a fresh, migrated database
(DEBUG off), interleaved with the bench-only constant-JSON floor view so that both see the same
machine load; queries per request counted with CaptureQueriesContext. The member is signed in
with a session (two of the queries are the session and the user). A full run rewrites the
marked section of docs/performance.md for its database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bookings import bench_instruments, percentile, prepare_database, write_docs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument(
        "--database-name",
        default=None,
        help="PostgreSQL: the temporary database's name (default bench_bookings_<time>)",
    )
    args = parser.parse_args()
    if args.database_url and args.database_name:
        url, drop = named_database(args.database_url, args.database_name)
    else:
        url, drop = prepare_database(args.database_url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.lib.settings"
    import django

    django.setup()
    try:
        report = run(n_instruments=100 if args.quick else 1000, n_requests=args.requests)
    finally:
        drop()
    print(report)
    if not args.quick:
        family = "postgresql" if args.database_url else "sqlite"
        write_docs(report, family, name="floor", heading="Institution floor (availability)")


def named_database(url: str, name: str) -> tuple[str, callable]:
    """A fresh PostgreSQL database called `name` next to `url`'s, dropped after the run."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    admin = psycopg.connect(url, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')

    def drop():
        from django.db import connections

        connections.close_all()
        from bench.lib.pg import drop_database

        drop_database(admin, name)

    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment)), drop


def seed(n_instruments: int, monday: dt.date):
    """One institution with `n_instruments` instruments open on weekdays 08:30–12:00 and
    14:00–17:30 (Saturday mornings too); in the week: three bookings per instrument, an
    expired hold on every tenth, a half-day blackout on every twentieth."""
    from decimal import Decimal

    from django.utils import timezone

    from marketplace.accounts.models import Institution, Membership, User
    from marketplace.bookings.models import Booking, Status
    from marketplace.catalogue.models import Blackout, Instrument, OpeningInterval

    institution = Institution.objects.create(
        code="FLOOR", name="基准楼层研究院", type="university", region="530100"
    )
    member = User.objects.create_user("floor-member", "m@example.org", "x")
    Membership.objects.create(user=member, institution=institution, role="manager")
    booker = User.objects.create_user("floor-booker", "b@example.org", "x")
    Instrument.objects.bulk_create(bench_instruments(institution, "FLOOR-{:04d}", n_instruments))
    instruments = list(Instrument.objects.filter(institution=institution).order_by("code"))
    hours = [(d, dt.time(8, 30), dt.time(12, 0)) for d in range(6)]
    hours += [(d, dt.time(14, 0), dt.time(17, 30)) for d in range(5)]
    OpeningInterval.objects.bulk_create(
        OpeningInterval(instrument=instrument, weekday=d, start=start, end=end)
        for instrument in instruments
        for d, start, end in hours
    )
    zone = dt.timezone(dt.timedelta(hours=8))

    def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(
            monday + dt.timedelta(days=day), dt.time(hour, minute), tzinfo=zone
        )

    bookings, blackouts = [], []
    for n, instrument in enumerate(instruments):
        for day, hour in ((n % 5, 9), ((n + 1) % 5, 14), ((n + 2) % 5, 10)):
            bookings.append(
                Booking(
                    instrument=instrument,
                    institution_id=instrument.institution_id,
                    user=booker,
                    start=at(day, hour),
                    end=at(day, hour + 1, 30),
                    status=Status.CONFIRMED,
                    price=Decimal("450.00"),
                )
            )
        if n % 10 == 0:
            bookings.append(
                Booking(
                    instrument=instrument,
                    institution_id=instrument.institution_id,
                    user=booker,
                    start=at(3, 15),
                    end=at(3, 16),
                    status=Status.PENDING_APPROVAL,
                    price=Decimal("300.00"),
                    hold_expires_at=timezone.now() - dt.timedelta(minutes=1),
                )
            )
        if n % 20 == 0:
            blackouts.append(
                Blackout(instrument=instrument, starts_at=at(4, 12), ends_at=at(5, 12))
            )
    Booking.objects.bulk_create(bookings, batch_size=2000)
    Blackout.objects.bulk_create(blackouts)
    return member, instruments[0], len(bookings), len(blackouts)


def run(*, n_instruments: int, n_requests: int) -> str:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    monday = today + dt.timedelta(days=7 - today.weekday())
    member, first, n_bookings, n_blackouts = seed(n_instruments, monday)
    week = f"start={monday}&end={monday + dt.timedelta(days=6)}"
    client = Client()
    client.force_login(member)
    operations = {
        "floor": "/bench/floor",
        "one": f"/api/v1/instruments/{first.code}/availability/?{week}",
        "api": f"/api/v1/institutions/FLOOR/availability/?{week}",
        "page": f"/institutions/FLOOR/availability/?{week}",
    }
    for path in operations.values():  # warm up; every answer must be a 200
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    size = len(client.get(operations["api"]).content)
    samples: dict[str, list[float]] = {name: [] for name in operations}
    queries: dict[str, int] = {}
    load_before = os.getloadavg()
    for _ in range(n_requests):  # interleaved: every operation sees the same load
        for name, path in operations.items():
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                samples[name].append((time.perf_counter() - started) * 1000)
            queries[name] = len(captured)
    load_after = os.getloadavg()
    floor_p50 = statistics.median(samples["floor"])
    floor_p95 = percentile(samples["floor"], 0.95)
    labels = {
        "floor": "floor: constant JSON view (test client, signed in)",
        "one": "availability of one instrument, the week (API)",
        "api": f"institution floor, {n_instruments:,} instruments, the week (API)",
        "page": f"institution floor page, {n_instruments:,} instruments (HTML)",
    }

    def row(name: str) -> str:
        p50, p95 = statistics.median(samples[name]), percentile(samples[name], 0.95)
        return (
            f"| {labels[name]} | {p50:.1f} | {p95:.1f} | {queries[name]} "
            f"| {p50 / floor_p50:.0f}× | {p95 / floor_p95:.0f}× |"
        )

    return "\n".join(
        [
            f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC with `bench/floor.py` on {connection.vendor} "
            f"({platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}), in-process, {n_requests} interleaved requests "
            "per operation; 1-minute load average "
            f"{load_before[0]:.1f} before and {load_after[0]:.1f} after the run.",
            "",
            f"Data: one institution with {n_instruments:,} instruments (11 opening intervals a "
            f"week each), {n_bookings:,} bookings in the week (every tenth instrument also has an "
            f"expired hold), {n_blackouts} blackouts. The API answer is {size / 1024:.0f} KiB.",
            "",
            "| operation | p50 ms | p95 ms | queries | p50 vs floor | p95 vs floor |",
            "|---|---:|---:|---:|---:|---:|",
            *(row(name) for name in operations),
            "",
            "Goal: the floor of 1,000 instruments ≤ 200 ms. The queries do not grow with the "
            "number of instruments (pinned in tests/test_booking_floor.py).",
        ]
    )


if __name__ == "__main__":
    main()
