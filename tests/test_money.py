"""Money: Decimal yuan in the domain, integer fen at Stripe, no floats, two decimals at most."""

from decimal import Decimal

import pytest

from marketplace.money import MoneyError, from_fen, money_json, to_fen, yuan


def test_yuan_parses_strings_and_keeps_two_places():
    assert yuan("300") == Decimal("300.00")
    assert str(yuan("0.10")) == "0.10"


@pytest.mark.parametrize(
    "bad", [0.1, "1.005", "NaN", "Infinity", "abc", None, "1e30", "9" * 40, "-1e-30"]
)
def test_yuan_refuses_floats_extra_decimals_and_garbage(bad):
    with pytest.raises(MoneyError):
        yuan(bad)


def test_fen_round_trips():
    assert to_fen(Decimal("300.00")) == 30000
    assert to_fen(Decimal("0.01")) == 1
    assert from_fen(45050) == Decimal("450.50")


def test_money_json_is_a_decimal_string_with_currency():
    assert money_json(Decimal("300")) == {"amount": "300.00", "currency": "CNY"}
    assert money_json(None) is None


def test_negative_zero_is_plain_zero():
    assert str(yuan("-0")) == "0.00"
