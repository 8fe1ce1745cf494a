"""The balance never goes below zero under concurrency: twenty people of one enterprise use
its voucher at the same moment on ¥1,000 left; exactly the affordable four get it (PostgreSQL,
threads with a connection each, released together by a barrier)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from marketplace.vouchers import services
from marketplace.vouchers.checks import ledger_differences
from marketplace.vouchers.models import Balance, EnterpriseMember, UseStatus, VoucherUse
from marketplace.workflow import Conflict
from tests import voucher_fixtures as vf
from tests.factories import UserFactory

N = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_uses_of_the_last_thousand_yuan_let_exactly_four_through():
    assert connection.vendor == "postgresql"
    admin = vf.admin_user()
    # ¥1,000 a year; each booking is ¥500 (one hour), half of it the voucher's: ¥250.
    prog = vf.programme(enterprise_annual_cap=Decimal("1000.00"), order_cap=Decimal("1000.00"))
    founder = UserFactory(username="founder")
    application = vf.approved_enterprise(prog, founder, admin)
    made = vf.instrument(price_hourly=Decimal("500.00"))
    people = [founder]
    for index in range(1, N):
        person = UserFactory(username=f"staff{index}")
        EnterpriseMember.objects.create(user=person, enterprise=application.enterprise)
        people.append(person)
    items = [
        vf.book(made, person, days_ahead=3 + index // 10, hour=8 + index % 10, hours=1)
        for index, person in enumerate(people)
    ]
    barrier = threading.Barrier(N)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(item, person):
        try:
            barrier.wait(timeout=60)
            services.use_voucher(item, person)
            outcome = "ok"
        except Conflict as refusal:
            outcome = refusal.code
        except Exception as error:  # noqa: BLE001 — reported, and fails the test below
            outcome = f"error: {error!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [
        threading.Thread(target=attempt, args=(item, person))
        for item, person in zip(items, people, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(set(outcomes)) == ["balance_insufficient", "ok"], outcomes
    assert outcomes.count("ok") == 4
    assert outcomes.count("balance_insufficient") == N - 4
    balance = Balance.objects.get(programme=prog)
    assert (balance.available, balance.committed) == (Decimal("0.00"), Decimal("1000.00"))
    assert VoucherUse.objects.filter(status=UseStatus.COMMITTED).count() == 4
    assert ledger_differences() == []
