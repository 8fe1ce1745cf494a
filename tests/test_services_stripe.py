"""Against stripe-mock: the configured client reaches it and money crosses as integer fen."""

from decimal import Decimal

import pytest

from marketplace.money import to_fen
from marketplace.payments.stripe_gateway import StripeNotConfigured, stripe_client


@pytest.mark.stripe
def test_checkout_session_is_created_at_stripe_mock_with_fen():
    client = stripe_client()
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "success_url": "http://127.0.0.1:8000/ok",
            "cancel_url": "http://127.0.0.1:8000/cancel",
            "line_items": [
                {
                    "price_data": {
                        "currency": "cny",
                        "unit_amount": to_fen(Decimal("300.00")),
                        "product_data": {"name": "场发射扫描电子显微镜 机时"},
                    },
                    "quantity": 1,
                }
            ],
        }
    )
    assert session.id.startswith("cs_")
    assert session.object == "checkout.session"


def test_without_a_key_online_payment_is_refused_clearly(settings):
    settings.STRIPE_SECRET_KEY = None
    with pytest.raises(StripeNotConfigured, match="only offline payment"):
        stripe_client()
