"""The booking workflow: every rule and every transition, in one place.

Views, API endpoints and commands call these functions and nothing else changes a booking.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from marketplace import completions
from marketplace.accounts import permissions
from marketplace.accounts.profile import require_profile
from marketplace.catalogue.models import Blackout, Instrument
from marketplace.catalogue.permissions import require_instrument_member
from marketplace.notifications.services import transition_notices
from marketplace.payments import holds, providers
from marketplace.payments import services as payments
from marketplace.payments.payables import payer_share
from marketplace.workflow import (
    Conflict,
    Forbidden,
    Refused,
    RuleError,
    StateMachine,
    atomic_action,
    locked,
    require,
    required_text,
)

from .models import (
    ACTIVE_STATUSES,
    Booking,
    Status,
)

CENT = Decimal("0.01")

# Allowed transitions: status → statuses it may move to.
TRANSITIONS: dict[str, set[str]] = {
    Status.PENDING_APPROVAL: {
        Status.AWAITING_PAYMENT,
        Status.CONFIRMED,
        Status.REJECTED,
        Status.CANCELLED,
        Status.EXPIRED,
    },
    Status.AWAITING_PAYMENT: {Status.CONFIRMED, Status.CANCELLED, Status.EXPIRED},
    Status.CONFIRMED: {Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW},
    Status.COMPLETED: set(),
    Status.REJECTED: set(),
    Status.EXPIRED: set(),
    Status.CANCELLED: set(),
    Status.NO_SHOW: set(),
}


MESSAGES = {
    Status.PENDING_APPROVAL: ("新的预约申请待审核", "New booking request awaiting approval"),
    Status.AWAITING_PAYMENT: ("预约已通过审核，请付款", "Booking approved; please pay"),
    Status.CONFIRMED: ("预约已确认", "Booking confirmed"),
    Status.REJECTED: ("预约未通过审核", "Booking rejected"),
    Status.CANCELLED: ("预约已取消", "Booking cancelled"),
    Status.EXPIRED: ("预约保留已过期", "Booking hold expired"),
    Status.COMPLETED: ("预约已完成", "Booking completed"),
    Status.NO_SHOW: ("预约标记为未到场", "Booking marked as no-show"),
}


BOOKING_FLOW = StateMachine(
    TRANSITIONS,
    transition_notices(
        MESSAGES,
        fallback=("预约状态已更新", "Booking updated"),
        subject=lambda booking: booking.summary,
    ),
)


# --- Permissions ---------------------------------------------------------------------------


def get_booking_for(user, booking_id: int) -> Booking:
    """The booking if the user may read it (owner, member, moderator); otherwise NotFound.

    A hold that ran out is expired here, on read: every page and API answer shows it expired
    without waiting for the periodic job."""
    queryset = Booking.objects.visible_to(user).for_pages()
    return HOLDS.read(queryset, booking_id, gettext("预约不存在"))


# --- Prices and refunds --------------------------------------------------------------------


def price_for(instrument: Instrument, user, minutes: int) -> tuple[Decimal, bool]:
    """(price in yuan, internal rate?) for `minutes` of machine time."""
    internal = (
        user.is_authenticated and instrument.institution.memberships.filter(user=user).exists()
    )
    rate = (
        instrument.price_internal_hourly
        if internal and instrument.price_internal_hourly is not None
        else instrument.price_hourly
    )
    if internal and instrument.price_internal_hourly is None:
        internal = False
    if rate is None:
        raise RuleError(
            gettext("该仪器机时价格面议，请先联系管理单位"),
            "price_on_request",
        )
    amount = (rate * Decimal(minutes) / Decimal(60)).quantize(CENT, rounding=ROUND_HALF_UP)
    return amount, internal


def refund_percent_for(booking: Booking, at: dt.datetime) -> int:
    """The tier with the largest hours_before that is ≤ the hours left; none → 0."""
    hours_left = (booking.start - at).total_seconds() / 3600
    best = None
    for tier in booking.instrument.refund_tiers.all():
        if tier.hours_before <= hours_left and (
            best is None or tier.hours_before > best.hours_before
        ):
            best = tier
    return best.refund_percent if best else 0


def refund_amount_for(booking: Booking, at: dt.datetime) -> Decimal:
    # What is still kept: an overpayment already on its way back is not refunded twice.
    paid = payments.kept_total(booking)
    if paid <= 0:
        return Decimal("0.00")
    return (paid * Decimal(refund_percent_for(booking, at)) / Decimal(100)).quantize(
        CENT, rounding=ROUND_HALF_UP
    )


# --- Requesting ----------------------------------------------------------------------------


def _require_aware(value: dt.datetime, name: str) -> dt.datetime:
    if timezone.is_naive(value):
        raise RuleError(
            gettext("%(name)s 必须带时区偏移（例如 +08:00）") % {"name": name},
            "naive_datetime",
        )
    return value


def check_rules(
    instrument: Instrument, user, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> None:
    """Raise RuleError for the first rule the request breaks."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end <= start:
        raise RuleError(gettext("结束时间必须晚于开始时间"), "end_before_start")
    if start < now:
        raise RuleError(gettext("不能预约过去的时间"), "in_the_past")
    if (
        instrument.status != "in_service"
        or not instrument.offers_machine_time
        or not instrument.live
    ):
        raise RuleError(
            gettext("该仪器目前不接受机时预约"),
            "not_in_service",
        )
    if instrument.training_required and not _has_training(user, instrument):
        raise RuleError(
            gettext("该仪器要求先参加上机培训"),
            "training_required",
        )
    minutes = (end - start).total_seconds() / 60
    if minutes < instrument.min_minutes:
        raise RuleError(
            gettext("每次至少预约 %(min_minutes)s 分钟") % {"min_minutes": instrument.min_minutes},
            "too_short",
        )
    if minutes > instrument.max_minutes:
        raise RuleError(
            gettext("每次最多预约 %(max_minutes)s 分钟") % {"max_minutes": instrument.max_minutes},
            "too_long",
        )
    if start < now + dt.timedelta(hours=instrument.min_notice_hours):
        raise RuleError(
            gettext("须至少提前 %(min_notice_hours)s 小时预约")
            % {"min_notice_hours": instrument.min_notice_hours},
            "min_notice",
        )
    if end > now + dt.timedelta(days=instrument.max_advance_days):
        raise RuleError(
            gettext("最多提前 %(max_advance_days)s 天预约")
            % {"max_advance_days": instrument.max_advance_days},
            "advance_window",
        )
    zone = ZoneInfo(instrument.timezone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    # Opening intervals never cross midnight, so a booking must lie within one day's interval.
    interval = next(
        (
            candidate
            for candidate in instrument.opening_hours.all()
            if candidate.weekday == local_start.weekday()
            and local_end.date() == local_start.date()
            and candidate.start <= local_start.time()
            and local_end.time() <= candidate.end
        ),
        None,
    )
    if interval is None:
        raise RuleError(
            gettext("不在仪器开放时间内"),
            "outside_opening_hours",
        )
    opening = dt.datetime.combine(local_start.date(), interval.start, tzinfo=zone)
    slot = dt.timedelta(minutes=instrument.slot_minutes)
    if (local_start - opening) % slot or (local_end - opening) % slot:
        raise RuleError(
            gettext("须按 %(slot_minutes)s 分钟时段对齐")
            % {"slot_minutes": instrument.slot_minutes},
            "slot_boundary",
        )


def _has_training(user, instrument: Instrument) -> bool:
    """A user counts as trained once they have completed a booking on the instrument."""
    return Booking.objects.filter(
        user=user, instrument=instrument, status=Status.COMPLETED
    ).exists()


def _record(booking: Booking, from_status: str, by, note: str = "") -> None:
    BOOKING_FLOW.record(booking, from_status, by, note)


def _expire_overdue(
    instrument: Instrument, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> None:
    overdue = Booking.objects.filter(
        instrument=instrument,
        status__in=[Status.PENDING_APPROVAL, Status.AWAITING_PAYMENT],
        hold_expires_at__lte=now,
    ).overlapping(start, end)
    for booking in overdue.select_for_update():
        _transition(booking, Status.EXPIRED, by=None, note="hold expired")


def _hold_deadline(status: str, now: dt.datetime, start: dt.datetime) -> dt.datetime | None:
    """How long a request or an unpaid approval keeps the slot — never past the slot's start."""
    if status == Status.PENDING_APPROVAL:
        return min(now + dt.timedelta(hours=settings.BOOKING_APPROVAL_WINDOW_HOURS), start)
    if status == Status.AWAITING_PAYMENT:
        return holds.payment_deadline(now, not_after=start)
    return None


def _check_quotas(
    instrument: Instrument, user, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> None:
    """Slot hoarding (security finding 7): per user and instrument, at most
    `booking_quota_active` active bookings that have not ended, and at most
    `booking_quota_hours` booked hours in the ISO week (Monday–Sunday, instrument's wall-clock
    time, Asia/Shanghai) of the request. Cancelled, rejected and expired bookings, and holds
    that ran out, do not count. Runs under the request's lock, so quotas cannot race."""
    mine = Booking.objects.filter(instrument=instrument, user=user).filter(
        Q(hold_expires_at__isnull=True) | Q(hold_expires_at__gt=now)
    )
    limit = instrument.booking_quota_active
    if mine.active().filter(end__gt=now).count() >= limit:
        raise RuleError(
            gettext(
                "每人在本仪器上最多同时持有 %(limit)s 个未完成的预约，请在已有预约完成或取消后再预约"
            )
            % {"limit": limit},
            "quota_bookings",
        )
    zone = ZoneInfo(instrument.timezone)
    local = start.astimezone(zone)
    monday = local.date() - dt.timedelta(days=local.weekday())
    week_start = dt.datetime.combine(monday, dt.time(0), tzinfo=zone)
    week_end = week_start + dt.timedelta(days=7)
    counted = mine.exclude(
        status__in=[Status.CANCELLED, Status.REJECTED, Status.EXPIRED]
    ).overlapping(week_start, week_end)
    used = sum(
        (
            min(b_end, week_end) - max(b_start, week_start)
            for b_start, b_end in counted.values_list("start", "end")
        ),
        dt.timedelta(),
    )
    wanted = min(end, week_end) - max(start, week_start)
    hours = instrument.booking_quota_hours
    if used + wanted > dt.timedelta(hours=hours):
        left = max(dt.timedelta(hours=hours) - used, dt.timedelta())
        left_hours = f"{left.total_seconds() / 3600:g}"
        raise RuleError(
            gettext(
                "每人每周在本仪器上最多预约 %(hours)s 小时（%(monday)s 起的一周还可预约 %(left_hours)s 小时）"
            )
            % {"hours": hours, "monday": f"{monday:%Y-%m-%d}", "left_hours": left_hours},
            "quota_hours",
        )


def request_booking(
    user,
    instrument: Instrument,
    start: dt.datetime,
    end: dt.datetime,
    purpose: str = "",
    *,
    now: dt.datetime | None = None,
) -> Booking:
    """Reserve [start, end) on the instrument for the user, or refuse with a clear reason."""
    require_profile(user)
    now = now or timezone.now()
    check_rules(instrument, user, start, end, now)
    price, internal = price_for(instrument, user, int((end - start).total_seconds() // 60))
    if instrument.approval_required:
        status = Status.PENDING_APPROVAL
    elif price > 0:
        status = Status.AWAITING_PAYMENT
    else:
        status = Status.CONFIRMED
    try:
        with transaction.atomic():
            # On SQLite the IMMEDIATE transaction already holds the write lock here, so the
            # check and the insert below cannot interleave with another request's. On
            # PostgreSQL the exclusion constraint stops overlaps, but the quotas count rows
            # across slots: the instrument's row lock serializes its requests for them.
            list(Instrument.objects.select_for_update().filter(pk=instrument.pk).values_list("pk"))
            _check_quotas(instrument, user, start, end, now)
            _expire_overdue(instrument, start, end, now)
            if Blackout.objects.filter(instrument=instrument).overlapping(start, end).exists():
                raise Conflict(
                    gettext("该时段仪器停机"),
                    "blackout",
                )
            if (
                Booking.objects.active()
                .filter(instrument=instrument)
                .overlapping(start, end)
                .exists()
            ):
                raise Conflict(gettext("该时段已被预约"), "slot_taken")
            booking = Booking.objects.create(
                instrument=instrument,
                user=user,
                start=start,
                end=end,
                purpose=purpose[:500],
                status=status,
                price=price,
                internal_rate=internal,
                hold_expires_at=_hold_deadline(status, now, start),
            )
            _record(booking, "", user, "requested")
    except IntegrityError as exc:
        # PostgreSQL's exclusion constraint caught a concurrent overlapping insert.
        raise Conflict(gettext("该时段已被预约"), "slot_taken") from exc
    except OperationalError as exc:
        if "locked" in str(exc).lower():
            raise Conflict(gettext("系统繁忙，请重试"), "busy") from exc
        raise
    return booking


# --- Transitions ---------------------------------------------------------------------------


def _transition(booking: Booking, to: str, by, note: str = "") -> Booking:
    if BOOKING_FLOW.allows(booking.status, to):
        booking.hold_expires_at = (
            _hold_deadline(to, timezone.now(), booking.start) if to in ACTIVE_STATUSES else None
        )
    booking = BOOKING_FLOW.move(
        booking,
        to,
        by,
        note,
        update_fields=["hold_expires_at", "reject_reason", "actual_minutes"],
    )
    if to in (Status.EXPIRED, Status.CANCELLED, Status.REJECTED):
        # Nothing may be paid any more for a booking that no longer holds its slot.
        payments.close_open_attempts(booking)
    return booking


def _require_owner(user, booking: Booking) -> None:
    require(booking.user_id == user.pk, "只有预约人可以付款", "only the booker pays")


def _expire(booking: Booking) -> Booking:
    return _transition(booking, Status.EXPIRED, by=None, note="hold expired")


# Requests and unpaid approvals hold the slot until their time runs out (the payments
# kernel's holds: lazily expired on read, a late action refused with 409 expired).
HOLDS = holds.Holds(
    Booking,
    statuses=(Status.PENDING_APPROVAL, Status.AWAITING_PAYMENT),
    expire=_expire,
    message=lambda: gettext("预约保留已过期"),
)
_expired_now = HOLDS.refused_if_overdue


def _refuse_if_started(booking: Booking, now: dt.datetime) -> None:
    """No approving, paying or confirming once the slot has begun."""
    if booking.start <= now:
        raise Conflict(
            gettext("预约时段已开始，不能再办理"),
            "started",
        )


@atomic_action
def approve(booking: Booking, by) -> Booking | Refused:
    booking = locked(booking)
    require_instrument_member(by, booking)
    now = timezone.now()
    if refused := _expired_now(booking, now):
        return refused
    _refuse_if_started(booking, now)
    target = Status.AWAITING_PAYMENT if booking.price > 0 else Status.CONFIRMED
    if booking.status != Status.PENDING_APPROVAL:
        raise Conflict(
            gettext("只有待审核的预约可以审核通过"),
            "transition_not_allowed",
        )
    return _transition(booking, target, by, "approved")


@atomic_action
def reject(booking: Booking, by, reason: str) -> Booking:
    booking = locked(booking)
    require_instrument_member(by, booking)
    reason = required_text(reason, gettext("请填写拒绝原因"), "reason_required")
    if booking.status != Status.PENDING_APPROVAL:
        raise Conflict(
            gettext("只有待审核的预约可以拒绝"),
            "transition_not_allowed",
        )
    booking.reject_reason = reason[:500]
    return _transition(booking, Status.REJECTED, by, reason)


@atomic_action
def pay(
    booking: Booking, by, method: str, *, return_url: str, invoice: dict | None = None
) -> dict | Refused:
    """The booker pays the price by `method`: what they need next (Checkout URL, or payee,
    汇款附言 and deadline of a bank transfer), optionally asking for a 发票. Which provider does
    it is the payments app's business; choosing one withdraws any other open attempt."""
    provider = providers.provider_for(method)
    booking = locked(booking)
    _require_owner(by, booking)
    now = timezone.now()
    if refused := _expired_now(booking, now):
        return refused
    _refuse_if_started(booking, now)
    if booking.status != Status.AWAITING_PAYMENT:
        raise Conflict(gettext("当前状态无需付款"), "transition_not_allowed")
    return providers.start_payment(
        provider,
        booking,
        booking.price,
        return_url=return_url,
        invoice=invoice,
        now=now,
        not_after=booking.start,
    )


@atomic_action
def confirm_offline_payment(booking: Booking, by, reference: str) -> Booking | Refused:
    """A member saw the transfer arrive. Not for a booking they made themselves (another
    member confirms), not after the hold ran out or the slot began (409). A transfer that
    arrives for a booking already paid by card is recorded and sent back at once."""
    booking = locked(booking)
    require_instrument_member(by, booking)
    payments.refuse_own_transfer(
        booking, by, gettext("不能确认自己预约的付款，请由本单位其他成员确认")
    )
    reference = required_text(reference, gettext("请填写转账凭证号"), "reference_required")
    now = timezone.now()
    if refused := _expired_now(booking, now):
        return refused
    due = payer_share(booking, booking.price)
    paid = booking.status == Status.CONFIRMED
    if payments.returned_late_transfer(booking, due, reference, by=by, paid=paid):
        return booking
    if booking.status != Status.AWAITING_PAYMENT:
        raise Conflict(
            gettext("当前状态不是待付款"),
            "transition_not_allowed",
        )
    _refuse_if_started(booking, now)
    payments.settle_offline(booking, due, reference, by=by)
    return _transition(booking, Status.CONFIRMED, by, f"offline payment {reference}")


@atomic_action
def record_stripe_payment(booking: Booking, session_id: str, payment_intent: str) -> Booking:
    """Stripe says the Checkout Session of this booking is paid (from the webhook)."""
    return payments.record_checkout_paid(
        locked(booking),
        session_id,
        payment_intent,
        confirm=lambda booking: _transition(booking, Status.CONFIRMED, None, "paid online"),
        # Paid after the hold expired, or after a cancel or rejection: the money goes back.
        paid_statuses=(Status.CONFIRMED, Status.COMPLETED),
        ended_note="booking no longer active",
    )


@atomic_action
def cancel(
    booking: Booking,
    by,
    reason: str = "",
    *,
    now: dt.datetime | None = None,
    full_refund: bool = False,
) -> tuple[Booking, Decimal]:
    """Cancel; the refund is what the listing's policy gives at this moment. The institution
    or a platform moderator (with a stated reason, 业务监管) cancelling refunds in full, and so
    does `full_refund` (the caller states why in `reason`: the instrument is down then)."""
    now = now or timezone.now()
    booking = locked(booking)
    roles = booking.roles_of(by)
    reason = (reason or "").strip()[:500]
    if not roles & {permissions.Role.OWNER, permissions.Role.MEMBER}:
        if permissions.Role.MODERATOR not in roles:
            raise Forbidden(gettext("无权操作此预约"))
        if not reason:
            raise RuleError(
                gettext("平台取消须说明原因"),
                "reason_required",
                field="reason",
            )
    if booking.status not in (Status.PENDING_APPROVAL, Status.AWAITING_PAYMENT, Status.CONFIRMED):
        raise Conflict(
            gettext("当前状态不能取消"),
            "transition_not_allowed",
        )
    refund = (
        refund_amount_for(booking, now)
        if by.pk == booking.user_id and not full_refund
        else payments.kept_total(booking)
    )
    _transition(booking, Status.CANCELLED, by, reason or "cancelled")
    payments.refund(booking, refund)
    return booking, refund


@atomic_action
def complete(booking: Booking, by, actual_minutes: int) -> Booking:
    booking = locked(booking)
    require_instrument_member(by, booking)
    if not isinstance(actual_minutes, int) or actual_minutes < 0 or actual_minutes > 24 * 60 * 7:
        raise RuleError(
            gettext("实际使用分钟数无效"),
            "actual_minutes",
        )
    if booking.status != Status.CONFIRMED:
        raise Conflict(
            gettext("只有已确认的预约可以完成"),
            "transition_not_allowed",
        )
    booking.actual_minutes = actual_minutes
    booking = _transition(booking, Status.COMPLETED, by, f"used {actual_minutes} min")
    completions.service_completed(booking, by)
    return booking


@atomic_action
def mark_no_show(booking: Booking, by) -> Booking:
    booking = locked(booking)
    require_instrument_member(by, booking)
    if booking.status != Status.CONFIRMED or booking.start > timezone.now():
        raise Conflict(
            gettext("只有已开始的已确认预约可标记未到场"),
            "transition_not_allowed",
        )
    return _transition(booking, Status.NO_SHOW, by, "no show")


def expire_overdue_holds(now: dt.datetime | None = None, *, ids: list[int] | None = None) -> int:
    """Bookkeeping for holds whose time ran out (the periodic task, its command, and lazily
    the pages and API that are about to show them)."""
    return HOLDS.expire_overdue(now, ids=ids)
