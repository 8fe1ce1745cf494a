"""Eligibility through the API: apply with a PDF (multipart), read one's own applications,
the administrators' queue (oldest first) and their two reviews — each answer in the documented
shape, refusals in API.md's error shape with nothing stored or changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.vouchers.models import Application, Balance
from tests import voucher_fixtures as vf
from tests.factories import UserFactory
from tests.residency_fixtures import pdf_upload, text_upload

pytestmark = pytest.mark.django_db


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(prog, n=1, **changes):
    values = {
        "programme": prog.pk,
        "name": "滇创科技有限公司",
        "credit_code": vf.enterprise_code(n),
        "document": pdf_upload("营业执照.pdf"),
    }
    values.update(changes)
    return values


@pytest.fixture
def prog():
    return vf.programme()


def test_apply_then_two_reviews_grant_the_balance(prog):
    founder = UserFactory(username="founder")
    client = as_user(founder)
    answer = client.post("/api/v1/vouchers/applications/", body(prog), format="multipart")
    assert answer.status_code == 201, answer.content
    created = answer.json()
    assert created["status"] == "submitted" and created["document_name"] == "营业执照.pdf"
    assert created["credit_code"] == vf.enterprise_code(1)
    assert created["created_at"].endswith("+08:00")
    assert created["prefecture"] == {"decision": "", "comment": "", "at": None}
    assert [row["id"] for row in client.get("/api/v1/vouchers/applications/").json()] == [
        created["id"]
    ]

    admin = as_user(vf.admin_user())
    pending = admin.get("/api/v1/vouchers/applications/pending/")
    assert [row["id"] for row in pending.json()] == [created["id"]]
    url = f"/api/v1/vouchers/applications/{created['id']}/review/"
    first = admin.post(url, {"decision": "approve", "comment": "材料齐全"}, format="json")
    assert first.status_code == 200 and first.json()["status"] == "prefecture_approved"
    assert first.json()["prefecture"]["comment"] == "材料齐全"
    second = admin.post(url, {"decision": "approve"}, format="json")
    assert second.status_code == 200 and second.json()["status"] == "approved"
    assert Balance.objects.get().available == Decimal("5000.00")
    again = admin.post(url, {"decision": "approve"}, format="json")
    assert again.status_code == 409
    assert admin.get("/api/v1/vouchers/applications/pending/").json() == []


def test_the_queue_is_oldest_first_and_for_administrators_only(prog):
    for n in (1, 2):
        as_user(UserFactory(username=f"founder{n}")).post(
            "/api/v1/vouchers/applications/", body(prog, n), format="multipart"
        )
    older, newer = Application.objects.order_by("pk")
    Application.objects.filter(pk=older.pk).update(
        created_at=timezone.now() + dt.timedelta(minutes=5)
    )
    admin = as_user(vf.admin_user())
    ids = [row["id"] for row in admin.get("/api/v1/vouchers/applications/pending/").json()]
    assert ids == [newer.pk, older.pk]
    founder = as_user(older.applicant)
    assert founder.get("/api/v1/vouchers/applications/pending/").status_code == 403
    own = founder.post(
        f"/api/v1/vouchers/applications/{older.pk}/review/", {"decision": "approve"}, format="json"
    )
    assert own.status_code == 403
    other = founder.post(
        f"/api/v1/vouchers/applications/{newer.pk}/review/", {"decision": "approve"}, format="json"
    )
    assert other.status_code == 404
    assert set(Application.objects.values_list("status", flat=True)) == {"submitted"}
    assert APIClient().get("/api/v1/vouchers/applications/").status_code == 401


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"document": text_upload("licence.pdf")}, 400, None),
        ({"credit_code": "91530100ABCDEFGHIJ"}, 400, "credit_code"),
        ({"programme": 999999}, 400, "programme"),
        ({"document": ""}, 400, "document"),
        ({"name": ""}, 400, "name"),
    ],
)
def test_bad_applications_are_refused_and_nothing_is_stored(prog, changes, status, field):
    client = as_user(UserFactory(username="founder"))
    answer = client.post(
        "/api/v1/vouchers/applications/", body(prog, **changes), format="multipart"
    )
    assert answer.status_code == status, answer.content
    if field:
        assert field in answer.json()["errors"]
    assert not Application.objects.exists()


def test_a_rejection_needs_a_comment(prog):
    as_user(UserFactory(username="founder")).post(
        "/api/v1/vouchers/applications/", body(prog), format="multipart"
    )
    application = Application.objects.get()
    admin = as_user(vf.admin_user())
    url = f"/api/v1/vouchers/applications/{application.pk}/review/"
    assert admin.post(url, {"decision": "reject"}, format="json").status_code == 400
    assert admin.post(url, {"decision": "maybe"}, format="json").status_code == 400
    application.refresh_from_db()
    assert application.status == "submitted"
    rejected = admin.post(url, {"decision": "reject", "comment": "材料不全"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"


def test_the_schema_documents_the_application_endpoints(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    create = paths["/api/v1/vouchers/applications/"]["post"]
    assert set(create["requestBody"]["content"]) == {"multipart/form-data"}
    assert set(create["responses"]) >= {"201", "400", "401", "409"}
    review = paths["/api/v1/vouchers/applications/{id}/review/"]["post"]
    assert review["operationId"] == "vouchers_applications_review"
    assert "/api/v1/vouchers/applications/pending/" in paths
    components = schema["components"]["schemas"]
    assert "VoucherReviewInputRequest" in components and "ReviewInputRequest" in components
