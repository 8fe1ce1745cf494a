"""The voucher pages: the share on the booking's pay panel, using and withdrawing it there,
and the enterprise's voucher page (balances, uses, movements) with pinned query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from marketplace.vouchers.models import Balance, VoucherUse
from tests import voucher_fixtures as vf
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    admin = vf.admin_user()
    prog = vf.programme()
    founder = UserFactory(username="founder")
    vf.approved_enterprise(prog, founder, admin)
    made = vf.instrument()
    booking = vf.book(made, founder)
    client.force_login(founder)
    return prog, founder, booking, client


def test_the_pay_panel_shows_the_shares_and_the_voucher_is_used_from_it(world):
    prog, _founder, booking, client = world
    page = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert 'id="voucher-share">¥300.00' in page and 'id="payer-share">¥600.00' in page
    answer = client.post(f"/vouchers/checkout/bookings/{booking.pk}/use/")
    assert answer.status_code == 302 and answer["Location"] == f"/bookings/{booking.pk}/"
    assert Balance.objects.get(programme=prog).committed == Decimal("300.00")
    page = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert 'id="voucher-used"' in page and 'id="voucher-withdraw"' in page
    client.post(f"/vouchers/checkout/bookings/{booking.pk}/withdraw/")
    assert Balance.objects.get(programme=prog).committed == Decimal("0.00")


def test_a_refusal_is_shown_and_changes_nothing(world):
    prog, _founder, booking, client = world
    Balance.objects.filter(programme=prog).update(available=Decimal("100.00"))
    page = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert 'id="voucher-reason"' in page and 'id="voucher-use"' not in page
    answer = client.post(f"/vouchers/checkout/bookings/{booking.pk}/use/", follow=True)
    assert "创新券余额不足" in answer.content.decode()
    assert not VoucherUse.objects.exists()


def test_someone_elses_booking_is_not_found(world):
    _prog, _founder, booking, client = world
    client.force_login(UserFactory(username="stranger"))
    assert client.post(f"/vouchers/checkout/bookings/{booking.pk}/use/").status_code == 404
    assert not VoucherUse.objects.exists()


def test_the_enterprise_page_lists_balances_uses_and_movements(
    world, django_assert_max_num_queries
):
    _prog, _founder, booking, client = world
    client.post(f"/vouchers/checkout/bookings/{booking.pk}/use/")
    with django_assert_max_num_queries(12):
        page = client.get("/vouchers/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "滇创科技有限公司" in body and "¥4700.00" in body
    assert "¥300.00" in body and "¥600.00" in body


def test_the_enterprise_page_renders_in_english(world):
    _prog, _founder, _booking, client = world
    page = client.get("/vouchers/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Innovation vouchers" in page and "Movements" in page and "Voucher share" in page
    assert "额度流水" not in page and "可用余额" not in page


def test_voucher_administrators_see_programmes_and_read_applications_in_the_admin(world):
    from django.contrib.auth.models import Group

    from marketplace.vouchers.groups import ensure_voucher_group
    from marketplace.vouchers.models import Application

    ensure_voucher_group()
    group = Group.objects.get(name="创新券管理员")
    assert group.permissions.filter(codename="change_programme").exists()
    assert not group.permissions.filter(codename="change_application").exists()
    _prog, _founder, _booking, client = world
    client.force_login(vf.admin_user("another-admin"))
    listing = client.get("/admin/snippets/vouchers/programme/")
    assert listing.status_code == 200 and "云南省科技创新券 2026" in listing.content.decode()
    application = Application.objects.get()
    inspect = client.get(f"/admin/snippets/vouchers/application/inspect/{application.pk}/")
    assert inspect.status_code == 200 and "材料齐全" in inspect.content.decode()
    edit = client.get(f"/admin/snippets/vouchers/application/edit/{application.pk}/")
    assert edit.status_code in (302, 403)  # read-only: reviews go through the services
    application.refresh_from_db()
    assert application.status == "approved"


def test_provider_claims_and_administrator_settles_through_the_pages(
    world, django_assert_max_num_queries
):
    from django.test import Client
    from django.utils import timezone

    from marketplace.bookings import services as bookings
    from marketplace.vouchers.models import ClaimLine, SettlementBatch

    _prog, founder, booking, client = world
    member = vf.member_of(booking.instrument.institution, "lab-manager")
    client.post(f"/vouchers/checkout/bookings/{booking.pk}/use/")
    bookings.pay(booking, founder, "offline", return_url="/")
    bookings.confirm_offline_payment(booking, member, "BANK-P")
    bookings.complete(booking, member, 120)

    provider = Client()
    provider.force_login(member)
    with django_assert_max_num_queries(12):
        page = provider.get("/vouchers/claims/")
    assert "¥300.00" in page.content.decode()
    month = f"{timezone.localdate():%Y-%m}"
    bad = provider.post(
        "/vouchers/claims/", {"institution": booking.instrument.institution_id, "month": "x"}
    )
    assert bad.status_code == 302 and not ClaimLine.objects.filter(claim__isnull=False).exists()
    provider.post(
        "/vouchers/claims/", {"institution": booking.instrument.institution_id, "month": month}
    )
    line = ClaimLine.objects.get()
    assert line.status == "claimed"

    assert client.get("/vouchers/settlement/").status_code == 404  # the founder is no admin
    admin = Client()
    admin.force_login(vf.admin_user("finance-admin"))
    with django_assert_max_num_queries(12):
        page = admin.get("/vouchers/settlement/")
    assert f'id="approve-{line.pk}"' in page.content.decode()
    admin.post("/vouchers/settlement/", {"action": "approve", "line": line.pk})
    admin.post("/vouchers/settlement/", {"action": "batch"})
    batch = SettlementBatch.objects.get()
    exported = admin.get(f"/vouchers/settlement/{batch.pk}/batch.csv")
    assert exported.status_code == 200 and "300.00" in exported.content.decode("utf-8-sig")
    assert client.get(f"/vouchers/settlement/{batch.pk}/batch.csv").status_code == 404
    admin.post("/vouchers/settlement/", {"action": "paid", "batch": batch.pk, "reference": "FIN-1"})
    batch.refresh_from_db()
    line.refresh_from_db()
    assert batch.paid_reference == "FIN-1" and line.status == "paid"
    from marketplace.vouchers.checks import ledger_differences

    assert ledger_differences() == []
