"""Fire N concurrent booking requests for overlapping slots; count what got through.

Used in-process by the PostgreSQL test (threads, one connection each) and as a subprocess by
the SQLite test (`python -m tests.booking_race N [--unsafe]` against a file database).
`unsafe` switches the protection off — PostgreSQL's exclusion constraint is dropped (and the
instrument row lock the quotas take is skipped), SQLite's
serializing transaction is replaced by autocommit — as a negative control: the same race must
then produce more than one booking, or the test could not have caught it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
import threading
import time
from unittest import mock


def race(n: int, *, unsafe: bool = False) -> dict:
    from django.db import connection, connections

    from marketplace.bookings import services
    from marketplace.bookings.models import Booking
    from marketplace.catalogue.models import Instrument, OpeningInterval
    from marketplace.workflow import Conflict
    from tests.factories import InstitutionFactory, UserFactory

    institution = InstitutionFactory()
    instrument = Instrument.objects.create(
        code=f"RACE-{time.time_ns()}",
        institution=institution,
        name="竞争测试仪器",
        category="analytical",
        original_value="1000000.00",
        offers_machine_time=True,
        price_hourly="100.00",
        slot_minutes=30,
        min_minutes=30,
        max_minutes=240,
        min_notice_hours=0,
        max_advance_days=60,
        approval_required=True,
        live=True,
    )
    for weekday in range(7):
        OpeningInterval.objects.create(
            instrument=instrument, weekday=weekday, start=dt.time(0, 0), end=dt.time(23, 30)
        )
    users = [UserFactory() for _ in range(n)]
    day = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).date()
    zone = dt.timezone(dt.timedelta(hours=8))
    base = dt.datetime.combine(day, dt.time(9, 0), tzinfo=zone)

    results: list[str] = []
    barrier = threading.Barrier(n)
    original_create = Booking.objects.create

    def slow_create(**kwargs):
        time.sleep(0.05)  # widen the window between the overlap check and the insert
        return original_create(**kwargs)

    def attempt(i: int) -> None:
        # Overlapping but different intervals: 09:00–11:00, 09:30–11:30, …
        start = base + dt.timedelta(minutes=30 * (i % 3))
        try:
            fresh = (
                Instrument.objects.prefetch_related("opening_hours")
                .select_related("institution")
                .get(pk=instrument.pk)
            )
            barrier.wait(timeout=30)
            services.request_booking(users[i], fresh, start, start + dt.timedelta(hours=2), "race")
            results.append("ok")
        except Conflict:
            results.append("conflict")
        except Exception as exc:  # noqa: BLE001 — any other outcome is what the test reports
            results.append(f"error: {type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    patches = [mock.patch.object(Booking.objects, "create", side_effect=slow_create)]
    if unsafe:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "ALTER TABLE bookings_booking DROP CONSTRAINT booking_no_overlap_while_active"
                )
            # The request also locks the instrument's row (for the quotas), which alone would
            # serialize the race: switch it off too, or the control could not double-book.
            patches.append(
                mock.patch.object(
                    Instrument.objects, "select_for_update", lambda: Instrument.objects.all()
                )
            )
        else:
            patches.append(
                mock.patch.object(
                    services.transaction, "atomic", lambda *a, **k: contextlib.nullcontext()
                )
            )
    try:
        with contextlib.ExitStack() as stack:
            for patch in patches:
                stack.enter_context(patch)
            threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        rows = Booking.objects.filter(instrument=instrument).count()
    finally:
        if unsafe and connection.vendor == "postgresql":
            Booking.objects.filter(instrument=instrument).delete()
            with connection.cursor() as cursor:
                cursor.execute(
                    "ALTER TABLE bookings_booking ADD CONSTRAINT booking_no_overlap_while_active "
                    "EXCLUDE USING gist (instrument_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) "
                    "WHERE (status IN ('pending_approval', 'awaiting_payment', 'confirmed'))"
                )
    return {
        "ok": results.count("ok"),
        "conflict": results.count("conflict"),
        "errors": [r for r in results if r.startswith("error")],
        "rows": rows,
        "vendor": connection.vendor,
    }


if __name__ == "__main__":
    import django

    django.setup()
    count = int(sys.argv[1])
    outcome = race(count, unsafe="--unsafe" in sys.argv)
    sys.stdout.write(json.dumps(outcome, ensure_ascii=False) + "\n")
