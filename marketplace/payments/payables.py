"""What can be paid for: each workflow registers its payable model here, once, in ready().

The payments app knows a payable only through its registration: how it is described on a
Stripe line item, which institution is paid, how a bank transfer quotes it, and which service
of the workflow confirms it once Stripe says it is paid. No workflow imports another one, and
the payments app imports none of them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.apps import apps
from django.db import models

from marketplace.workflow import follow


class Holds(Protocol):
    """What the registry needs of a workflow's payment holds (payments.holds.Holds)."""

    model: type[models.Model]

    def expire_overdue(self, now=None, *, ids=None) -> int: ...

    def expire_listed(self, queryset) -> int: ...


@dataclass(frozen=True)
class PayableSpec:
    # One line for the Stripe Checkout item, e.g. "扫描电镜 2026-12-08 08:30".
    describe: Callable[[models.Model], str]
    # How a bank transfer quotes the item: (Chinese, English), e.g. ("预约号 #12", "booking #12").
    reference: Callable[[models.Model], tuple[str, str]]
    # The workflow's service recording a paid Checkout Session: (payable, session, intent).
    on_stripe_paid: Callable[[models.Model, str, str], object]
    # Found by `register` from the model: the Payment field pointing at this payable
    # ("booking", the Payment's foreign key to the model), the path to its payer ("user") and
    # to the institution that is paid (its Stripe account, its name on the transfer
    # instructions; "instrument__institution") — the paths the payable declares as a workflow
    # item (`owner_path`, `institution_path`). With them, who may read which payments,
    # without imports.
    field: str = ""
    payer: str = ""
    institution_path: str = ""
    # The letter that starts its 汇款附言 (reference codes), e.g. "B" for bookings.
    code_prefix: str = "P"
    # What kind of service it is, for subsidy programmes (创新券): "machine_time",
    # "sample_testing", "technology_licence"; "" for none.
    service_kind: str = ""
    # Whether the payer may pay it now (a subsidy can be chosen only before paying).
    awaiting_payment: Callable[[models.Model], bool] = lambda item: (
        item.status == "awaiting_payment"
    )
    # Its payment holds (payments.holds.Holds), if an unpaid item waits for its money for a
    # limited time: the periodic sweep and every list that counts open items expire them.
    holds: Holds | None = None

    def institution(self, payable: models.Model) -> models.Model:
        """The institution that is paid for `payable`."""
        return follow(payable, self.institution_path)

    @property
    def payer_lookup(self) -> str:
        """From a Payment to its payer, e.g. "booking__user"."""
        return f"{self.field}__{self.payer}"

    @property
    def institution_lookup(self) -> str:
        """From a Payment to the paid institution's id, e.g.
        "booking__instrument__institution_id"."""
        return f"{self.field}__{self.institution_path}_id"


_REGISTRY: dict[str, PayableSpec] = {}
_MODELS: dict[str, type[models.Model]] = {}
# Shares of a payable's price that someone other than the payer covers (an innovation
# voucher, 创新券): callables payable → Decimal, registered by the apps that cover them.
_COVERS: list[Callable[[models.Model], Decimal]] = []


def register(model: type[models.Model], spec: PayableSpec) -> None:
    spec = dataclasses.replace(
        spec,
        field=_payment_field_to(model),
        payer=model.owner_path,
        institution_path=model.institution_path,
    )
    _REGISTRY[model._meta.model_name] = spec
    _MODELS[model._meta.model_name] = model


def _payment_field_to(model: type[models.Model]) -> str:
    """The name of the Payment's foreign key to `model` (each payable has one)."""
    payment = apps.get_model("payments", "Payment")
    return next(
        field.name
        for field in payment._meta.get_fields()
        if field.many_to_one and field.related_model is model
    )


def model_for(name: str) -> type[models.Model] | None:
    """The payable model registered under its model name ("booking"), else None."""
    return _MODELS.get(name)


def register_cover(cover: Callable[[models.Model], Decimal]) -> None:
    """An app paying part of payables' prices (once, in ready())."""
    if cover not in _COVERS:
        _COVERS.append(cover)


def payer_share(payable: models.Model, price: Decimal) -> Decimal:
    """What the payer pays of `price`: the price less what registered covers pay for them.
    The amount every payment method charges, settles and refunds against."""
    covered = sum((cover(payable) for cover in _COVERS), Decimal("0.00"))
    return max(price - covered, Decimal("0.00"))


def spec_for(payable: models.Model) -> PayableSpec:
    return _REGISTRY[payable._meta.model_name]


def registered() -> list[PayableSpec]:
    return list(_REGISTRY.values())


def holds_of(model: type[models.Model]) -> Holds | None:
    """The payment holds registered for `model`, or None if it has none (or is no payable)."""
    spec = _REGISTRY.get(model._meta.model_name)
    return spec.holds if spec is not None else None
