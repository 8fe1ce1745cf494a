"""统一社会信用代码 (unified social credit code, GB 32100-2015) and listing-code validation."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# The 31 characters the standard allows, in the order that gives each its value (I, O, S, V
# and Z are left out so they cannot be confused with digits).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {char: index for index, char in enumerate(CREDIT_CODE_ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def credit_code_check_char(first17: str) -> str:
    """The 18th character for the first 17 (weights 3^i mod 31, check = 31 - sum mod 31)."""
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(value: str) -> bool:
    return bool(_SHAPE.match(value)) and credit_code_check_char(value[:17]) == value[17]


def validate_credit_code(value: str) -> None:
    if len(value) != 18:
        raise ValidationError(
            _("统一社会信用代码应为 18 位，当前为 %(length)d 位。"),
            code="credit_code_length",
            params={"length": len(value)},
        )
    if not _SHAPE.match(value):
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符（第 3–8 位为数字，不使用 I、O、S、V、Z）。"),
            code="credit_code_chars",
        )
    expected = credit_code_check_char(value[:17])
    if expected != value[17]:
        raise ValidationError(
            _("统一社会信用代码校验位错误：第 18 位应为 %(expected)s。"),
            code="credit_code_check",
            params={"expected": expected},
        )


validate_code = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
    _("编码须以字母或数字开头，只含字母、数字、“.”、“_”、“-”，最长 64 位。"),
    code="invalid_code",
)
