"""The checkout share on a pay panel: `{% voucher_checkout booking "bookings" %}` — the
workflow templates load it without any Python import of the vouchers app."""

from __future__ import annotations

from django import template

from marketplace.vouchers import services

register = template.Library()


@register.inclusion_tag("vouchers/_checkout.html", takes_context=True)
def voucher_checkout(context, item, kind: str):
    """The voucher share and the payer's share of `item`, with the choice to use the voucher
    (or withdraw it) — only for someone whose enterprise holds a voucher."""
    user = context["request"].user
    shown = services.quote(item, user) if services.enterprise_of(user) else None
    return {"shown": shown, "item": item, "kind": kind, "csrf_token": context.get("csrf_token")}
