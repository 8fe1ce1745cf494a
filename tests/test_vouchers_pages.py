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
