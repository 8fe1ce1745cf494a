"""Payment methods behind one small interface: Stripe Checkout and offline bank transfer."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from marketplace.money import to_fen
from marketplace.payments.stripe_gateway import stripe_client

from .models import Booking, Payment, PaymentKind, PaymentMethod, PaymentStatus, Status
from .services import BookingConflict, BookingForbidden, _bilingual, _check_not_expired, _locked

logger = logging.getLogger(__name__)


def platform_fee(amount: Decimal) -> Decimal:
    percent = Decimal(settings.PLATFORM_FEE_PERCENT)
    return (amount * percent / Decimal(100)).quantize(Decimal("0.01"))


def connect_onboarding_link(institution, by, *, refresh_url: str, return_url: str) -> str:
    """A Stripe Connect onboarding link for the institution's manager (account made once)."""
    from marketplace.accounts.models import Membership

    if not Membership.objects.filter(user=by, institution=institution, role="manager").exists():
        raise BookingForbidden(
            _bilingual("只有机构管理员可以设置收款账户", "only a manager sets up payouts")
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


@transaction.atomic
def start_stripe_checkout(booking: Booking, by, success_url: str, cancel_url: str) -> dict:
    """Create a Checkout Session for the booking's price; the webhook confirms it."""
    from django.utils import timezone

    booking = _locked(booking)
    if booking.user_id != by.pk:
        raise BookingForbidden(_bilingual("只有预约人可以付款", "only the booker pays"))
    _check_not_expired(booking, timezone.now())
    if booking.status != Status.AWAITING_PAYMENT:
        raise BookingConflict(
            _bilingual("当前状态无需付款", "nothing to pay in this state"), "transition_not_allowed"
        )
    params = {
        "mode": "payment",
        "client_reference_id": str(booking.pk),
        "metadata": {"booking_id": str(booking.pk)},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": "cny",
                    "unit_amount": to_fen(booking.price),
                    "product_data": {
                        "name": f"{booking.instrument.name} {booking.start:%Y-%m-%d %H:%M}"
                    },
                },
            }
        ],
    }
    account = booking.instrument.institution.stripe_account_id
    if account:
        # Destination charge: the institution is paid, the platform keeps its fee.
        params["payment_intent_data"] = {
            "application_fee_amount": to_fen(platform_fee(booking.price)),
            "transfer_data": {"destination": account},
        }
    session = stripe_client().v1.checkout.sessions.create(
        params=params,
        options={"idempotency_key": f"booking-{booking.pk}-checkout-{booking.payments.count()}"},
    )
    Payment.objects.create(
        booking=booking,
        kind=PaymentKind.PAYMENT,
        method=PaymentMethod.STRIPE,
        amount=booking.price,
        stripe_session_id=session.id,
    )
    return {"checkout_url": session.url, "session_id": session.id}


def stripe_refund(refund_id: int) -> None:
    """Send a pending refund to Stripe (idempotent on the refund row's id)."""
    refund = Payment.objects.select_related("booking").get(pk=refund_id)
    if refund.status != PaymentStatus.PENDING or refund.kind != PaymentKind.REFUND:
        return
    paid = (
        refund.booking.payments.filter(
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
