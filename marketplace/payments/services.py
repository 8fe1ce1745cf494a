"""The money operations on a payable: open a Checkout Session, record a transfer, settle,
refund. They work for anything registered in `payables` (a booking, a sample-testing order);
the workflow's service decides who pays and when, and holds the payable's row lock.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import secrets
from collections.abc import Callable, Iterable
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import models, transaction
from django.db.models import Q, Sum
from django.utils.text import get_valid_filename
from django.utils.translation import gettext
from PIL import Image

from marketplace.accounts.permissions import (
    is_manager_of,
    is_member_of,
    is_platform_moderator,
    member_institution_ids,
)
from marketplace.money import to_fen
from marketplace.uploads import check_size, validate_pdf
from marketplace.workflow import (
    Conflict,
    Forbidden,
    NotFound,
    RuleError,
    require,
    required_text,
)

from .models import (
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
)
from .payables import payer_share, registered, spec_for
from .stripe_gateway import stripe_client

logger = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def record_stripe_paid(payment: Payment, session_id: str, payment_intent: str) -> None:
    """Hand a paid session to the workflow of the item it paid for."""
    payable = payment.payable
    spec_for(payable).on_stripe_paid(payable, session_id, payment_intent)


def platform_fee(amount: Decimal) -> Decimal:
    percent = Decimal(settings.PLATFORM_FEE_PERCENT)
    return (amount * percent / Decimal(100)).quantize(Decimal("0.01"))


def connect_onboarding_link(institution, by, *, refresh_url: str, return_url: str) -> str:
    """A Stripe Connect onboarding link for the institution's manager (account made once)."""
    require(is_manager_of(by, institution.pk), gettext("只有机构管理员可以设置收款账户"))
    client = stripe_client()
    with transaction.atomic():
        institution = type(institution).objects.select_for_update().get(pk=institution.pk)
        if not institution.stripe_account_id:
            params = {
                "type": "express",
                "business_profile": {"name": institution.name},
                "metadata": {"institution": institution.code},
            }
            if institution.contact_email:
                params["email"] = institution.contact_email
            account = client.v1.accounts.create(
                params=params,
                options={"idempotency_key": f"institution-{institution.pk}-connect"},
            )
            institution.stripe_account_id = account.id
            institution.save(update_fields=["stripe_account_id", "updated_at"])
    link = client.v1.account_links.create(
        params={
            "account": institution.stripe_account_id,
            "refresh_url": refresh_url,
            "return_url": return_url,
            "type": "account_onboarding",
        }
    )
    return link.url


def start_checkout(
    payable, *, amount: Decimal, description: str, institution, success_url: str, cancel_url: str
) -> dict:
    """A Checkout Session for `amount` on a booking or sample-testing order (the caller holds
    its row lock and has checked who pays and when); the webhook records the payment.

    At most one payment attempt is open per payable: earlier sessions are expired at Stripe
    and a pending bank transfer is withdrawn before the new session is opened."""
    close_open_attempts(payable)
    kind = payable._meta.model_name
    params = {
        "mode": "payment",
        "client_reference_id": f"{kind}-{payable.pk}",
        "metadata": {f"{kind}_id": str(payable.pk)},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": "cny",
                    "unit_amount": to_fen(amount),
                    "product_data": {"name": description[:250]},
                },
            }
        ],
    }
    if institution.stripe_account_id:
        # Destination charge: the institution is paid, the platform keeps its fee.
        params["payment_intent_data"] = {
            "application_fee_amount": to_fen(platform_fee(amount)),
            "transfer_data": {"destination": institution.stripe_account_id},
        }
    session = stripe_client().v1.checkout.sessions.create(
        params=params,
        options={"idempotency_key": f"{kind}-{payable.pk}-checkout-{payable.payments.count()}"},
    )
    payment = payable.payments.create(
        kind=PaymentKind.PAYMENT,
        method=PaymentMethod.STRIPE,
        amount=amount,
        stripe_session_id=session.id,
    )
    return {"checkout_url": session.url, "session_id": session.id, "payment": payment.pk}


def close_open_attempts(payable, *, keep: Payment | None = None) -> None:
    """Withdraw every open payment attempt of `payable` but `keep`: Stripe sessions are
    expired at Stripe (a session already paid stays pending: its webhook settles it and the
    overpayment is refunded), pending bank transfers are cancelled."""
    open_attempts = payable.payments.filter(kind=PaymentKind.PAYMENT, status=PaymentStatus.PENDING)
    if keep is not None:
        open_attempts = open_attempts.exclude(pk=keep.pk)
    for attempt in open_attempts:
        stripe_session = attempt.method == PaymentMethod.STRIPE and attempt.stripe_session_id
        if stripe_session and not _expire_session(attempt.stripe_session_id):
            continue
        attempt.status = PaymentStatus.CANCELLED
        attempt.save(update_fields=["status", "updated_at"])


def _expire_session(session_id: str) -> bool:
    """Expire an open Checkout Session; False if it could not be (e.g. it was paid meanwhile)."""
    try:
        stripe_client().v1.checkout.sessions.expire(session_id)
    except Exception:  # noqa: BLE001 — Stripe refuses to expire a completed session
        logger.warning("checkout session %s could not be expired", session_id, exc_info=True)
        return False
    return True


_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


def new_reference_code(payable) -> str:
    """汇款附言: the payable's letter and number and four random characters, e.g. B000123-K7Q2."""
    suffix = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(4))
    return f"{spec_for(payable).code_prefix}{payable.pk:06d}-{suffix}"


def _pending_offline(payable, amount: Decimal, **fields) -> tuple[Payment, bool]:
    """The payable's pending bank-transfer payment, or a new one with its 汇款附言; created?"""
    payment = payable.payments.filter(
        kind=PaymentKind.PAYMENT, method=PaymentMethod.OFFLINE, status=PaymentStatus.PENDING
    ).first()
    if payment is not None:
        return payment, False
    payment = payable.payments.create(
        kind=PaymentKind.PAYMENT,
        method=PaymentMethod.OFFLINE,
        amount=amount,
        reference_code=new_reference_code(payable),
        **fields,
    )
    return payment, True


def pending_offline_payment(payable, amount: Decimal, *, deadline=None) -> Payment:
    """The payer chose bank transfer: one pending offline row with its 汇款附言, however often
    they choose it; open Stripe sessions are expired."""
    payment, created = _pending_offline(payable, amount, deadline=deadline)
    if not created and (payment.deadline != deadline or payment.amount != amount):
        payment.deadline = deadline
        payment.amount = amount
        payment.save(update_fields=["deadline", "amount", "updated_at"])
    close_open_attempts(payable, keep=payment)
    return payment


def _refuse_recorded_reference(payable, reference: str) -> None:
    """One bank transfer is one payment: a reference already recorded as received by the same
    institution (for this payable or another) is a 409, before anything is written. The
    institution's row lock makes two members confirming the same reference at once take
    turns."""
    institution = spec_for(payable).institution(payable)
    type(institution).objects.select_for_update().filter(pk=institution.pk).exists()
    received_here = Q(pk__in=[])
    for spec in registered():
        received_here |= Q(**{spec.institution_lookup: institution.pk})
    recorded = Payment.objects.filter(
        received_here,
        kind=PaymentKind.PAYMENT,
        method=PaymentMethod.OFFLINE,
        status=PaymentStatus.SUCCEEDED,
        reference__iexact=reference,
    )
    if recorded.exists():
        raise Conflict(
            gettext("该转账流水号已登记过，同一笔转账不能确认两次，请核对后再填写"),
            "duplicate_reference",
            field="reference",
        )


def settle_offline(payable, amount: Decimal, reference: str, *, by=None) -> Payment:
    """A member saw the transfer arrive: the pending offline row (or a new one) succeeds.
    A reference the institution already recorded is refused (409 duplicate_reference)."""
    reference = reference.strip()[:100]
    _refuse_recorded_reference(payable, reference)
    payment, _created = _pending_offline(payable, amount)
    payment.status = PaymentStatus.SUCCEEDED
    payment.reference = reference[:100]
    payment.settled_by = by
    payment.save(update_fields=["status", "reference", "settled_by", "updated_at"])
    return payment


def settle_stripe(payable, session_id: str, payment_intent: str) -> Payment | None:
    """Stripe says the session is paid; the payment row if this is news, else None."""
    payment = payable.payments.filter(stripe_session_id=session_id).first()
    if payment is None or payment.status == PaymentStatus.SUCCEEDED:
        return None
    payment.status = PaymentStatus.SUCCEEDED
    payment.stripe_payment_intent = payment_intent or payment.stripe_payment_intent
    payment.save(update_fields=["status", "stripe_payment_intent", "updated_at"])
    return payment


def record_checkout_paid(
    payable,
    session_id: str,
    payment_intent: str,
    *,
    confirm: Callable[[models.Model], models.Model],
    paid_statuses: Iterable[str],
    ended_note: str,
):
    """A Checkout Session of `payable` is paid (its workflow's `on_stripe_paid`, holding the
    row lock); news only once. A payable awaiting payment is confirmed (`confirm(payable)`,
    the workflow's transition); one whose price is paid (`paid_statuses`) keeps it and any
    money beyond the payer's share goes back; one that ended unpaid (cancelled, expired,
    declined…) gets the whole payment back, noted `ended_note`."""
    payment = settle_stripe(payable, session_id, payment_intent)
    if payment is None:
        return payable
    if spec_for(payable).awaiting_payment(payable):
        payable = confirm(payable)
    elif payable.status not in paid_statuses:
        refund(payable, payment.amount, note=ended_note, first=payment)
        return payable
    # Confirmed now, or a second session paid before it could be withdrawn: the excess goes.
    refund_excess(payable, payer_share(payable, payable.price), late=payment)
    return payable


def refuse_own_transfer(payable, by, message: str) -> None:
    """A member does not confirm the transfer for an item they pay themselves: another member
    of the institution confirms (403 self_confirmation, `message` naming the item)."""
    if getattr(payable, f"{spec_for(payable).payer}_id") == by.pk:
        raise Forbidden(message, "self_confirmation")


def returned_late_transfer(payable, due: Decimal, reference: str, *, by, paid: bool) -> bool:
    """A transfer that arrives for a payable already `paid` its `due` share (by card, say) is
    recorded and sent back at once as an over-payment, not refused: True if so, and the
    workflow leaves its status alone."""
    if not paid or payable.paid_amount < due:
        return False
    late = settle_offline(payable, due, reference, by=by)
    refund_excess(payable, due, late=late)
    return True


def refund_excess(payable, price: Decimal, *, late: Payment | None = None) -> list[Payment]:
    """Money that arrived beyond the price (a second paid session, a late transfer) goes back
    at once, recorded as refunds of the charges it came with — `late` (the payment that made
    it too much) first, so the attempt that was withdrawn is the one given back."""
    excess = kept_total(payable) - price
    if excess <= 0:
        return []
    return refund(payable, excess, note="overpayment returned", first=late)


def kept_total(payable) -> Decimal:
    """What the institution keeps once every refund not failed has gone out: succeeded
    payments less refunds pending or succeeded (a refund under way is money no longer kept)."""
    total = Decimal("0.00")
    for payment in payable.payments.all():
        if payment.kind == PaymentKind.PAYMENT and payment.status == PaymentStatus.SUCCEEDED:
            total += payment.amount
        elif payment.kind == PaymentKind.REFUND and payment.status in (
            PaymentStatus.PENDING,
            PaymentStatus.SUCCEEDED,
        ):
            total -= payment.amount
    return total


def refundable(charge: Payment) -> Decimal:
    """What is left to refund of a charge: its amount less refunds not failed."""
    taken = (
        charge.refunds.exclude(status__in=[PaymentStatus.FAILED, PaymentStatus.CANCELLED])
        .aggregate(total=Sum("amount"))
        .get("total")
    )
    return charge.amount - (taken or Decimal("0.00"))


def refund(
    payable, amount: Decimal, *, note: str = "", first: Payment | None = None
) -> list[Payment]:
    """Give `amount` back, split over the charges it came from (newest first, never more than
    a charge), each by the method it was paid with. Stripe refunds go out after commit, one per
    charge, idempotent on the refund row; bank-transfer refunds wait for a member to record the
    transfer back (`complete_offline_refund`). `first` is drawn on before the others."""
    if amount <= 0:
        return []
    charges = list(
        payable.payments.filter(kind=PaymentKind.PAYMENT, status=PaymentStatus.SUCCEEDED).order_by(
            "-created_at", "-pk"
        )
    )
    if first is not None:
        charges.sort(key=lambda charge: charge.pk != first.pk)
    rows = []
    remaining = amount
    for charge in charges:
        if remaining <= 0:
            break
        share = min(remaining, refundable(charge))
        if share <= 0:
            continue
        row = payable.payments.create(
            kind=PaymentKind.REFUND,
            method=charge.method,
            amount=share,
            status=PaymentStatus.PENDING,
            refund_of=charge,
            note=note[:200],
        )
        rows.append(row)
        remaining -= share
        if charge.method == PaymentMethod.STRIPE and charge.stripe_payment_intent:
            transaction.on_commit(functools.partial(stripe_refund, row.pk))
    if remaining > 0:
        logger.error("refund of %s on %s exceeds what was paid by %s", amount, payable, remaining)
    return rows


def _refund_status(stripe_status: str | None) -> str:
    if stripe_status == "succeeded":
        return PaymentStatus.SUCCEEDED
    if stripe_status in ("failed", "canceled"):
        return PaymentStatus.FAILED
    return PaymentStatus.PENDING


def stripe_refund(refund_id: int) -> None:
    """Send a pending refund of a card charge to Stripe (idempotent on the refund row's id);
    it settles now if Stripe says succeeded, else from the webhook or `reconcile_payments`."""
    refund = Payment.objects.select_related("refund_of").get(pk=refund_id)
    if refund.status != PaymentStatus.PENDING or refund.kind != PaymentKind.REFUND:
        return
    if refund.stripe_refund_id:
        sync_stripe_refund(refund)
        return
    charge = refund.refund_of
    if charge is None or not charge.stripe_payment_intent or not settings.STRIPE_SECRET_KEY:
        return
    try:
        result = stripe_client().v1.refunds.create(
            params={
                "payment_intent": charge.stripe_payment_intent,
                "amount": to_fen(Decimal(refund.amount)),
            },
            options={"idempotency_key": f"refund-{refund.pk}"},
        )
    except Exception:  # noqa: BLE001 — left pending; reconcile_payments retries it
        logger.exception("refund %s not sent to Stripe", refund.pk)
        return
    refund.stripe_refund_id = result.id
    refund.status = _refund_status(result.status)
    refund.save(update_fields=["stripe_refund_id", "status", "updated_at"])


def sync_stripe_refund(refund: Payment, stripe_status: str | None = None) -> Payment:
    """Bring a card refund's status in line with Stripe (asked if `stripe_status` is None)."""
    if stripe_status is None:
        stripe_status = stripe_client().v1.refunds.retrieve(refund.stripe_refund_id).status
    status = _refund_status(stripe_status)
    if status != refund.status:
        refund.status = status
        refund.save(update_fields=["status", "updated_at"])
    return refund


def _receiving_institution_id(payment: Payment) -> int:
    return spec_for(payment.payable).institution(payment.payable).pk


@transaction.atomic
def complete_offline_refund(refund: Payment, by, reference: str) -> Payment:
    """A member of the institution that was paid records the bank transfer back to the payer."""
    refund = Payment.objects.select_for_update().get(pk=refund.pk)
    require(
        is_member_of(by, _receiving_institution_id(refund)),
        gettext("只有收款机构的成员可以登记退款"),
    )
    reference = required_text(
        reference,
        gettext("请填写退款转账流水号"),
        "reference_required",
        field="reference",
    )
    if refund.kind != PaymentKind.REFUND or refund.method != PaymentMethod.OFFLINE:
        raise Conflict(
            gettext("只有对公转账退款需要登记"),
            "not_offline_refund",
        )
    if refund.status != PaymentStatus.PENDING:
        raise Conflict(gettext("该退款已处理"), "settled")
    refund.status = PaymentStatus.SUCCEEDED
    refund.reference = reference[:100]
    refund.settled_by = by
    refund.save(update_fields=["status", "reference", "settled_by", "updated_at"])
    return refund


IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")


def validate_voucher(uploaded) -> str:
    """A transfer voucher: a PDF (checked as every PDF upload is) or a real JPEG/PNG image.
    Cheap refusals first: the name, the size, then decoding."""
    name = str(getattr(uploaded, "name", "") or "")
    extension = name[name.rfind(".") :].lower() if "." in name else ""
    if extension not in IMAGE_EXTENSIONS:
        return validate_pdf(uploaded)
    if "/" in name or "\\" in name or ".." in name or "\x00" in name:
        raise RuleError(
            gettext("文件名不能包含路径（/、\\ 或 ..）"),
            "attachment_bad_name",
            field="file",
        )
    check_size(uploaded, field="file")
    try:
        with Image.open(uploaded) as image:
            image_format = (image.format or "").upper()
            image.verify()
        if image_format not in ("JPEG", "PNG"):
            raise ValueError(image_format)
    except Exception:  # noqa: BLE001 — any decoding error means: not a real image
        raise RuleError(
            gettext("文件不是有效的 JPEG/PNG 图片"),
            "voucher_not_image",
            field="file",
        ) from None
    finally:
        uploaded.seek(0)
    try:
        safe = get_valid_filename(name[: -len(extension)][:100])
    except SuspiciousFileOperation:
        safe = "voucher"
    return f"{safe}{extension}"


@transaction.atomic
def attach_voucher(payment: Payment, by, uploaded, payer_reference: str = "") -> Payment:
    """The payer shows their bank transfer: the voucher file (private) and their reference."""
    safe_name = validate_voucher(uploaded)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    payable = payment.payable
    require(getattr(payable, "user_id", None) == by.pk, gettext("只有付款人可以上传转账凭证"))
    if payment.method != PaymentMethod.OFFLINE or payment.kind != PaymentKind.PAYMENT:
        raise Conflict(
            gettext("只有对公转账需要转账凭证"),
            "not_offline_payment",
        )
    if payment.status != PaymentStatus.PENDING:
        raise Conflict(gettext("该付款已处理"), "settled")
    previous = payment.voucher.name if payment.voucher else ""
    payment.voucher.save(safe_name, uploaded, save=False)
    payment.voucher_name = safe_name
    payment.payer_reference = (payer_reference or "").strip()[:100]
    payment.save(update_fields=["voucher", "voucher_name", "payer_reference", "updated_at"])
    if previous and previous != payment.voucher.name:
        transaction.on_commit(lambda: payment.voucher.storage.delete(previous))
    return payment


def request_invoice(payment_id: int, data: dict | None) -> Invoice | None:
    """The payer asks for a 发票 with this payment (title, tax id, kind, email)."""
    if not data:
        return None
    invoice, _created = Invoice.objects.update_or_create(
        payment_id=payment_id,
        defaults={
            "title": data["title"],
            "tax_id": data["tax_id"],
            "kind": data["kind"],
            "email": data["email"],
        },
    )
    return invoice


@transaction.atomic
def issue_invoice(invoice: Invoice, by, *, number: str, issued_on, uploaded=None) -> Invoice:
    """A member of the paid institution records the 发票 as issued (number, date, PDF)."""
    invoice = Invoice.objects.select_for_update().select_related("payment").get(pk=invoice.pk)
    require(
        is_member_of(by, _receiving_institution_id(invoice.payment)),
        gettext("只有收款机构的成员可以登记发票"),
    )
    number = required_text(
        number,
        gettext("请填写发票号码"),
        "number_required",
        field="number",
    )
    if uploaded is not None:
        safe_name = validate_pdf(uploaded)
        invoice.pdf.save(safe_name, uploaded, save=False)
        invoice.pdf_name = safe_name
    invoice.number = number[:64]
    invoice.issued_on = issued_on
    invoice.status = InvoiceStatus.ISSUED
    invoice.issued_by = by
    invoice.save()
    return invoice


@transaction.atomic
def set_payee(institution, by, *, account_name: str, bank: str, account_number: str):
    """The institution's manager sets where bank transfers go (户名, 开户行, 账号)."""
    require(is_manager_of(by, institution.pk), gettext("只有机构管理员可以设置收款信息"))
    institution.payee_account_name = account_name.strip()[:200]
    institution.payee_bank = bank.strip()[:200]
    institution.payee_account_number = account_number.strip()[:64]
    institution.save(
        update_fields=["payee_account_name", "payee_bank", "payee_account_number", "updated_at"]
    )
    return institution


def visible_payments(user):
    """Payments and refunds the user may read: as the payer, or as a member of the paid
    institution (every one for a platform moderator)."""
    queryset = Payment.objects.all()
    if not user.is_authenticated:
        return queryset.none()
    if is_platform_moderator(user):
        return queryset
    ids = member_institution_ids(user)
    condition = Q(pk__in=[])
    for spec in registered():
        condition |= Q(**{spec.payer_lookup: user})
        if ids:
            condition |= Q(**{f"{spec.institution_lookup}__in": ids})
    return queryset.filter(condition)


# --- Statements ----------------------------------------------------------------------------


def parse_month(value: str | None):
    """'2026-12' → (first moment of the month, first of the next) in Asia/Shanghai; None for
    an empty value; a RuleError naming `month` for anything else."""
    if not value:
        return None
    try:
        year, month = (int(part) for part in value.split("-"))
        start = dt.datetime(year, month, 1, tzinfo=SHANGHAI)
        following = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=SHANGHAI)
    except (ValueError, OverflowError):
        raise RuleError(
            gettext("月份格式应为 YYYY-MM"),
            "month",
            field="month",
        ) from None
    return start, following


def statement(
    user,
    *,
    month: str | None = None,
    status: str | None = None,
    kind=None,
    institution_id: int | None = None,
):
    """The payments and refunds `user` may read (as payer, or as a member of the paid
    institution), newest first, filtered by month (Asia/Shanghai), status, kind and paid
    institution — with select_related for listing them without a query per row."""
    rows = visible_payments(user)
    bounds = parse_month(month)
    if bounds:
        rows = rows.filter(created_at__gte=bounds[0], created_at__lt=bounds[1])
    if status:
        if status not in PaymentStatus.values:
            raise RuleError(
                gettext("状态无效，可选：%(choices)s")
                % {"choices": ", ".join(PaymentStatus.values)},
                "status",
                field="status",
            )
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if institution_id is not None:
        condition = Q(pk__in=[])
        for spec in registered():
            condition |= Q(**{spec.institution_lookup: institution_id})
        rows = rows.filter(condition)
    return rows.select_related(
        "booking__instrument__institution",
        "booking__user",
        "sample_order__instrument__institution",
        "sample_order__user",
        "invoice",
    ).order_by("-created_at", "-pk")


def totals(rows) -> dict[str, Decimal]:
    """Sums over the rows as listed: money received, refunded, kept, and still under way."""
    zero = Decimal("0.00")
    sums = {"received": zero, "refunded": zero, "pending": zero, "refunds_pending": zero}
    for kind, status, amount in rows.values_list("kind", "status", "amount").order_by():
        if status == PaymentStatus.SUCCEEDED:
            sums["received" if kind == PaymentKind.PAYMENT else "refunded"] += amount
        elif status == PaymentStatus.PENDING:
            sums["pending" if kind == PaymentKind.PAYMENT else "refunds_pending"] += amount
    sums["net"] = sums["received"] - sums["refunded"]
    return sums


def payment_for(user, pk: int) -> Payment:
    """A payment or refund the user may read, else NotFound (404)."""
    payment = visible_payments(user).filter(pk=pk).first()
    if payment is None:
        raise NotFound(gettext("付款记录不存在"))
    return payment


def may_act_for_payee(user, payment: Payment) -> bool:
    """A member of the paid institution (sees vouchers, records refunds and invoices)."""
    return is_member_of(user, _receiving_institution_id(payment))
