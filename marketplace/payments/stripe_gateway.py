"""The one place that builds a Stripe client from settings (stripe-mock in tests)."""

from __future__ import annotations

import stripe
from django.conf import settings


class StripeNotConfigured(RuntimeError):
    """Online payment was asked for but no STRIPE_SECRET_KEY is set."""


def stripe_client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise StripeNotConfigured("STRIPE_SECRET_KEY is not set; only offline payment is offered")
    base_addresses = {}
    if settings.STRIPE_API_BASE:
        base_addresses = {"api": settings.STRIPE_API_BASE, "files": settings.STRIPE_API_BASE}
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base_addresses,
        max_network_retries=2,
    )
