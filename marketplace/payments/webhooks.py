"""Stripe webhooks: verified, stored once, re-checked with Stripe, harmless when repeated."""

from __future__ import annotations

import functools
import logging

import stripe
from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Payment, PaymentKind, PaymentStatus, StripeEvent
from .services import record_stripe_paid, stripe_refund, sync_stripe_refund
from .stripe_gateway import stripe_client

logger = logging.getLogger(__name__)
HANDLED = {
    "checkout.session.completed",
    "checkout.session.expired",
    "payment_intent.payment_failed",
    "charge.refunded",
    "charge.refund.updated",
    "refund.created",
    "refund.updated",
    "refund.failed",
    "charge.dispute.created",
}


def fetch_checkout_session(session_id: str) -> dict:
    """The session as Stripe knows it now; events are only hints about what changed."""
    session = stripe_client().v1.checkout.sessions.retrieve(session_id)
    return {
        "id": session.id,
        "payment_status": session.payment_status,
        "status": session.status,
        "payment_intent": session.payment_intent if isinstance(session.payment_intent, str) else "",
    }


def _handle(event_type: str, obj: dict) -> None:
    if event_type in ("checkout.session.completed", "checkout.session.expired"):
        payment = (
            Payment.objects.filter(stripe_session_id=obj.get("id", ""))
            .select_related("booking", "sample_order")
            .first()
        )
        if payment is None:
            return
        session = fetch_checkout_session(payment.stripe_session_id)
        if session["payment_status"] == "paid":
            record_stripe_paid(payment, session["id"], session["payment_intent"])
        elif session["status"] == "expired" and payment.status == PaymentStatus.PENDING:
            payment.status = PaymentStatus.CANCELLED
            payment.save(update_fields=["status", "updated_at"])
    elif event_type == "payment_intent.payment_failed":
        Payment.objects.filter(
            stripe_payment_intent=obj.get("id", ""), status=PaymentStatus.PENDING
        ).update(status=PaymentStatus.FAILED)
    elif event_type == "charge.refunded":
        # The charge's refunds changed: ask Stripe about each refund of it still pending.
        pending = Payment.objects.filter(
            kind=PaymentKind.REFUND,
            status=PaymentStatus.PENDING,
            refund_of__kind=PaymentKind.PAYMENT,
            refund_of__stripe_payment_intent=obj.get("payment_intent") or "-",
        )
        for refund in pending:
            if refund.stripe_refund_id:
                sync_stripe_refund(refund)
            else:
                transaction.on_commit(functools.partial(stripe_refund, refund.pk))
    elif event_type in (
        "refund.created",
        "refund.updated",
        "refund.failed",
        "charge.refund.updated",
    ):
        refund = Payment.objects.filter(
            kind=PaymentKind.REFUND, stripe_refund_id=obj.get("id") or "-"
        ).first()
        if refund is not None:
            # The event says what changed; Stripe's current word decides.
            sync_stripe_refund(refund)
    elif event_type == "charge.dispute.created":
        paid = Payment.objects.filter(
            stripe_payment_intent=obj.get("payment_intent") or "x"
        ).first()
        logger.warning("Stripe dispute opened for %s", paid.payable if paid else "?")


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        return JsonResponse({"detail": "webhooks are not configured"}, status=404)
    try:
        event = stripe.Webhook.construct_event(
            request.body, request.headers.get("Stripe-Signature", ""), secret
        )
    except (ValueError, stripe.SignatureVerificationError):
        return JsonResponse({"detail": "invalid payload or signature"}, status=400)
    event = event.to_dict()
    event_type = event["type"]
    try:
        with transaction.atomic():
            StripeEvent.objects.create(event_id=event["id"], type=event_type)
            if event_type in HANDLED:
                _handle(event_type, event["data"]["object"])
    except IntegrityError:
        return JsonResponse({"detail": "already processed"}, status=200)
    except OperationalError:
        logger.warning("webhook %s hit a lock; Stripe will retry", event["id"])
        return JsonResponse({"detail": "busy, retry"}, status=503)
    return JsonResponse({"detail": "ok" if event_type in HANDLED else "ignored"}, status=200)
