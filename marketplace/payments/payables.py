"""What can be paid for: each workflow registers its payable model here, once, in ready().

The payments app knows a payable only through its registration: how it is described on a
Stripe line item, which institution is paid, how a bank transfer quotes it, and which service
of the workflow confirms it once Stripe says it is paid. No workflow imports another one, and
the payments app imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class PayableSpec:
    # One line for the Stripe Checkout item, e.g. "扫描电镜 2026-12-08 08:30".
    describe: Callable[[models.Model], str]
    # The institution that is paid (its Stripe account, its name on the transfer instructions).
    institution: Callable[[models.Model], models.Model]
    # How a bank transfer quotes the item: (Chinese, English), e.g. ("预约号 #12", "booking #12").
    reference: Callable[[models.Model], tuple[str, str]]
    # The workflow's service recording a paid Checkout Session: (payable, session, intent).
    on_stripe_paid: Callable[[models.Model, str, str], object]
    # The Payment field pointing at this payable, and lookups from a Payment to the payer and
    # to the providing institution's id, e.g. "booking", "booking__user",
    # "booking__instrument__institution_id": who may read which payments, without imports.
    field: str = ""
    payer_lookup: str = ""
    institution_lookup: str = ""
    # The letter that starts its 汇款附言 (reference codes), e.g. "B" for bookings.
    code_prefix: str = "P"


_REGISTRY: dict[str, PayableSpec] = {}


def register(model: type[models.Model], spec: PayableSpec) -> None:
    _REGISTRY[model._meta.model_name] = spec


def spec_for(payable: models.Model) -> PayableSpec:
    return _REGISTRY[payable._meta.model_name]


def registered() -> list[PayableSpec]:
    return list(_REGISTRY.values())
