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
    # A completed profile: what a person fills in once before their first request.
    real_name = "测试用户"
    organisation = "测试科技有限公司"
    phone = "13800000000"
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
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"INC-{n:04d}")
    institution = factory.SubFactory(InstitutionFactory, type="incubator_operator")
    name = factory.Sequence(lambda n: f"滇池创客空间 {n}")
    type = "maker_space"
    level = "provincial"
    region = "530100"
    lat = 25.04
    lng = 102.71
    workstations_total = 100
    live = True

    @factory.post_generation
    def workstations_vacant(obj, create, extracted, **kwargs):
        """The live vacancy is a counter row of its own (catalogue.IncubatorCapacity)."""
        _set_capacity(obj, create, "workstations_vacant", 12 if extracted is None else extracted)

    @factory.post_generation
    def offices_vacant(obj, create, extracted, **kwargs):
        if extracted is not None:
            _set_capacity(obj, create, "offices_vacant", extracted)


def _set_capacity(incubator, create, field, value) -> None:
    from marketplace.catalogue.models import IncubatorCapacity

    if create:
        IncubatorCapacity.objects.update_or_create(
            incubator_id=incubator.pk, defaults={field: value}
        )
        relation = type(incubator).capacity.related
        if relation.is_cached(incubator):
            relation.delete_cached_value(incubator)


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


# --- Workflow items: one way to build each, in any status --------------------------------------


def _next_week_at(hour: int) -> datetime.datetime:
    """A slot a week from now, on the hour, Asia/Shanghai (stored as UTC)."""
    from zoneinfo import ZoneInfo

    day = datetime.date.today() + datetime.timedelta(days=7)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo("Asia/Shanghai"))


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking as the services would have left it; pass status= (and hold_expires_at=)."""

    class Meta:
        model = "bookings.Booking"

    instrument = factory.SubFactory(InstrumentFactory)
    user = factory.SubFactory(UserFactory)
    start = factory.Sequence(lambda n: _next_week_at(8) + datetime.timedelta(hours=n % 10))
    end = factory.LazyAttribute(lambda booking: booking.start + datetime.timedelta(hours=1))
    purpose = "扫描电镜表征"
    status = "pending_approval"
    price = Decimal("450.00")


class SampleOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sampletesting.SampleOrder"

    instrument = factory.SubFactory(InstrumentFactory, offers_sample_testing=True)
    user = factory.SubFactory(UserFactory)
    sample_count = 3
    sample_description = "三块硅片，10 mm × 10 mm"
    test_items = "表面形貌、能谱"
    status = "requested"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "residency.Application"

    incubator = factory.SubFactory(IncubatorFactory)
    applicant = factory.SubFactory(UserFactory)
    company_name = factory.Sequence(lambda n: f"昆明星火科技有限公司{n}")
    contact_name = "李明"
    contact_phone = "0871-65000000"
    contact_email = "liming@startup.example"
    team_size = 6
    stage = "prototype"
    business_summary = "面向高原特色农业的智能灌溉设备。"
    status = "submitted"


class InquiryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inquiries.Inquiry"

    technology = factory.SubFactory(TechnologyFactory)
    inquirer = factory.SubFactory(UserFactory)
    intended_mode = "license"
    message = "希望了解许可使用的费用和技术支持方式。"
    status = "open"


class PaymentFactory(factory.django.DjangoModelFactory):
    """A payment of a booking (pass sample_order= and booking=None for an order)."""

    class Meta:
        model = "payments.Payment"

    booking = factory.SubFactory(BookingFactory, status="confirmed")
    kind = "payment"
    method = "offline"
    status = "succeeded"
    amount = factory.LazyAttribute(lambda payment: (payment.booking or payment.sample_order).price)
    reference = factory.Sequence(lambda n: f"TRANSFER-{n:05d}")


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.Notification"

    user = factory.SubFactory(UserFactory)
    message = "预约已确认：扫描电镜"
    message_en = "Booking confirmed: 扫描电镜"
    url = "/bookings/1/"
    email = factory.LazyAttribute(lambda notice: notice.user.email)
