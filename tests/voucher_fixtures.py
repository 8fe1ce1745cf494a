"""Shared helpers for the innovation-voucher tests: a programme, an approved enterprise with
its balance, and an instrument of another institution booked for payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from marketplace.bookings import services as bookings
from marketplace.vouchers import services
from marketplace.vouchers.models import Programme
from tests.booking_fixtures import at
from tests.factories import (
    InstitutionFactory,
    InstrumentFactory,
    MembershipFactory,
    OpeningIntervalFactory,
    UserFactory,
    make_credit_code,
)
from tests.residency_fixtures import pdf_upload


def enterprise_code(n: int) -> str:
    """A valid credit code of an enterprise, unique per n (check character computed)."""
    return make_credit_code(500_000_000 + n)


def admin_user(username="voucher-admin"):
    user = UserFactory(username=username)
    group, _created = Group.objects.get_or_create(name=services.ADMINS_GROUP)
    user.groups.add(group)
    return user


def programme(**overrides) -> Programme:
    today = timezone.localdate()
    values = {
        "name": "云南省科技创新券 2026",
        "issuer": "云南省科学技术厅",
        "budget": Decimal("100000.00"),
        "subsidy_percent": Decimal("50"),
        "enterprise_annual_cap": Decimal("5000.00"),
        "order_cap": Decimal("300.00"),
        "kinds": ["machine_time", "sample_testing"],
        "valid_from": today - dt.timedelta(days=30),
        "valid_to": today + dt.timedelta(days=300),
        "status": "open",
    }
    values.update(overrides)
    institutions = values.pop("institutions", None)
    created = Programme.objects.create(**values)
    if institutions:
        created.institutions.set(institutions)
    return created


def approved_enterprise(prog, user, admin, *, n: int = 1, name="滇创科技有限公司"):
    """`user` applies for their enterprise; the 州市 and the 省 approve: the balance."""
    application = services.apply(
        user, prog, name=name, credit_code=enterprise_code(n), document=pdf_upload("licence.pdf")
    )
    services.review(application, admin, decision="approve", comment="材料齐全")
    services.review(application, admin, decision="approve", comment="同意")
    application.refresh_from_db()
    return application


def instrument(**overrides):
    values = {
        "institution": InstitutionFactory(),
        "approval_required": False,
        "price_hourly": Decimal("450.00"),
        "price_internal_hourly": None,
        "min_minutes": 60,
        "max_minutes": 240,
        "min_notice_hours": 0,
        "max_advance_days": 60,
        "max_active_bookings": 100,
        "max_hours_per_week": 168,
    }
    values.update(overrides)
    made = InstrumentFactory(**values)
    for weekday in range(7):
        OpeningIntervalFactory(
            instrument=made, weekday=weekday, start=dt.time(8, 0), end=dt.time(20, 0)
        )
    return made


def member_of(institution, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, institution=institution, role="manager")
    return user


def book(made, user, *, days_ahead: int = 5, hour: int = 8, hours: int = 2):
    """A booking awaiting payment (no approval needed): hours × ¥450."""
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    start = at(day, f"{hour:02d}:00")
    return bookings.request_booking(user, made, start, start + dt.timedelta(hours=hours))
