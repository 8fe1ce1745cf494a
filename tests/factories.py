"""factory_boy factories for the domain's models."""

from __future__ import annotations

import factory

from marketplace.accounts.models import Institution, Membership, Role, User
from marketplace.accounts.validators import CREDIT_CODE_ALPHABET, credit_code_check_char


def make_credit_code(n: int) -> str:
    """A valid 统一社会信用代码 for a 事业单位 (12) in 昆明 (530100), unique per n."""
    body = f"12530100{n:09d}"
    body = body[:17]
    assert all(char in CREDIT_CODE_ALPHABET for char in body)
    return body + credit_code_check_char(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    code = factory.Sequence(lambda n: f"INST-{n:03d}")
    name = factory.Sequence(lambda n: f"测试研究院{n}")
    type = "research_institute"
    region = "530100"
    credit_code = factory.Sequence(make_credit_code)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = Role.STAFF
