"""The money operations on a payable: open a Checkout Session, record a transfer, settle,
refund. They work for anything registered in `payables` (a booking, a sample-testing order);
the workflow's service decides who pays and when, and holds the payable's row lock.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from marketplace.accounts.permissions import is_manager_of
from marketplace.money import to_fen
from marketplace.workflow import Forbidden, bilingual

from .models import Payment, PaymentKind, PaymentMethod, PaymentStatus
from .payables import spec_for
from .stripe_gateway import stripe_client

logger = logging.getLogger(__name__)


def record_stripe_paid(payment: Payment, session_id: str, payment_intent: str) -> None:
    """Hand a paid session to the workflow of the item it paid for."""
    payable = payment.payable
    spec_for(payable).on_stripe_paid(payable, session_id, payment_intent)


def platform_fee(amount: Decimal) -> Decimal:
    percent = Decimal(settings.PLATFORM_FEE_PERCENT)
    return (amount * percent / Decimal(100)).quantize(Decimal("0.01"))


def connect_onboarding_link(institution, by, *, refresh_url: str, return_url: str) -> str:
    """A Stripe Connect onboarding link for the institution's manager (account made once)."""
    if not is_manager_of(by, institution.pk):
        raise Forbidden(
            bilingual("只有机构管理员可以设置收款账户", "only a manager sets up payouts")
        )
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
    its row lock and has checked who pays and when); the webhook records the payment."""
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
    payable.payments.create(
        kind=PaymentKind.PAYMENT,
        method=PaymentMethod.STRIPE,
        amount=amount,
        stripe_session_id=session.id,
    )
    return {"checkout_url": session.url, "session_id": session.id}


def pending_offline_payment(payable, amount: Decimal) -> Payment:
    """The payer chose bank transfer: one pending offline row, however often they choose it."""
    payment = payable.payments.filter(
        kind=PaymentKind.PAYMENT, method=PaymentMethod.OFFLINE, status=PaymentStatus.PENDING
    ).first()
    if payment is None:
        payment = payable.payments.create(
            kind=PaymentKind.PAYMENT, method=PaymentMethod.OFFLINE, amount=amount
        )
    return payment


def settle_offline(payable, amount: Decimal, reference: str) -> Payment:
    """A member saw the transfer arrive: the pending offline row (or a new one) succeeds."""
    payment = pending_offline_payment(payable, amount)
    payment.status = PaymentStatus.SUCCEEDED
    payment.reference = reference[:100]
    payment.save(update_fields=["status", "reference", "updated_at"])
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


def refund(payable, amount: Decimal) -> Payment | None:
    """Record a refund of `amount` by the method it was paid with; Stripe after commit."""
    if amount <= 0:
        return None
    paid = (
        payable.payments.filter(kind=PaymentKind.PAYMENT, status=PaymentStatus.SUCCEEDED)
        .order_by("-created_at")
        .first()
    )
    row = payable.payments.create(
        kind=PaymentKind.REFUND,
        method=paid.method if paid else PaymentMethod.OFFLINE,
        amount=amount,
        status=PaymentStatus.PENDING,
    )
    if paid and paid.method == PaymentMethod.STRIPE and paid.stripe_payment_intent:
        transaction.on_commit(lambda: stripe_refund(row.pk))
    return row


def stripe_refund(refund_id: int) -> None:
    """Send a pending refund to Stripe (idempotent on the refund row's id)."""
    refund = Payment.objects.select_related("booking", "sample_order").get(pk=refund_id)
    if refund.status != PaymentStatus.PENDING or refund.kind != PaymentKind.REFUND:
        return
    paid = (
        refund.payable.payments.filter(
            kind=PaymentKind.PAYMENT, method=PaymentMethod.STRIPE, status=PaymentStatus.SUCCEEDED
        )
        .exclude(stripe_payment_intent="")
        .first()
    )
    if paid is None or not settings.STRIPE_SECRET_KEY:
        return
    try:
        result = stripe_client().v1.refunds.create(
            params={
                "payment_intent": paid.stripe_payment_intent,
                "amount": to_fen(Decimal(refund.amount)),
            },
            options={"idempotency_key": f"refund-{refund.pk}"},
        )
    except Exception:  # noqa: BLE001 — left pending; reconcile_payments retries it
        logger.exception("refund %s not sent to Stripe", refund.pk)
        return
    refund.stripe_refund_id = result.id
    refund.status = (
        PaymentStatus.SUCCEEDED
        if result.status in ("succeeded", "pending")
        else PaymentStatus.FAILED
    )
    refund.save(update_fields=["stripe_refund_id", "status", "updated_at"])
