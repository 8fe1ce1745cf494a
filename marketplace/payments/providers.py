"""Payment methods behind one small interface: offline bank transfer (对公转账) and Stripe
Checkout. `provider_for(method)` picks one from the enabled methods (settings.PAYMENT_METHODS);
callers — the workflows' pay services, pages and API — never branch on the method.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.api import local_iso
from marketplace.money import money_json
from marketplace.workflow import RuleError

from . import holds, services
from .models import PaymentMethod
from .payables import payer_share, spec_for


class PaymentProvider:
    """Starts a payment of `amount` for a payable whose workflow has checked who pays and when;
    answers with what the payer needs next (a Checkout URL, or transfer instructions)."""

    method: str = ""
    label = ""

    def start(
        self, payable: models.Model, amount: Decimal, *, return_url: str, deadline=None
    ) -> dict:
        raise NotImplementedError

    def hold(self, payable: models.Model, now, not_after=None):
        """The payable's hold once the payer chose this method: None keeps the hold it has."""
        return None


class OfflineBankTransfer(PaymentProvider):
    method = PaymentMethod.OFFLINE
    label = _("对公转账")

    def hold(self, payable, now, not_after=None):
        # A transfer takes days: the hold is extended once the payer chooses it.
        return holds.hold_for_bank_transfer(payable, now, not_after=not_after)

    def start(self, payable, amount, *, return_url, deadline=None):
        payment = services.pending_offline_payment(payable, amount, deadline=deadline)
        institution = spec_for(payable).institution(payable)
        name = institution.name
        code = payment.reference_code
        return {
            "method": self.method.value,
            "payment": payment.pk,
            "status": payable.status,
            "payee": {
                "account_name": institution.payee_account_name or name,
                "bank": institution.payee_bank,
                "account_number": institution.payee_account_number,
            },
            "reference_code": code,
            "amount": money_json(payment.amount),
            "deadline": local_iso(payment.deadline),
            "instructions": gettext("请向 %(payee)s 对公转账并在附言中注明 %(reference)s")
            % {"payee": name, "reference": code},
        }


class StripeCheckout(PaymentProvider):
    method = PaymentMethod.STRIPE
    label = _("在线支付")

    def start(self, payable, amount, *, return_url, deadline=None):
        spec = spec_for(payable)
        result = services.start_checkout(
            payable,
            amount=amount,
            description=spec.describe(payable),
            institution=spec.institution(payable),
            success_url=return_url + "?paid=1",
            cancel_url=return_url,
        )
        return {"method": self.method.value, **result}


PROVIDERS: dict[str, PaymentProvider] = {
    provider.method.value: provider for provider in (StripeCheckout(), OfflineBankTransfer())
}


def start_payment(
    provider: PaymentProvider,
    payable: models.Model,
    price: Decimal,
    *,
    return_url: str,
    invoice: dict | None = None,
    now,
    not_after=None,
) -> dict:
    """The payer starts paying `price` for `payable` through `provider` (the workflow has
    checked who pays and when, and holds the payable's row lock): they are charged their
    share (`payables.payer_share`), the hold is what the method needs (never past
    `not_after`), and the 发票 they ask for is recorded. What they need next is returned."""
    deadline = provider.hold(payable, now, not_after)
    result = provider.start(
        payable, payer_share(payable, price), return_url=return_url, deadline=deadline
    )
    services.request_invoice(result["payment"], invoice)
    return result


def enabled_methods() -> list[str]:
    return [method for method in settings.PAYMENT_METHODS if method in PROVIDERS]


def online_payment_enabled() -> bool:
    """Whether a payer is offered to pay online (a Checkout button) besides bank transfer."""
    return PaymentMethod.STRIPE in enabled_methods()


def provider_for(method: str) -> PaymentProvider:
    """The enabled provider of `method`; a 400 naming the field otherwise."""
    if method not in enabled_methods():
        raise RuleError(
            gettext("未启用该支付方式，可选：%(choices)s")
            % {"choices": ", ".join(enabled_methods())},
            "payment_method",
            field="method",
        )
    return PROVIDERS[method]
