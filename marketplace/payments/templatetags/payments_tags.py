"""`{% payment_panel item %}`: the money side of a booking or sample-testing order's page —
payee, 汇款附言, amount and deadline of a bank transfer, the payer's voucher form, what the
institution sees of it, refunds with status and reference, the "record refund" form."""

from __future__ import annotations

from django import template

from marketplace.accounts.permissions import is_member_of

from ..models import PaymentKind, PaymentMethod, PaymentStatus
from ..payables import spec_for

register = template.Library()


@register.inclusion_tag("payments/_payment_panel.html", takes_context=True)
def payment_panel(context, payable):
    user = context["request"].user
    institution = spec_for(payable).institution(payable)
    rows = list(payable.payments.select_related("invoice").order_by("created_at", "pk"))
    transfer = next(
        (
            row
            for row in rows
            if row.kind == PaymentKind.PAYMENT
            and row.method == PaymentMethod.OFFLINE
            and row.status == PaymentStatus.PENDING
        ),
        None,
    )
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "payable": payable,
        "institution": institution,
        "payments": [row for row in rows if row.kind == PaymentKind.PAYMENT],
        "refunds": [row for row in rows if row.kind == PaymentKind.REFUND],
        "transfer": transfer,
        "is_payer": payable.user_id == user.pk,
        "is_member": is_member_of(user, institution.pk),
    }
