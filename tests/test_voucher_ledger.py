"""Random sequences of voucher operations (hypothesis) — use, withdraw, pay, cancel, expire,
complete, claim, review, batch, pay out — always leave a ledger that check_voucher_ledger
accepts, and never a negative balance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.bookings import services as bookings
from marketplace.vouchers import services
from marketplace.vouchers.checks import ledger_differences
from marketplace.vouchers.models import Balance, ClaimLine, LineStatus
from marketplace.workflow import WorkflowError
from tests import voucher_fixtures as vf
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OPERATIONS = [
    "book_with_voucher",
    "withdraw",
    "pay",
    "cancel",
    "expire",
    "complete",
    "claim",
    "approve",
    "reject",
    "batch_and_pay",
]


class Rollback(Exception):
    pass


def test_random_sequences_of_operations_always_balance():
    admin = vf.admin_user()
    # A small balance (¥1,000) so that uses are refused once it runs out.
    prog = vf.programme(enterprise_annual_cap=Decimal("1000.00"))
    founder = UserFactory(username="founder")
    vf.approved_enterprise(prog, founder, admin)
    made = vf.instrument()
    member = vf.member_of(made.institution, "lab-manager")
    seen = {"steps": 0, "uses": 0}

    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        st.lists(
            st.tuples(st.sampled_from(OPERATIONS), st.integers(min_value=0, max_value=5)),
            min_size=1,
            max_size=9,
        )
    )
    def run(steps):
        try:
            with transaction.atomic():
                items = []
                for number, (operation, pick) in enumerate(steps):
                    item = items[pick % len(items)] if items else None
                    try:
                        with transaction.atomic():
                            items += act(operation, item, number)
                    except WorkflowError:
                        pass  # a refusal changes nothing; the ledger must still balance
                    assert ledger_differences() == [], (steps, number)
                    seen["steps"] += 1
                balance = Balance.objects.get(programme=prog)
                assert min(balance.available, balance.committed, balance.spent) >= 0
                raise Rollback
        except Rollback:
            pass

    def act(operation, item, number):
        if operation == "book_with_voucher":
            booking = vf.book(made, founder, days_ahead=3 + number // 10, hour=8 + number % 10)
            services.use_voucher(booking, founder)
            seen["uses"] += 1
            return [booking]
        if item is None:
            return []
        item.refresh_from_db()
        if operation == "withdraw":
            services.withdraw_voucher(item, founder)
        elif operation == "pay":
            bookings.pay(item, founder, "offline", return_url="/")
            bookings.confirm_offline_payment(item, member, f"BANK-{number}")
        elif operation == "cancel":
            bookings.cancel(item, founder, "random")
        elif operation == "expire":
            bookings.expire_overdue_holds(now=timezone.now() + dt.timedelta(days=2), ids=[item.pk])
        elif operation == "complete":
            bookings.complete(item, member, 60)
        elif operation == "claim":
            services.gather_claim(made.institution, timezone.localdate(), member)
        elif operation in ("approve", "reject"):
            line = ClaimLine.objects.filter(status=LineStatus.CLAIMED).first()
            if line is not None:
                services.decide_line(line, admin, approve=operation == "approve", comment="随机")
        elif operation == "batch_and_pay":
            batch = services.make_batch(admin)
            services.mark_batch_paid(batch, admin, f"FIN-{number}")
        return []

    run()
    assert seen["steps"] > 20 and seen["uses"] > 0
