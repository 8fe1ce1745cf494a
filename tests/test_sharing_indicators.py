"""开放共享评价: indicator arithmetic on hand-built histories — internal vs external use,
partial-hour usage, manual research/maintenance time, cancellations and no-shows, income net
of refunds — and the rebuild from history giving the same sums as the running updates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from marketplace.bookings.models import BookingTransition
from marketplace.sharing import indicators, services
from marketplace.sharing.models import COUNTERS, Scope, Tally, UsageRecord
from tests.factories import BookingFactory, InstrumentFactory
from tests.sharing_fixtures import completed_booking, make_world, shanghai

pytestmark = pytest.mark.django_db


def counters(tally: Tally) -> dict:
    return {name: getattr(tally, name) for name in COUNTERS}


def manual(world, kind: str, start, end):
    """Machine time the institution's manager records by hand on the world's instrument."""
    return services.record_usage(world.manager, world.instrument, kind, start, end)


def unused_bookings(world, month: int, statuses_and_days) -> None:
    """The outsider's bookings of 2025 that never became a service (one hour each)."""
    for status, day in statuses_and_days:
        BookingFactory(
            instrument=world.instrument,
            user=world.outsider,
            start=shanghai(2025, month, day),
            end=shanghai(2025, month, day, 10),
            status=status,
        )


def test_completing_a_booking_records_its_actual_hours_side_and_net_income():
    world = make_world()
    # External: 2½ hours used, 450 paid.
    completed_booking(world, world.outsider, shanghai(2025, 3, 10), 150, paid=Decimal("450.00"))
    # Internal (a member of the owning institution): 45 minutes, 260 paid, 60 refunded.
    completed_booking(
        world,
        world.manager,
        shanghai(2025, 3, 12),
        45,
        paid=Decimal("260.00"),
        refunded=Decimal("60.00"),
    )
    external, internal = UsageRecord.objects.order_by("at")
    assert (external.external, external.minutes, external.income) == (
        True,
        150,
        Decimal("450.00"),
    )
    assert (internal.external, internal.minutes, internal.income) == (
        False,
        45,
        Decimal("200.00"),
    )

    data = indicators.institution_indicators(world.institution, 2025)
    assert data["effective_hours"] == Decimal("3.3")  # 195 minutes
    assert data["external_hours"] == Decimal("2.5")
    assert data["internal_hours"] == Decimal("0.8")  # 45 minutes, a partial hour
    assert data["share_rate"] == Decimal("76.9")  # 150 / 195
    assert data["services"] == 2
    assert data["users_served"] == 2
    assert data["external_users_served"] == 1
    assert data["income_internal"] == Decimal("200.00")
    assert data["income_external"] == Decimal("450.00")


def test_research_use_counts_as_effective_time_maintenance_and_downtime_do_not():
    world = make_world()
    completed_booking(world, world.outsider, shanghai(2025, 5, 6), 120)
    manual(world, "research", shanghai(2025, 5, 7, 9), shanghai(2025, 5, 7, 13))
    manual(world, "maintenance", shanghai(2025, 5, 8, 9), shanghai(2025, 5, 8, 10, 30))
    tally = indicators.year_tally(Scope.INSTRUMENT, str(world.instrument.pk), 2025)
    assert tally.effective_minutes == 120 + 240
    assert tally.external_minutes == 120
    assert tally.research_minutes == 240
    assert tally.maintenance_minutes == 90
    # 共享率 has the true denominator: 2 external hours of 6 effective ones.
    assert tally.share_rate == Decimal("33.3")
    assert tally.services == 1


def test_months_and_years_are_counted_in_beijing_time():
    world = make_world()
    # 07:30 on 1 April in Beijing is still 31 March in UTC: it counts in April.
    completed_booking(world, world.outsider, shanghai(2025, 4, 1, 7, 30), 60)
    # 1 January 2026, 06:00 Beijing = 31 December 2025 UTC: it counts in 2026.
    completed_booking(world, world.outsider, shanghai(2026, 1, 1, 6), 90)
    months = indicators.monthly(Scope.PROVINCE, "", 2025)
    assert [t.effective_minutes for t in months] == [0, 0, 0, 60, 0, 0, 0, 0, 0, 0, 0, 0]
    assert indicators.year_tally(Scope.PROVINCE, "", 2026).effective_minutes == 90
    assert indicators.monthly(Scope.PROVINCE, "", 2026)[0].effective_minutes == 90


def test_a_user_is_served_once_per_year_however_often_they_come():
    world = make_world()
    for day in (3, 4, 5):
        completed_booking(world, world.outsider, shanghai(2025, 6, day), 60)
    completed_booking(world, world.other_outsider, shanghai(2025, 6, 9), 60)
    completed_booking(world, world.outsider, shanghai(2026, 1, 9), 60)
    for scope, key in [
        (Scope.PROVINCE, ""),
        (Scope.REGION, "530100"),
        (Scope.INSTITUTION, str(world.institution.pk)),
        (Scope.INSTRUMENT, str(world.instrument.pk)),
        (Scope.CATEGORY, "analytical"),
    ]:
        tally = indicators.year_tally(scope, key, 2025)
        assert (tally.services, tally.users_served, tally.external_users_served) == (4, 2, 2)
    assert indicators.year_tally(Scope.PROVINCE, "", 2026).users_served == 1


def test_cancellation_and_no_show_rates_of_the_bookings_of_the_year():
    world = make_world()
    completed_booking(world, world.outsider, shanghai(2025, 2, 3), 60)
    completed_booking(world, world.outsider, shanghai(2025, 2, 4), 60)
    completed_booking(world, world.outsider, shanghai(2025, 2, 5), 60)
    unused_bookings(world, 2, (("cancelled", 6), ("no_show", 7), ("rejected", 10), ("expired", 11)))
    data = indicators.institution_indicators(world.institution, 2025)
    # Held: 3 completed + 1 cancelled + 1 no-show (rejected and expired never held the slot).
    assert data["cancellation_rate"] == Decimal("20.0")
    # Reached their slot: 3 completed + 1 no-show.
    assert data["no_show_rate"] == Decimal("25.0")


def test_median_response_time_from_request_to_the_institutions_answer():
    world = make_world()
    for day, answered_after in ((3, 2), (4, 5), (5, 30)):
        booking = completed_booking(world, world.outsider, shanghai(2025, 2, day), 60)
        record = booking.usage_record
        # The request and its approval as the log has them.
        BookingTransition.objects.filter(booking=booking).delete()
        requested = shanghai(2025, 1, 20)
        type(booking).objects.filter(pk=booking.pk).update(created_at=requested)
        approval = BookingTransition.objects.create(
            booking=booking, from_status="pending_approval", to_status="confirmed"
        )
        BookingTransition.objects.filter(pk=approval.pk).update(
            at=requested + dt.timedelta(hours=answered_after)
        )
        record.delete()
    call_command("rebuild_sharing_stats", verbosity=0)
    assert indicators.institution_indicators(world.institution, 2025)[
        "median_response_hours"
    ] == Decimal("5.0")


def test_the_rebuild_from_history_matches_the_running_sums():
    world = make_world()
    second = InstrumentFactory(institution=world.institution, category="metrology")
    completed_booking(world, world.outsider, shanghai(2025, 3, 10), 150, paid=Decimal("450.00"))
    completed_booking(world, world.manager, shanghai(2025, 3, 11), 45, paid=Decimal("117.00"))
    completed_booking(
        world,
        world.other_outsider,
        shanghai(2025, 7, 1),
        200,
        paid=Decimal("900.00"),
        instrument=second,
    )
    services.record_usage(
        world.manager, second, "downtime", shanghai(2025, 8, 1, 8), shanghai(2025, 8, 2, 8)
    )
    running = {(t.scope, t.key, t.year, t.month): counters(t) for t in Tally.objects.all()}
    Tally.objects.all().delete()
    call_command("rebuild_sharing_stats", verbosity=0)
    rebuilt = {(t.scope, t.key, t.year, t.month): counters(t) for t in Tally.objects.all()}
    assert rebuilt == running
    assert running[("institution", str(world.institution.pk), 2025, 0)]["downtime_minutes"] == (
        24 * 60
    )


def test_the_rebuild_records_services_completed_before_the_ledger_existed():
    world = make_world()
    BookingFactory(
        instrument=world.instrument,
        user=world.outsider,
        start=shanghai(2024, 11, 5),
        end=shanghai(2024, 11, 5, 11),
        status="completed",
        actual_minutes=100,
    )
    assert UsageRecord.objects.count() == 0
    call_command("rebuild_sharing_stats", verbosity=0)
    record = UsageRecord.objects.get()
    assert (record.minutes, record.external, record.year, record.month) == (100, True, 2024, 11)
    assert indicators.year_tally(Scope.PROVINCE, "", 2024).effective_minutes == 100
    # Running it again records nothing twice.
    call_command("rebuild_sharing_stats", verbosity=0)
    assert UsageRecord.objects.count() == 1
    assert indicators.year_tally(Scope.PROVINCE, "", 2024).services == 1


def test_a_completed_sample_order_is_a_service_with_its_income_and_no_machine_hours(
    django_capture_on_commit_callbacks,
):
    from marketplace.sampletesting import services as orders
    from tests.factories import PaymentFactory, SampleOrderFactory

    world = make_world()
    order = SampleOrderFactory(
        instrument=world.instrument,
        user=world.outsider,
        status="report_delivered",
        price=Decimal("900.00"),
    )
    PaymentFactory(booking=None, sample_order=order, amount=Decimal("900.00"))
    orders.complete(order, world.outsider)
    record = UsageRecord.objects.get(sample_order=order)
    assert (record.minutes, record.external, record.income) == (0, True, Decimal("900.00"))
    tally = indicators.year_tally(Scope.INSTITUTION, str(world.institution.pk), record.year)
    assert (tally.services, tally.income_external, tally.effective_minutes) == (
        1,
        Decimal("900.00"),
        0,
    )


def test_manual_usage_is_refused_clearly(api_client):
    from marketplace.workflow import Forbidden, RuleError

    world = make_world()
    with pytest.raises(Forbidden):
        services.record_usage(
            world.outsider, world.instrument, "research", shanghai(2025, 1, 1), shanghai(2025, 1, 2)
        )
    with pytest.raises(RuleError) as refused:
        services.record_usage(
            world.manager, world.instrument, "research", shanghai(2025, 1, 2), shanghai(2025, 1, 1)
        )
    assert refused.value.field == "end"
    with pytest.raises(RuleError) as refused:
        services.record_usage(
            world.manager, world.instrument, "service", shanghai(2025, 1, 1), shanghai(2025, 1, 2)
        )
    assert refused.value.field == "kind"
    assert UsageRecord.objects.count() == 0


def test_cancelled_bookings_add_no_hours_and_part_of_a_day_counts_to_the_minute():
    world = make_world()
    # External service: 50 minutes of a booked hour.
    completed_booking(world, world.outsider, shanghai(2025, 9, 1), 50)
    # Held slots that were never used: they count in the rates, never in the hours.
    unused_bookings(world, 9, (("cancelled", 2), ("no_show", 3)))
    # Internal research for part of a day, 09:00–13:20; maintenance for 25 minutes.
    manual(world, "research", shanghai(2025, 9, 4, 9), shanghai(2025, 9, 4, 13, 20))
    manual(world, "maintenance", shanghai(2025, 9, 5, 17, 35), shanghai(2025, 9, 5, 18))
    assert UsageRecord.objects.filter(booking__isnull=False).count() == 1
    data = indicators.instrument_indicators(world.instrument, 2025)
    assert data["effective_hours"] == Decimal("5.2")  # 50 + 260 = 310 minutes
    assert data["external_hours"] == Decimal("0.8")  # 50 minutes
    assert data["research_hours"] == Decimal("4.3")
    assert data["maintenance_hours"] == Decimal("0.4")
    assert data["share_rate"] == Decimal("16.1")  # 50 / 310
    assert data["services"] == 1
    assert data["cancellation_rate"] == Decimal("33.3")  # 1 of the 3 held slots
    assert data["no_show_rate"] == Decimal("50.0")  # 1 of the 2 reached
    september = indicators.monthly(Scope.INSTRUMENT, str(world.instrument.pk), 2025)[8]
    assert (september.effective_minutes, september.maintenance_minutes) == (310, 25)
    # The nightly rebuild agrees to the minute.
    running = counters(indicators.year_tally(Scope.INSTRUMENT, str(world.instrument.pk), 2025))
    call_command("rebuild_sharing_stats", verbosity=0)
    rebuilt = counters(indicators.year_tally(Scope.INSTRUMENT, str(world.instrument.pk), 2025))
    assert rebuilt == running
