"""Money in the domain: CNY yuan as Decimal with two places; integer fen at Stripe's edge."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CURRENCY = "CNY"
CENT = Decimal("0.01")
MAX_DIGITS_BEFORE_POINT = 20


class MoneyError(ValueError):
    """An amount that is not a valid CNY amount."""


def yuan(value: str | int | Decimal) -> Decimal:
    """Parse an amount in yuan; refuses floats, NaN, infinities and more than two decimals."""
    if isinstance(value, float):
        raise MoneyError("amounts must not be floats")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise MoneyError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError(f"not a finite amount: {value!r}")
    if amount.adjusted() >= MAX_DIGITS_BEFORE_POINT:
        # Quantizing would overflow the context's precision; no real price is this large.
        raise MoneyError(f"too large an amount: {value!r}")
    if amount != amount.quantize(CENT):
        raise MoneyError(f"more than two decimal places: {value!r}")
    return amount.quantize(CENT) + 0  # + 0 turns -0.00 into 0.00


def to_fen(amount: Decimal) -> int:
    """Yuan → integer fen for Stripe (CNY's minor unit is 1/100)."""
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(CENT)


def money_json(amount: Decimal | None) -> dict | None:
    """The API's money shape: {"amount": "300.00", "currency": "CNY"}."""
    if amount is None:
        return None
    return {"amount": f"{amount.quantize(CENT)}", "currency": CURRENCY}


def display(amount: Decimal | None) -> str:
    """An amount as people read it: ¥3,280,000.00 (thousands separated, two places)."""
    if amount is None or amount == "":
        return ""
    return f"¥{Decimal(amount).quantize(CENT):,}"
