"""factory_boy factories for the domain's models."""

from __future__ import annotations

import datetime
from decimal import Decimal

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


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalogue.Instrument"

    code = factory.Sequence(lambda n: f"INS-{n:04d}")
    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"场发射扫描电子显微镜 {n}")
    category = "analytical"
    model_number = "SU8220"
    manufacturer = "日立"
    original_value = Decimal("3280000.00")
    offers_machine_time = True
    offers_sample_testing = True
    price_hourly = Decimal("450.00")
    price_internal_hourly = Decimal("260.00")
    price_per_sample = Decimal("300.00")
    slot_minutes = 30
    min_minutes = 60
    max_minutes = 240
    min_notice_hours = 0
    max_advance_days = 60
    approval_required = True
    live = True


class OpeningIntervalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalogue.OpeningInterval"

    instrument = factory.SubFactory(InstrumentFactory)
    weekday = 0
    start = datetime.time(8, 30)
    end = datetime.time(17, 30)


class IncubatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalogue.Incubator"

    code = factory.Sequence(lambda n: f"INC-{n:04d}")
    institution = factory.SubFactory(InstitutionFactory, type="incubator_operator")
    name = factory.Sequence(lambda n: f"滇池创客空间 {n}")
    type = "maker_space"
    level = "provincial"
    region = "530100"
    lat = 25.04
    lng = 102.71
    workstations_total = 100
    workstations_vacant = 12
    live = True


class TechnologyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalogue.Technology"

    code = factory.Sequence(lambda n: f"TEC-{n:04d}")
    institution = factory.SubFactory(InstitutionFactory)
    title = factory.Sequence(lambda n: f"高原特色植物提取工艺 {n}")
    summary = "一种从高原植物中提取活性成分的绿色工艺。"
    field = "生物医药"
    ip_type = "invention_patent"
    ip_status = "granted"
    trl = 6
    mode_license = True
    live = True
