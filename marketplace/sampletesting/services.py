"""The sample-testing workflow (送样检测): every rule and every transition, in one place.

Refund policy: until the institution has received the samples the user may cancel and gets
back everything paid; once the samples are in the lab only the institution can cancel, and an
institution that cancels or declines always refunds in full.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from marketplace import completions
from marketplace.accounts import permissions
from marketplace.accounts.permissions import member_institution_ids
from marketplace.accounts.profile import require_profile
from marketplace.catalogue.models import Instrument
from marketplace.catalogue.permissions import is_instrument_member, require_instrument_member
from marketplace.money import MoneyError, yuan
from marketplace.notifications.services import transition_notices
from marketplace.payments import holds, providers
from marketplace.payments import services as payments
from marketplace.payments.payables import payer_share
from marketplace.uploads import validate_pdf
from marketplace.workflow import (
    Conflict,
    Refused,
    RuleError,
    StateMachine,
    atomic_action,
    locked,
    require,
)

from .models import SampleOrder, Status

MAX_SAMPLES = 1000
MAX_PRICE = Decimal("10000000.00")
MAX_TURNAROUND_DAYS = 365

TRANSITIONS: dict[str, set[str]] = {
    Status.REQUESTED: {Status.QUOTED, Status.DECLINED, Status.CANCELLED},
    # A quote may be revised until the user accepts it.
    Status.QUOTED: {
        Status.QUOTED,
        Status.AWAITING_PAYMENT,
        Status.CONFIRMED,
        Status.DECLINED,
        Status.CANCELLED,
    },
    Status.AWAITING_PAYMENT: {
        Status.CONFIRMED,
        Status.DECLINED,
        Status.CANCELLED,
        Status.EXPIRED,
    },
    Status.CONFIRMED: {Status.SAMPLES_RECEIVED, Status.CANCELLED},
    Status.SAMPLES_RECEIVED: {Status.REPORT_DELIVERED, Status.CANCELLED},
    Status.REPORT_DELIVERED: {Status.COMPLETED},
    Status.COMPLETED: set(),
    Status.DECLINED: set(),
    Status.CANCELLED: set(),
    Status.EXPIRED: set(),
}

MESSAGES = {
    Status.REQUESTED: ("新的送样检测委托待报价", "New sample-testing request awaiting a quote"),
    Status.QUOTED: ("送样检测已报价，请确认", "Sample testing quoted; please accept or cancel"),
    Status.AWAITING_PAYMENT: ("报价已接受，请付款", "Quote accepted; please pay"),
    Status.CONFIRMED: ("送样检测已确认，请寄送样品", "Order confirmed; please send the samples"),
    Status.SAMPLES_RECEIVED: ("样品已接收，检测中", "Samples received; testing under way"),
    Status.REPORT_DELIVERED: ("检测报告已出具", "Test report delivered"),
    Status.COMPLETED: ("送样检测已完成", "Sample testing completed"),
    Status.DECLINED: ("送样检测委托被谢绝", "Sample-testing request declined"),
    Status.CANCELLED: ("送样检测已取消", "Sample-testing order cancelled"),
    Status.EXPIRED: ("送样检测付款已过期", "Sample-testing payment hold expired"),
}


ORDER_FLOW = StateMachine(
    TRANSITIONS,
    transition_notices(
        MESSAGES,
        subject=lambda order: f"#{order.pk} {order.instrument.name}",
    ),
)

# Statuses after which nothing may be paid any more.
ENDED_UNPAID = (Status.DECLINED, Status.CANCELLED, Status.EXPIRED)


def _move(order: SampleOrder, to: str, by, note: str = "", *, update_fields=()) -> SampleOrder:
    """ORDER_FLOW.move, keeping the payment hold: it runs only while awaiting payment (the
    short hold from the accept), and an order that ended unpaid withdraws open attempts."""
    if ORDER_FLOW.allows(order.status, to) and to != Status.AWAITING_PAYMENT:
        order.hold_expires_at = None
    order = ORDER_FLOW.move(order, to, by, note, update_fields=["hold_expires_at", *update_fields])
    if to in ENDED_UNPAID:
        payments.close_open_attempts(order)
    return order


def _expire(order: SampleOrder) -> SampleOrder:
    return _move(order, Status.EXPIRED, None, "hold expired")


# An accepted quote waits for its payment until the hold runs out (the payments kernel's
# holds, as for bookings): lazily expired on read, a late pay or confirmation is a 409.
HOLDS = holds.Holds(
    SampleOrder,
    statuses=(Status.AWAITING_PAYMENT,),
    expire=_expire,
    message=lambda: gettext("送样检测付款已过期，请重新委托"),
)


# --- Who may see and do what ---------------------------------------------------------------


def get_order_for(user, pk: int) -> SampleOrder:
    """The order if the user placed it or is a member of the instrument's institution."""
    # A hold that ran out is expired here, on read: every page and API answer shows it.
    queryset = SampleOrder.objects.visible_to(user).for_pages()
    return HOLDS.read(queryset, pk, gettext("送样检测委托不存在"))


def _require_owner(user, order: SampleOrder) -> None:
    require(order.user_id == user.pk, "只有委托人可以执行此操作", "only the requester may do this")


def _require_status(order: SampleOrder, *statuses: str) -> None:
    if order.status not in statuses:
        raise ORDER_FLOW.refuse(order)


def _text(value, field: str, label, max_length: int, *, required: bool = True) -> str:
    """The stripped text of a free-text input; `label` (lazy) names it in refusals."""
    text = (value or "").strip() if isinstance(value, str) else ""
    if required and not text:
        raise RuleError(gettext("请填写%(label)s") % {"label": label}, f"{field}_required")
    if len(text) > max_length:
        raise RuleError(
            gettext("%(label)s最多 %(max_length)s 字") % {"label": label, "max_length": max_length},
            f"{field}_too_long",
        )
    return text


# --- Requesting and quoting ----------------------------------------------------------------


def request_order(
    user,
    instrument: Instrument,
    *,
    sample_count: int,
    sample_description: str,
    test_items: str,
    notes: str = "",
) -> SampleOrder:
    """Ask the instrument's institution to test samples; it answers with a quote."""
    require_profile(user)
    if not (instrument.live and instrument.offers_sample_testing):
        raise RuleError(
            gettext("该仪器不提供送样检测"),
            "no_sample_testing",
        )
    if instrument.status != "in_service":
        raise RuleError(
            gettext("该仪器目前不在服务状态"),
            "not_in_service",
        )
    if isinstance(sample_count, bool) or not isinstance(sample_count, int):
        raise RuleError(gettext("样品数量须为整数"), "sample_count")
    if not 1 <= sample_count <= MAX_SAMPLES:
        raise RuleError(
            gettext("样品数量须在 1 到 %(MAX_SAMPLES)s 之间") % {"MAX_SAMPLES": MAX_SAMPLES},
            "sample_count",
        )
    description = _text(sample_description, "sample_description", gettext_lazy("样品描述"), 4000)
    items = _text(test_items, "test_items", gettext_lazy("检测项目"), 4000)
    notes = _text(notes, "notes", gettext_lazy("备注"), 2000, required=False)
    with transaction.atomic():
        order = SampleOrder.objects.create(
            instrument=instrument,
            user=user,
            sample_count=sample_count,
            sample_description=description,
            test_items=items,
            notes=notes,
            status=Status.REQUESTED,
            internal_rate=instrument.institution_id in member_institution_ids(user),
        )
        ORDER_FLOW.record(order, "", user, "requested")
    return order


def _price(value) -> Decimal:
    try:
        price = yuan(value if not isinstance(value, Decimal) else value)
    except MoneyError:
        raise RuleError(
            gettext("报价须为金额，最多两位小数"),
            "price",
        ) from None
    if price < 0 or price > MAX_PRICE:
        raise RuleError(
            gettext("报价须在 0 到 %(MAX_PRICE)s 元之间") % {"MAX_PRICE": MAX_PRICE},
            "price",
        )
    return price


@atomic_action
def quote(order: SampleOrder, by, price, turnaround_days: int, note: str = "") -> SampleOrder:
    """The institution's price and turnaround; it may revise it until the user accepts."""
    order = locked(order)
    require_instrument_member(by, order)
    amount = _price(price)
    if (
        isinstance(turnaround_days, bool)
        or not isinstance(turnaround_days, int)
        or not 1 <= turnaround_days <= MAX_TURNAROUND_DAYS
    ):
        raise RuleError(
            gettext("检测周期须为 1 到 %(MAX_TURNAROUND_DAYS)s 个工作日")
            % {"MAX_TURNAROUND_DAYS": MAX_TURNAROUND_DAYS},
            "turnaround_days",
        )
    _require_status(order, Status.REQUESTED, Status.QUOTED)
    order.price = amount
    order.turnaround_days = turnaround_days
    order.quote_note = _text(note, "note", gettext_lazy("报价说明"), 500, required=False)
    order.quote_version += 1
    return ORDER_FLOW.move(
        order,
        Status.QUOTED,
        by,
        f"¥{amount} / {turnaround_days} d (v{order.quote_version})",
        update_fields=["price", "turnaround_days", "quote_note", "quote_version"],
    )


@atomic_action
def accept_quote(order: SampleOrder, by, *, version: int) -> SampleOrder:
    """The requester accepts the quote they saw (its `version`); if the institution has
    re-quoted meanwhile the accept is refused (409 stale_quote) and they look again."""
    order = locked(order)
    _require_owner(by, order)
    _require_status(order, Status.QUOTED)
    if version != order.quote_version:
        raise Conflict(
            gettext("报价已更新，请查看最新报价后再确认"),
            "stale_quote",
        )
    if order.price > 0:
        order.hold_expires_at = holds.payment_deadline(timezone.now())
        return _move(order, Status.AWAITING_PAYMENT, by, "quote accepted")
    return _move(order, Status.CONFIRMED, by, "quote accepted")


@atomic_action
def decline(order: SampleOrder, by, reason: str) -> tuple[SampleOrder, Decimal]:
    """The institution will not do this test; anything paid goes back in full."""
    order = locked(order)
    require_instrument_member(by, order)
    reason = _text(reason, "reason", gettext_lazy("谢绝原因"), 500)
    _require_status(order, Status.REQUESTED, Status.QUOTED, Status.AWAITING_PAYMENT)
    order.decline_reason = reason
    _move(order, Status.DECLINED, by, reason, update_fields=["decline_reason"])
    refund = payments.kept_total(order)
    payments.refund(order, refund)
    return order, refund


# --- Paying --------------------------------------------------------------------------------


def _refuse_if_expired(order: SampleOrder) -> Refused | None:
    """A hold that ran out is saved as expired and the action refused (409 expired); an
    order expired earlier is refused the same way."""
    if refused := HOLDS.refused_if_overdue(order):
        return refused
    if order.status == Status.EXPIRED:
        raise Conflict(HOLDS.message(), "expired")
    return None


@atomic_action
def pay(
    order: SampleOrder, by, method: str, *, return_url: str, invoice: dict | None = None
) -> dict | Refused:
    """The requester pays the accepted quote by `method`: a Checkout URL or transfer
    instructions (payee, 汇款附言, amount, deadline), from the payments app's provider;
    optionally asking for a 发票. Choosing bank transfer extends the hold to
    OFFLINE_PAYMENT_HOLD_HOURS; paying online keeps the short one."""
    provider = providers.provider_for(method)
    order = locked(order)
    _require_owner(by, order)
    if refused := _refuse_if_expired(order):
        return refused
    _require_status(order, Status.AWAITING_PAYMENT)
    return providers.start_payment(
        provider, order, order.price, return_url=return_url, invoice=invoice, now=timezone.now()
    )


# Statuses in which the order's price has been paid (a late transfer is an over-payment).
PAID_STATUSES = (
    Status.CONFIRMED,
    Status.SAMPLES_RECEIVED,
    Status.REPORT_DELIVERED,
    Status.COMPLETED,
)


@atomic_action
def confirm_offline_payment(order: SampleOrder, by, reference: str) -> SampleOrder | Refused:
    """A member saw the transfer arrive — not for an order they placed themselves (another
    member confirms), not once the hold ran out (409 expired). A transfer that arrives for an
    order already paid (by card, say) is recorded and sent back at once as an over-payment,
    as for bookings — not refused."""
    order = locked(order)
    require_instrument_member(by, order)
    payments.refuse_own_transfer(
        order, by, gettext("不能确认自己委托的付款，请由本单位其他成员确认")
    )
    reference = _text(reference, "reference", gettext_lazy("转账凭证号"), 100)
    if refused := _refuse_if_expired(order):
        return refused
    # What the requester pays: the quote less what a subsidy (创新券) covers, as for bookings.
    due = payer_share(order, order.price or Decimal("0.00"))
    paid = order.status in PAID_STATUSES and due > 0
    if payments.returned_late_transfer(order, due, reference, by=by, paid=paid):
        return order
    _require_status(order, Status.AWAITING_PAYMENT)
    payments.settle_offline(order, due, reference, by=by)
    return _move(order, Status.CONFIRMED, by, f"offline payment {reference}")


@atomic_action
def record_stripe_payment(order: SampleOrder, session_id: str, payment_intent: str) -> SampleOrder:
    """Stripe says the order's Checkout Session is paid (from the webhook or reconciling)."""
    return payments.record_checkout_paid(
        locked(order),
        session_id,
        payment_intent,
        confirm=lambda order: _move(order, Status.CONFIRMED, None, "paid online"),
        # Paid after the order was cancelled, declined or its hold ran out: the money goes back.
        paid_statuses=PAID_STATUSES,
        ended_note="order no longer active",
    )


# --- In the lab ----------------------------------------------------------------------------


@atomic_action
def receive_samples(order: SampleOrder, by, note: str = "") -> SampleOrder:
    order = locked(order)
    require_instrument_member(by, order)
    _require_status(order, Status.CONFIRMED)
    note = _text(note, "note", gettext_lazy("说明"), 500, required=False)
    return _move(order, Status.SAMPLES_RECEIVED, by, note or "samples received")


def deliver_report(order: SampleOrder, by, uploaded) -> SampleOrder:
    """Store the PDF report and hand it to the user. A bad file is refused before anything
    is written; if the transaction fails the stored file is removed again."""
    # Cheap refusals before the PDF is parsed: who may upload, and when.
    current = SampleOrder.objects.select_related("instrument").get(pk=order.pk)
    require_instrument_member(by, current)
    _require_status(current, Status.SAMPLES_RECEIVED)
    safe_name = validate_pdf(uploaded, user=by)
    with transaction.atomic():
        order = locked(order)
        require_instrument_member(by, order)
        _require_status(order, Status.SAMPLES_RECEIVED)
        order.report.save(safe_name, uploaded, save=False)
        stored = order.report.name
        try:
            order.report_name = safe_name
            ORDER_FLOW.move(
                order,
                Status.REPORT_DELIVERED,
                by,
                safe_name,
                update_fields=["report", "report_name"],
            )
        except Exception:
            order.report.storage.delete(stored)
            raise
    return order


@atomic_action
def complete(order: SampleOrder, by) -> SampleOrder:
    """Either side closes a delivered order."""
    order = locked(order)
    if order.user_id != by.pk:
        require_instrument_member(by, order)
    _require_status(order, Status.REPORT_DELIVERED)
    order = ORDER_FLOW.move(order, Status.COMPLETED, by, "completed")
    completions.service_completed(order, by)
    return order


OWNER_CANCELLABLE = (Status.REQUESTED, Status.QUOTED, Status.AWAITING_PAYMENT, Status.CONFIRMED)
MEMBER_CANCELLABLE = (*OWNER_CANCELLABLE, Status.SAMPLES_RECEIVED)


@atomic_action
def cancel(order: SampleOrder, by, reason: str = "") -> tuple[SampleOrder, Decimal]:
    order = locked(order)
    member = is_instrument_member(by, order)
    moderator = not member and order.user_id != by.pk and permissions.is_platform_moderator(by)
    if not member and not moderator:
        _require_owner(by, order)
    # A platform moderator cancels only with a stated reason (业务监管), refunding in full.
    reason = _text(reason, "reason", gettext_lazy("取消原因"), 500, required=moderator)
    member = member or moderator
    if not member and order.status == Status.SAMPLES_RECEIVED:
        raise Conflict(
            gettext("样品已接收，如需取消请联系检测机构"),
            "samples_received",
        )
    _require_status(order, *MEMBER_CANCELLABLE)
    # The policy (module docstring): whoever may still cancel gets everything paid back.
    refund = payments.kept_total(order)
    _move(order, Status.CANCELLED, by, reason or "cancelled")
    payments.refund(order, refund)
    return order, refund
