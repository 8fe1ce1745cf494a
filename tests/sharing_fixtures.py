"""Hand-built histories for the open-sharing tests: bookings completed through the real
services (so the completion hook writes the usage records), payments in the ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from marketplace.bookings import services as bookings
from marketplace.bookings.models import Booking
from tests.factories import (
    BookingFactory,
    InstitutionFactory,
    InstrumentFactory,
    MembershipFactory,
    PaymentFactory,
    UserFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(year, month, day, hour=9, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class World:
    institution: object
    instrument: object
    manager: object
    outsider: object
    other_outsider: object


def make_world(region="530100", code="YLU") -> World:
    name = "云岭理工大学" if code == "YLU" else f"{code}研究院"
    institution = InstitutionFactory(code=code, name=name, region=region)
    instrument = InstrumentFactory(institution=institution, code=f"{code}-SEM", name="扫描电镜")
    manager = UserFactory(username=f"{code.lower()}-manager", email="lab@ylu.example")
    MembershipFactory(user=manager, institution=institution, role="manager")
    return World(
        institution=institution,
        instrument=instrument,
        manager=manager,
        outsider=UserFactory(username=f"{code.lower()}-founder"),
        other_outsider=UserFactory(username=f"{code.lower()}-researcher"),
    )


def completed_booking(
    world: World,
    user,
    start: dt.datetime,
    minutes: int,
    *,
    paid: Decimal | None = None,
    refunded: Decimal | None = None,
    instrument=None,
) -> Booking:
    """A confirmed booking in the past, paid as given, completed by the manager."""
    booking = BookingFactory(
        instrument=instrument or world.instrument,
        user=user,
        start=start,
        end=start + dt.timedelta(minutes=max(minutes, 60)),
        status="confirmed",
        price=paid or Decimal("0.00"),
    )
    if paid:
        payment = PaymentFactory(booking=booking, amount=paid)
        if refunded:
            PaymentFactory(
                booking=booking, kind="refund", amount=refunded, refund_of=payment, method="offline"
            )
    return bookings.complete(booking, world.manager, minutes)
