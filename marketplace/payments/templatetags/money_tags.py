"""`{{ amount|yuan }}`: the one way money is shown on a page (¥3,280,000.00).

A built-in library (settings TEMPLATES builtins), so every template has it without a load."""

from __future__ import annotations

from django import template

from marketplace.money import display

register = template.Library()


@register.filter
def yuan(amount) -> str:
    return display(amount)
