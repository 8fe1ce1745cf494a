"""Booking benchmark: request latency on a busy instrument, 62-day availability, the approval
queue of an institution with 10,000 bookings, and concurrent non-conflicting bookings.

    .venv/bin/python bench/bookings.py                          # temporary SQLite
    .venv/bin/python bench/bookings.py --database-url postgres://user:pw@host/postgres
    .venv/bin/python bench/bookings.py --quick                  # smoke run, docs untouched

In-process: the booking service and Django's test client against a fresh, migrated database
(DEBUG off), so the numbers are the application's own cost without HTTP parsing; the floor is
the bench-only constant-JSON view through the same client and middleware. Queries per request
are counted with CaptureQueriesContext. Concurrency: 20 threads, each with its own database
connection, book distinct slots on 100 instruments; every outcome other than success counts as
an error. A full run rewrites the marked section of docs/performance.md for its database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[index]


def bench_instruments(institution, code: str, count: int) -> list:
    """`count` unsaved published instruments of `institution` (codes `code`.format(i)) that
    book machine time in 30-minute slots, up to a year ahead, with no notice."""
    from decimal import Decimal

    from marketplace.catalogue.models import Instrument

    return [
        Instrument(
            code=code.format(i),
            institution=institution,
            name=f"基准仪器 {i}",
            category="analytical",
            original_value=Decimal("1000000.00"),
            offers_machine_time=True,
            price_hourly=Decimal("300.00"),
            slot_minutes=30,
            min_minutes=30,
            max_minutes=240,
            min_notice_hours=0,
            max_advance_days=366,
            # The bench's people book many slots: above the per-person quotas' defaults.
            max_active_bookings=1000,
            max_hours_per_week=168,
            approval_required=True,
            live=True,
        )
        for i in range(count)
    ]


def prepare_database(url: str | None) -> tuple[str, callable]:
    if not url:
        path = Path(tempfile.mkdtemp(prefix="bench-bookings-")) / "db.sqlite3"
        return f"sqlite:///{path}", lambda: None
    import psycopg

    parts = urlsplit(url)
    name = f"bench_bookings_{int(time.time())}"
    admin = psycopg.connect(url, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    target = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))

    def drop():
        from django.db import connections

        connections.close_all()
        from bench.lib.pg import drop_database

        drop_database(admin, name)

    return target, drop


def timed(fn, n: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples, queries = [], 0
    for i in range(n):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            fn(i)
            samples.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    return samples, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    url, drop = prepare_database(args.database_url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.lib.settings"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    try:
        report = run(quick=args.quick)
    finally:
        drop()
    print(report)
    if not args.quick:
        family = "postgresql" if args.database_url else "sqlite"
        write_docs(report, family)


def run(*, quick: bool) -> str:
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.utils import timezone

    from marketplace.accounts.models import Institution, Membership, User
    from marketplace.bookings import services
    from marketplace.bookings.models import Booking, Status
    from marketplace.catalogue.models import Instrument, OpeningInterval

    call_command("migrate", verbosity=0)
    n_existing, n_queue, n_instruments, n_clients, per_client = (
        (100, 1000, 20, 4, 5) if quick else (1000, 10_000, 100, 20, 25)
    )
    institution = Institution.objects.create(
        code="BENCH", name="基准测试研究院", type="university", region="530100"
    )
    member = User.objects.create_user("bench-member", "m@example.org", "x")
    Membership.objects.create(user=member, institution=institution, role="manager")
    # With the profile a request needs (marketplace.accounts.profile.require_profile).
    users = [
        User(
            username=f"bench-user-{i}",
            email=f"u{i}@example.org",
            real_name=f"基准用户{i}",
            organisation="基准科技有限公司",
            phone=f"139{i:08d}",
        )
        for i in range(200)
    ]
    User.objects.bulk_create(users)
    users = list(User.objects.filter(username__startswith="bench-user-"))
    instruments = bench_instruments(institution, "BENCH-{:03d}", n_instruments)
    Instrument.objects.bulk_create(instruments)
    instruments = list(Instrument.objects.order_by("code"))
    OpeningInterval.objects.bulk_create(
        OpeningInterval(instrument=instrument, weekday=day, start=dt.time(8, 0), end=dt.time(20, 0))
        for instrument in instruments
        for day in range(7)
    )
    zone = dt.timezone(dt.timedelta(hours=8))
    first_day = timezone.localdate() + dt.timedelta(days=2)

    def slot(day_offset: int, index: int) -> tuple[dt.datetime, dt.datetime]:
        start = dt.datetime.combine(
            first_day + dt.timedelta(days=day_offset), dt.time(8, 0), tzinfo=zone
        )
        start += dt.timedelta(minutes=30 * index)
        return start, start + dt.timedelta(minutes=30)

    busy = instruments[0]
    # Existing bookings on the busy instrument: 24 half-hour slots a day, the first 1,000.
    rows = []
    for k in range(n_existing):
        start, end = slot(k // 24, k % 24)
        rows.append(
            Booking(
                instrument=busy,
                institution_id=busy.institution_id,
                user=users[k % len(users)],
                start=start,
                end=end,
                status=Status.CONFIRMED,
                price=Decimal("150.00"),
            )
        )
    # The queue: pending requests spread over the institution's other instruments.
    for k in range(n_queue):
        instrument = instruments[1 + k % (n_instruments - 1)]
        start, end = slot(k // (n_instruments - 1) // 24, (k // (n_instruments - 1)) % 24)
        rows.append(
            Booking(
                instrument=instrument,
                institution_id=instrument.institution_id,
                user=users[k % len(users)],
                start=start,
                end=end,
                status=Status.PENDING_APPROVAL,
                price=Decimal("150.00"),
                hold_expires_at=timezone.now() + dt.timedelta(days=2),
            )
        )
    Booking.objects.bulk_create(rows, batch_size=2000)
    fresh_busy = (
        Instrument.objects.prefetch_related("opening_hours")
        .select_related("institution")
        .get(pk=busy.pk)
    )

    # 1. Booking requests on the busy instrument, each for a free slot after the existing ones.
    offset = n_existing // 24 + 1

    def request(i: int) -> None:
        start, end = slot(offset + i // 24, i % 24)
        services.request_booking(users[i % len(users)], fresh_busy, start, end, "bench")

    n_requests = 50 if quick else 300
    load_before = os.getloadavg()
    request_ms, request_q = timed(request, n_requests)

    client = Client()
    floor_ms, floor_q = timed(lambda i: client.get("/bench/floor"), 200)
    start_day = first_day.isoformat()
    end_day = (first_day + dt.timedelta(days=61)).isoformat()
    avail_ms, avail_q = timed(
        lambda i: client.get(
            f"/api/v1/instruments/{busy.code}/availability/?start={start_day}&end={end_day}"
        ),
        50,
    )
    member_client = Client()
    member_client.force_login(member)
    queue_ms, queue_q = timed(lambda i: member_client.get("/bookings/queue/"), 20 if quick else 50)
    load_after = os.getloadavg()

    # 4. Throughput: n_clients threads, non-conflicting bookings spread over the instruments.
    errors: list[str] = []
    done = [0]
    lock = threading.Lock()
    far = 200  # days ahead, clear of the seeded bookings

    def client_thread(t: int) -> None:
        try:
            for j in range(per_client):
                instrument = instruments[(t * per_client + j) % n_instruments]
                instrument = (
                    Instrument.objects.prefetch_related("opening_hours")
                    .select_related("institution")
                    .get(pk=instrument.pk)
                )
                start, end = slot(far + t, j % 24)
                try:
                    services.request_booking(users[t], instrument, start, end, "bench")
                    with lock:
                        done[0] += 1
                except Exception as exc:  # noqa: BLE001 — counted, not raised
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client_thread, args=(t,)) for t in range(n_clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started

    def row(name, samples, queries):
        p50, p95 = statistics.median(samples), percentile(samples, 0.95)
        return (
            f"| {name} | {p50:.1f} | {p95:.1f} | {queries} | {p50 / statistics.median(floor_ms):.1f}× "
            f"| {p95 / percentile(floor_ms, 0.95):.1f}× |"
        )

    lines = [
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC with `bench/bookings.py` on {connection.vendor} "
        f"({platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}); "
        f"1-minute load average {load_before[0]:.1f} before the timed requests and {load_after[0]:.1f} after "
        "(the machine is shared).",
        "",
        f"Data: {n_instruments} instruments of one institution; {n_existing:,} confirmed bookings on the busy "
        f"instrument; {n_queue:,} pending requests in the institution's queue.",
        "",
        "| operation | p50 ms | p95 ms | queries | p50 vs floor | p95 vs floor |",
        "|---|---:|---:|---:|---:|---:|",
        row("floor: constant JSON view (test client)", floor_ms, floor_q),
        row(
            f"request a booking (service, instrument with {n_existing:,} bookings)",
            request_ms,
            request_q,
        ),
        row("availability, one instrument, 62 days (API)", avail_ms, avail_q),
        row(f"approval queue page, {n_queue:,} pending (50 per page)", queue_ms, queue_q),
        "",
        f"Concurrency: {n_clients} threads × {per_client} non-conflicting bookings over {n_instruments} instruments: "
        f"{done[0]} booked in {elapsed:.1f} s ({done[0] / elapsed:.1f} bookings/s), **{len(errors)} errors**"
        + (f" (first: {errors[0]})" if errors else "")
        + ".",
    ]
    return "\n".join(lines)


def write_docs(
    report: str, family: str, *, name: str = "bookings", heading: str = "Bookings"
) -> None:
    from bench.lib.docs import write_section

    write_section(name, family, heading, report)


if __name__ == "__main__":
    main()
