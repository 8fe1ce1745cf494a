"""The voucher API: balances, the checkout share, using and withdrawing — each answer in the
documented shape, refusals in API.md's error shape with nothing changed, and few queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.vouchers.models import Balance, Movement, VoucherUse
from tests import voucher_fixtures as vf
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(api_client):
    admin = vf.admin_user()
    prog = vf.programme()
    founder = UserFactory(username="founder")
    vf.approved_enterprise(prog, founder, admin)
    made = vf.instrument()
    booking = vf.book(made, founder)
    api_client.force_authenticate(founder)
    return prog, founder, booking, api_client


def test_balances_show_the_enterprises_figures(world):
    _prog, _founder, _booking, client = world
    with CaptureQueriesContext(connection) as queries:
        answer = client.get("/api/v1/vouchers/balances/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["enterprise"] == "滇创科技有限公司"
    assert body["balances"][0]["available"] == {"amount": "5000.00", "currency": "CNY"}
    assert body["balances"][0]["subsidy_percent"] == "50"
    assert len(queries) <= 4


def test_checkout_shows_the_shares_and_use_reserves_them(world):
    prog, _founder, booking, client = world
    url = f"/api/v1/vouchers/checkout/bookings/{booking.pk}/"
    with CaptureQueriesContext(connection) as queries:
        shown = client.get(url)
    assert len(queries) <= 16
    assert shown.status_code == 200
    assert shown.json()["voucher_share"]["amount"] == "300.00"
    assert shown.json()["payer_share"]["amount"] == "600.00"
    assert shown.json()["used"] is False
    used = client.post(url + "use/")
    assert used.status_code == 200 and used.json()["used"] is True
    assert Balance.objects.get(programme=prog).committed == Decimal("300.00")
    again = client.post(url + "use/")
    assert again.status_code == 409 and again.json()["code"] == "already_used"
    assert VoucherUse.objects.count() == 1
    withdrawn = client.post(url + "withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["used"] is False
    assert Balance.objects.get(programme=prog).committed == Decimal("0.00")


def test_someone_elses_or_an_unknown_item_is_not_found_and_nothing_changes(world):
    _prog, _founder, booking, client = world
    stranger = UserFactory(username="stranger")
    client.force_authenticate(stranger)
    before = Movement.objects.count()
    for url in (
        f"/api/v1/vouchers/checkout/bookings/{booking.pk}/use/",
        f"/api/v1/vouchers/checkout/payments/{booking.pk}/use/",
        "/api/v1/vouchers/checkout/bookings/999999/use/",
    ):
        answer = client.post(url)
        assert answer.status_code == 404 and "detail" in answer.json()
    assert Movement.objects.count() == before
    assert client.get("/api/v1/vouchers/balances/").json() == {
        "enterprise": None,
        "balances": [],
    }


def test_anonymous_callers_are_refused(world):
    _prog, _founder, booking, client = world
    client.force_authenticate(None)
    answer = client.get(f"/api/v1/vouchers/checkout/bookings/{booking.pk}/")
    assert answer.status_code in (401, 403)


def test_the_schema_documents_the_voucher_endpoints(client):
    paths = client.get("/api/v1/schema/?format=json").json()["paths"]
    assert "/api/v1/vouchers/balances/" in paths
    assert "post" in paths["/api/v1/vouchers/checkout/{item}/{id}/use/"]


def test_a_path_with_a_newline_is_a_json_404(world):
    _prog, _founder, _booking, client = world
    answer = client.get("/api/v1/vouchers/checkout/a%0Ab/false/")
    assert answer.status_code == 404
    assert answer["Content-Type"].startswith("application/json")
