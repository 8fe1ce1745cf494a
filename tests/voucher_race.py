"""Twenty people of one enterprise use its voucher at the same moment on the last ¥1,000;
count what got through.

Used in-process by the PostgreSQL test (threads, one connection each) and as a subprocess by
the SQLite test (`python -m tests.voucher_race N [--unsafe]` against a file database: real
threads, each with its own connection to the same file). A ¥500 booking with 50 % subsidy
draws ¥250, so exactly four uses are affordable. `unsafe` takes the serialization away as a
negative control — on PostgreSQL the row locks (select_for_update), on SQLite the service's
transaction (its BEGIN IMMEDIATE; the service runs in autocommit): the same race must then let more than four through, or the test
could not have caught an overdraft.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
from decimal import Decimal
from unittest import mock


def race(n: int, *, unsafe: bool = False) -> dict:
    from django.db import connection, connections, transaction

    from marketplace.bookings.models import Booking
    from marketplace.vouchers import services
    from marketplace.vouchers.checks import ledger_differences
    from marketplace.vouchers.models import Balance, Enterprise, EnterpriseMember, VoucherUse
    from marketplace.workflow import Conflict
    from tests import voucher_fixtures as vf
    from tests.factories import UserFactory

    prog = vf.programme(enterprise_annual_cap=Decimal("1000.00"), order_cap=Decimal("1000.00"))
    enterprise = Enterprise.objects.create(
        name="滇创科技有限公司", credit_code=vf.enterprise_code(1)
    )
    with transaction.atomic():
        services.grant(prog, enterprise, services.local_year())
    made = vf.instrument(price_hourly=Decimal("500.00"))
    people = [UserFactory(username=f"staff{index}") for index in range(n)]
    for person in people:
        EnterpriseMember.objects.create(user=person, enterprise=enterprise)
    items = [
        vf.book(made, person, days_ahead=3 + index // 10, hour=8 + index % 10, hours=1)
        for index, person in enumerate(people)
    ]
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()
    original_create = VoucherUse.objects.create

    def slow_create(**kwargs):
        time.sleep(0.05)  # widen the window between the balance check and the reservation
        return original_create(**kwargs)

    def attempt(item, person):
        try:
            barrier.wait(timeout=60)
            use_voucher(item, person)
            outcome = "ok"
        except Conflict as refusal:
            outcome = refusal.code
        except Exception as error:  # noqa: BLE001 — reported, and fails the test
            outcome = f"error: {type(error).__name__}: {error}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    use_voucher = services.use_voucher
    patches = [mock.patch.object(VoucherUse.objects, "create", side_effect=slow_create)]
    if unsafe and connection.vendor == "sqlite":
        use_voucher = services.use_voucher.__wrapped__  # without @transaction.atomic
    elif unsafe:
        for manager in (Balance.objects, Booking.objects):
            patches.append(mock.patch.object(manager, "select_for_update", manager.all))
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch)
        threads = [
            threading.Thread(target=attempt, args=(item, person))
            for item, person in zip(items, people, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    balance = Balance.objects.get(programme=prog)
    return {
        "vendor": connection.vendor,
        "ok": outcomes.count("ok"),
        "insufficient": outcomes.count("balance_insufficient"),
        "errors": [outcome for outcome in outcomes if outcome.startswith("error")],
        "outcomes": len(outcomes),
        "uses": VoucherUse.objects.filter(balance=balance).count(),
        "available": f"{balance.available}",
        "committed": f"{balance.committed}",
        "ledger": ledger_differences(),
    }


if __name__ == "__main__":
    import django

    django.setup()
    outcome = race(int(sys.argv[1]), unsafe="--unsafe" in sys.argv)
    sys.stdout.write(json.dumps(outcome, ensure_ascii=False) + "\n")
