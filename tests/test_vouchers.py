"""科技创新券: eligibility with two reviews, the voucher share at checkout, spend on completion,
release on cancellation and expiry, the guards, claims and settlement — all through the
services, on the real database, and every step checked by check_voucher_ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from marketplace.bookings import services as bookings
from marketplace.payments.models import Payment
from marketplace.vouchers import services
from marketplace.vouchers.checks import ledger_differences
from marketplace.vouchers.models import (
    ApplicationStatus,
    Balance,
    ClaimLine,
    LineStatus,
    Movement,
    UseStatus,
    VoucherUse,
)
from marketplace.workflow import Conflict, Forbidden, RuleError
from tests import voucher_fixtures as vf
from tests.factories import UserFactory
from tests.residency_fixtures import pdf_upload, text_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    admin = vf.admin_user()
    prog = vf.programme()
    founder = UserFactory(username="founder")
    vf.approved_enterprise(prog, founder, admin)
    made = vf.instrument()
    member = vf.member_of(made.institution, "lab-manager")
    return prog, founder, admin, made, member


def balance_of(prog) -> Balance:
    return Balance.objects.get(programme=prog)


def assert_balanced():
    assert ledger_differences() == []


# --- eligibility ---------------------------------------------------------------------------


def test_two_reviews_grant_the_annual_cap_once(world):
    prog, founder, admin, *_ = world
    balance = balance_of(prog)
    assert (balance.granted, balance.available) == (Decimal("5000.00"), Decimal("5000.00"))
    application = balance.enterprise.applications.get()
    assert application.status == ApplicationStatus.APPROVED
    assert application.prefecture_comment == "材料齐全" and application.province_by == admin
    assert list(application.transitions.values_list("to_status", flat=True)) == [
        "submitted",
        "prefecture_approved",
        "approved",
    ]
    assert_balanced()


def test_a_rejection_needs_a_comment_and_grants_nothing(world):
    prog, _founder, admin, *_ = world
    other = UserFactory(username="other-founder")
    application = services.apply(
        other, prog, name="另一家公司", credit_code=vf.enterprise_code(2), document=pdf_upload()
    )
    with pytest.raises(RuleError):
        services.review(application, admin, decision="reject", comment="")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    services.review(application, admin, decision="reject", comment="材料不全")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert not Balance.objects.filter(enterprise=application.enterprise).exists()


def test_only_a_voucher_administrator_reviews(world):
    prog, *_ = world
    other = UserFactory(username="other-founder")
    application = services.apply(
        other, prog, name="另一家公司", credit_code=vf.enterprise_code(3), document=pdf_upload()
    )
    with pytest.raises(Forbidden):
        services.review(application, other, decision="approve")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


@pytest.mark.parametrize(
    ("code", "document", "error"),
    [
        ("91530100MA6K00001Y", lambda: pdf_upload(), "credit_code"),
        (None, lambda: text_upload("licence.pdf"), "attachment_not_pdf"),
        (None, lambda: None, "document_required"),
    ],
)
def test_bad_applications_are_refused_and_nothing_is_stored(world, code, document, error):
    prog, *_ = world
    other = UserFactory(username="other-founder")
    before = prog.applications.count()
    with pytest.raises(RuleError) as refused:
        services.apply(
            other,
            prog,
            name="某公司",
            credit_code=code or vf.enterprise_code(4),
            document=document(),
        )
    assert refused.value.code == error
    assert prog.applications.count() == before


def test_the_budget_caps_the_grants(world):
    _prog, _founder, admin, *_ = world
    small = vf.programme(name="小项目", budget=Decimal("7000.00"))
    first = UserFactory(username="f1")
    second = UserFactory(username="f2")
    vf.approved_enterprise(small, first, admin, n=11, name="甲公司")
    vf.approved_enterprise(small, second, admin, n=12, name="乙公司")
    granted = sorted(small.balances.values_list("granted", flat=True))
    assert granted == [Decimal("2000.00"), Decimal("5000.00")]
    third = UserFactory(username="f3")
    with pytest.raises(Conflict):
        vf.approved_enterprise(small, third, admin, n=13, name="丙公司")
    assert small.balances.count() == 2
    assert_balanced()


# --- checkout ------------------------------------------------------------------------------


def test_voucher_share_is_shown_reserved_and_the_payer_pays_only_their_share(world):
    prog, founder, _admin, made, member = world
    booking = vf.book(made, founder)
    assert booking.status == "awaiting_payment" and booking.price == Decimal("900.00")
    shown = services.quote(booking, founder)
    assert shown["eligible"] and shown["share"] == Decimal("300.00")
    assert shown["payer_share"] == Decimal("600.00")
    assert balance_of(prog).available == Decimal("5000.00")  # showing reserves nothing

    use = services.use_voucher(booking, founder)
    balance = balance_of(prog)
    assert (balance.available, balance.committed) == (Decimal("4700.00"), Decimal("300.00"))
    result = bookings.pay(booking, founder, "offline", return_url="/bookings/1/")
    assert result["amount"] == {"amount": "600.00", "currency": "CNY"}
    booking = bookings.confirm_offline_payment(booking, member, "BANK-1")
    assert booking.status == "confirmed"
    assert [p.amount for p in Payment.objects.filter(booking=booking)] == [Decimal("600.00")]

    bookings.complete(booking, member, 120)
    use.refresh_from_db()
    balance = balance_of(prog)
    assert use.status == UseStatus.SPENT
    assert (balance.committed, balance.spent) == (Decimal("0.00"), Decimal("300.00"))
    line = ClaimLine.objects.get(use=use)
    assert line.amount == Decimal("300.00") and line.evidence["actual_minutes"] == 120
    assert line.evidence["payments"][0]["amount"] == "600.00"
    assert_balanced()


def test_cancelling_releases_the_share_and_refunds_the_payers_share_by_the_tiers(world):
    prog, founder, _admin, made, member = world
    from marketplace.catalogue.models import RefundTier

    RefundTier.objects.create(instrument=made, hours_before=0, refund_percent=50)
    booking = vf.book(made, founder)
    services.use_voucher(booking, founder)
    bookings.pay(booking, founder, "offline", return_url="/")
    bookings.confirm_offline_payment(booking, member, "BANK-2")
    booking, refund = bookings.cancel(booking, founder, "plans changed")
    assert refund == Decimal("300.00")  # 50 % of the ¥600 the payer paid, not of ¥900
    balance = balance_of(prog)
    assert (balance.available, balance.committed) == (Decimal("5000.00"), Decimal("0.00"))
    assert VoucherUse.objects.get().status == UseStatus.RELEASED
    assert not ClaimLine.objects.exists()  # a cancelled service cannot be claimed
    assert_balanced()


def test_an_expired_hold_releases_the_share(world):
    prog, founder, _admin, made, _member = world
    booking = vf.book(made, founder)
    services.use_voucher(booking, founder)
    assert bookings.expire_overdue_holds(now=timezone.now() + dt.timedelta(days=1)) == 1
    assert balance_of(prog).available == Decimal("5000.00")
    assert VoucherUse.objects.get().status == UseStatus.RELEASED
    assert_balanced()


def test_withdrawing_before_paying_releases_and_the_full_price_is_due_again(world):
    prog, founder, _admin, made, _member = world
    booking = vf.book(made, founder)
    services.use_voucher(booking, founder)
    services.withdraw_voucher(booking, founder)
    assert balance_of(prog).available == Decimal("5000.00")
    result = bookings.pay(booking, founder, "offline", return_url="/")
    assert result["amount"]["amount"] == "900.00"
    assert_balanced()


def test_sample_orders_take_vouchers_too(world):
    prog, founder, _admin, made, member = world
    from marketplace.sampletesting import services as sampletesting
    from tests.factories import SampleOrderFactory

    order = SampleOrderFactory(
        instrument=made, user=founder, status="awaiting_payment", price=Decimal("400.00")
    )
    use = services.use_voucher(order, founder)
    assert (use.share, use.payer_share) == (Decimal("200.00"), Decimal("200.00"))
    result = sampletesting.pay(order, founder, "offline", return_url="/")
    assert result["amount"]["amount"] == "200.00"
    sampletesting.confirm_offline_payment(order, member, "BANK-S")
    assert balance_of(prog).committed == Decimal("200.00")
    assert_balanced()


# --- guards --------------------------------------------------------------------------------


def refused(item, user, code):
    before = (Movement.objects.count(), VoucherUse.objects.count())
    with pytest.raises((Conflict, Forbidden)) as error:
        services.use_voucher(item, user)
    assert (Movement.objects.count(), VoucherUse.objects.count()) == before
    if code:
        assert error.value.code == code


def test_no_voucher_on_the_enterprises_own_institution(world):
    prog, founder, _admin, made, _member = world
    enterprise = balance_of(prog).enterprise
    enterprise.institution = made.institution
    enterprise.save()
    refused(vf.book(made, founder), founder, "self_dealing")


def test_no_voucher_for_a_member_of_the_providing_institution(world):
    prog, founder, _admin, made, _member = world
    from tests.factories import MembershipFactory

    MembershipFactory(user=founder, institution=made.institution, role="staff")
    refused(vf.book(made, founder), founder, "self_dealing")


def test_one_voucher_per_service_line(world):
    _prog, founder, _admin, made, _member = world
    booking = vf.book(made, founder)
    services.use_voucher(booking, founder)
    refused(booking, founder, "already_used")


def test_only_the_payer_uses_it_and_only_before_paying(world):
    _prog, founder, _admin, made, member = world
    booking = vf.book(made, founder)
    refused(booking, member, None)
    bookings.pay(booking, founder, "offline", return_url="/")
    bookings.confirm_offline_payment(booking, member, "BANK-3")
    refused(booking, founder, "not_payable")


def test_an_ineligible_institution_or_kind_is_refused(world):
    prog, founder, _admin, made, _member = world
    prog.institutions.set([vf.instrument().institution])
    refused(vf.book(made, founder), founder, "not_eligible")
    prog.institutions.clear()
    prog.kinds = ["sample_testing"]
    prog.save()
    refused(vf.book(made, founder, hour=12), founder, "not_eligible")


def test_the_per_order_cap_limits_the_share(world):
    _prog, founder, _admin, made, _member = world
    booking = vf.book(made, founder, hours=4)  # ¥1,800: 50 % would be ¥900
    assert services.use_voucher(booking, founder).share == Decimal("300.00")


def test_the_annual_balance_caps_the_uses(world):
    prog, founder, _admin, made, _member = world
    Balance.objects.filter(programme=prog).update(available=Decimal("200.00"))
    booking = vf.book(made, founder)
    refused(booking, founder, "balance_insufficient")


def test_a_closed_programme_gives_nothing(world):
    prog, founder, _admin, made, _member = world
    prog.status = "closed"
    prog.save()
    refused(vf.book(made, founder), founder, "not_eligible")


# --- settlement ----------------------------------------------------------------------------


def completed_use(world, hour=8):
    _prog, founder, _admin, made, member = world
    booking = vf.book(made, founder, hour=hour)
    services.use_voucher(booking, founder)
    bookings.pay(booking, founder, "offline", return_url="/")
    bookings.confirm_offline_payment(booking, member, f"BANK-{hour}")
    bookings.complete(booking, member, 120)
    return booking


def test_claim_review_batch_and_payment_settle_every_fen(world):
    prog, founder, admin, made, member = world
    completed_use(world, 8)
    completed_use(world, 12)
    month = timezone.localdate()
    with pytest.raises(Forbidden):
        services.gather_claim(made.institution, month, founder)
    claim = services.gather_claim(made.institution, month, member)
    first, second = claim.lines.order_by("pk")
    with pytest.raises(Conflict):
        services.gather_claim(made.institution, month, member)  # one claim per line
    services.decide_line(first, admin, approve=True)
    services.decide_line(second, admin, approve=False, comment="缺少使用记录")
    balance = balance_of(prog)
    assert (balance.available, balance.spent) == (Decimal("4700.00"), Decimal("300.00"))
    batch = services.make_batch(admin)
    assert batch.total == Decimal("300.00")
    with pytest.raises(RuleError):
        services.mark_batch_paid(batch, admin, "")
    services.mark_batch_paid(batch, admin, "FIN-2026-12")
    first.refresh_from_db()
    assert first.status == LineStatus.PAID
    with pytest.raises(Conflict):
        services.mark_batch_paid(batch, admin, "FIN-AGAIN")
    assert_balanced()
    call_command("check_voucher_ledger")


def test_the_ledger_check_exits_1_listing_a_difference(world, capsys):
    prog, founder, _admin, made, _member = world
    services.use_voucher(vf.book(made, founder), founder)
    call_command("check_voucher_ledger")
    Balance.objects.filter(programme=prog).update(available=Decimal("4000.00"))
    with pytest.raises(SystemExit) as exited:
        call_command("check_voucher_ledger")
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "可用 4000.00 ≠ 台账 4700.00" in err  # the command language: the site's, by default
    assert "Traceback" not in err
    with pytest.raises(SystemExit):
        call_command("check_voucher_ledger", language="en")
    err = capsys.readouterr().err
    assert "available 4000.00 != ledger 4700.00" in err
    assert "difference in the voucher ledger" in err


def test_a_settlement_batch_exports_as_csv_and_xlsx_with_formulas_disarmed(world):
    import csv
    import io

    from openpyxl import load_workbook

    from marketplace.vouchers import exports

    _prog, _founder, admin, made, member = world
    made.institution.name = '=HYPERLINK("http://evil")'
    made.institution.save()
    completed_use(world, 8)
    claim = services.gather_claim(made.institution, timezone.localdate(), member)
    services.decide_line(claim.lines.get(), admin, approve=True)
    batch = services.make_batch(admin)
    data = exports.as_csv(batch)
    assert data.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(table) == 2
    assert table[1][1] == '\'=HYPERLINK("http://evil")'
    assert table[1][-1] == "300.00"
    sheet = load_workbook(io.BytesIO(exports.as_xlsx(batch))).active
    assert sheet.cell(2, 2).value.startswith("'=")
    assert sheet.cell(2, 9).value == 300


@pytest.mark.parametrize(
    ("language", "columns"),
    [
        (
            "zh-hans",
            ["结算批次", "服务机构", "统一社会信用代码", "月份", "明细", "服务", "企业", "服务完成"]
            + ["兑付金额（元）"],
        ),
        (
            "en",
            ["Settlement batch", "Providing institution", "Unified social credit code", "Month"]
            + ["Line", "Service", "Enterprise", "Completed", "Amount (CNY)"],
        ),
    ],
)
def test_settlement_export_columns_are_named_in_the_exporters_language(world, language, columns):
    import csv
    import io

    from django.utils import translation
    from openpyxl import load_workbook

    from marketplace.vouchers import exports

    _prog, _founder, admin, made, member = world
    completed_use(world, 8)
    claim = services.gather_claim(made.institution, timezone.localdate(), member)
    services.decide_line(claim.lines.get(), admin, approve=True)
    batch = services.make_batch(admin)
    with translation.override(language):
        data, book = exports.as_csv(batch), exports.as_xlsx(batch)
    assert next(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == columns
    sheet = load_workbook(io.BytesIO(book)).active
    assert [cell.value for cell in sheet[1]] == columns


@pytest.mark.parametrize("value", ["", "x", "2026-13", "2026-12-01", "9999-12", "0-1"])
def test_a_bad_month_is_refused_naming_the_field(value):
    from marketplace.vouchers.services import month_bounds, parse_month
    from marketplace.workflow import RuleError

    with pytest.raises(RuleError) as refusal:
        month_bounds(parse_month(value))
    assert refusal.value.field == "month"


def test_a_month_runs_from_its_first_moment_in_shanghai():
    import datetime as dt

    from marketplace.vouchers.services import SHANGHAI, month_bounds, parse_month

    assert parse_month("2026-12") == dt.date(2026, 12, 1)
    assert month_bounds(dt.date(2026, 12, 1)) == (
        dt.datetime(2026, 12, 1, tzinfo=SHANGHAI),
        dt.datetime(2027, 1, 1, tzinfo=SHANGHAI),
    )
