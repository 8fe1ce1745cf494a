"""统一社会信用代码: real codes pass, wrong check digits, characters and lengths are refused."""

import pytest
from django.core.exceptions import ValidationError

from marketplace.accounts.validators import is_valid_credit_code, validate_credit_code

REAL_VALID = [
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "9144030071526726XG",  # 华为技术有限公司
    "91350100M000100Y43",  # the standard's published sample
    "12530000431007212M",  # demo catalogue
    "91532503MA6PK3R26E",  # demo catalogue
]


@pytest.mark.parametrize("code", REAL_VALID)
def test_real_credit_codes_are_accepted(code):
    validate_credit_code(code)
    assert is_valid_credit_code(code)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91440300708461136U", "第 18 位应为 T"),
        ("9144030071526726XA", "第 18 位应为 G"),
        ("91350100M000100Y44", "第 18 位应为 3"),
        ("9144030070846113", "18 位，当前为 16 位"),
        ("91440300708461136TT", "当前为 19 位"),
        ("91440300708461136I", "不允许的字符"),  # I is not in the alphabet
        ("914403007084611360".replace("0", "O", 1), "不允许的字符"),
        ("91A40300708461136T", "不允许的字符"),  # region part must be digits
        ("91440300708461136t", "不允许的字符"),  # lower case is not the code
    ],
)
def test_invalid_credit_codes_are_refused_with_a_reason(code, message):
    with pytest.raises(ValidationError) as caught:
        validate_credit_code(code)
    assert message in " ".join(caught.value.messages)
    assert not is_valid_credit_code(code)


@pytest.mark.django_db
def test_institution_full_clean_refuses_a_bad_check_digit():
    from tests.factories import InstitutionFactory

    institution = InstitutionFactory.build(credit_code="91440300708461136U")
    with pytest.raises(ValidationError) as caught:
        institution.full_clean()
    assert "credit_code" in caught.value.message_dict
