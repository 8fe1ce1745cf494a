"""入孵申请 through the API: apply, list, detail, the decisions, comments, and who sees what."""

from __future__ import annotations

import pytest
from django.core import mail

from marketplace.notifications.services import send_pending
from marketplace.residency.models import Application, Status
from tests.residency_fixtures import (
    VALID_BODY,
    ApplicationFactory,
    _world,  # noqa: F401 — the `world` fixture
)

pytestmark = pytest.mark.django_db


def apply(api_client, world, **extra):
    api_client.force_authenticate(world.founder)
    return api_client.post(
        f"/api/v1/incubators/{world.incubator.code}/applications/",
        {**VALID_BODY, **extra},
        format="json",
    )


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_applying_answers_201_with_the_id_and_status_submitted(api_client, world):
    response = apply(api_client, world, stage="growth", contact_email="a@b.example")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "submitted"
    assert Application.objects.get(pk=body["id"]).stage == "growth"
    assert "comments" not in body


def test_applying_with_missing_fields_lists_each_one(api_client, world):
    api_client.force_authenticate(world.founder)
    response = api_client.post(
        f"/api/v1/incubators/{world.incubator.code}/applications/", {}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "company_name",
        "contact_name",
        "contact_phone",
        "team_size",
        "business_summary",
    }


def test_an_invalid_credit_code_is_explained(api_client, world):
    response = apply(api_client, world, credit_code="91530100MA6K000001")
    assert response.status_code == 400
    assert "校验位" in response.json()["errors"]["credit_code"][0]


def test_applying_to_an_unknown_or_unpublished_incubator_is_404(api_client, world):
    world.incubator.live = False
    world.incubator.save(update_fields=["live"])
    assert apply(api_client, world).status_code == 404
    api_client.force_authenticate(world.founder)
    response = api_client.post("/api/v1/incubators/NOPE/applications/", VALID_BODY, format="json")
    assert response.status_code == 404


def test_applying_needs_a_login(api_client, world):
    response = api_client.post(
        f"/api/v1/incubators/{world.incubator.code}/applications/", VALID_BODY, format="json"
    )
    assert response.status_code == 401


def test_members_walk_an_application_to_moved_in(api_client, world):
    pk = apply(api_client, world).json()["id"]
    manager = as_user(api_client, world.manager)
    assert manager.post(f"/api/v1/applications/{pk}/review/").json()["status"] == "under_review"
    response = manager.post(
        f"/api/v1/applications/{pk}/accept/", {"workstations": 3}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert response.json()["workstations_allocated"] == 3
    world.incubator.refresh_from_db()
    assert world.incubator.workstations_vacant == 9
    response = manager.post(f"/api/v1/applications/{pk}/move-in/")
    assert response.json()["status"] == "moved_in"
    assert [t["to_status"] for t in response.json()["transitions"]] == [
        "submitted",
        "under_review",
        "accepted",
        "moved_in",
    ]


def test_accepting_more_than_is_free_is_409_with_a_clear_message(api_client, world):
    pk = apply(api_client, world).json()["id"]
    response = as_user(api_client, world.manager).post(
        f"/api/v1/applications/{pk}/accept/", {"workstations": 50}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "not_enough_workstations"
    assert "空余工位不足" in response.json()["detail"]


def test_accepting_without_workstations_is_400(api_client, world):
    pk = apply(api_client, world).json()["id"]
    response = as_user(api_client, world.manager).post(
        f"/api/v1/applications/{pk}/accept/", {}, format="json"
    )
    assert response.status_code == 400
    assert "workstations" in response.json()["errors"]


def test_a_refused_transition_is_409(api_client, world):
    application = ApplicationFactory(incubator=world.incubator, status=Status.REJECTED)
    response = as_user(api_client, world.manager).post(
        f"/api/v1/applications/{application.pk}/move-in/"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"


def test_rejecting_needs_a_reason(api_client, world):
    pk = apply(api_client, world).json()["id"]
    manager = as_user(api_client, world.manager)
    assert manager.post(f"/api/v1/applications/{pk}/reject/", {}, format="json").status_code == 400
    response = manager.post(
        f"/api/v1/applications/{pk}/reject/", {"reason": "方向不符"}, format="json"
    )
    assert response.json()["status"] == "rejected"
    assert response.json()["decision_reason"] == "方向不符"


def test_the_applicant_withdraws_but_may_not_decide(api_client, world):
    pk = apply(api_client, world).json()["id"]
    founder = as_user(api_client, world.founder)
    response = founder.post(
        f"/api/v1/applications/{pk}/accept/", {"workstations": 1}, format="json"
    )
    assert response.status_code == 403
    assert founder.post(f"/api/v1/applications/{pk}/withdraw/").json()["status"] == "withdrawn"


ENDPOINTS = [
    ("get", "/api/v1/applications/{pk}/", None),
    ("post", "/api/v1/applications/{pk}/review/", None),
    ("post", "/api/v1/applications/{pk}/accept/", {"workstations": 1}),
    ("post", "/api/v1/applications/{pk}/reject/", {"reason": "x"}),
    ("post", "/api/v1/applications/{pk}/withdraw/", None),
    ("post", "/api/v1/applications/{pk}/move-in/", None),
    ("post", "/api/v1/applications/{pk}/comments/", {"text": "x"}),
    ("get", "/api/v1/applications/{pk}/business-plan/", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
@pytest.mark.parametrize("who", ["stranger", "other_manager"])
def test_other_users_and_other_institutions_get_404_everywhere(
    api_client, world, method, path, body, who
):
    application = ApplicationFactory(incubator=world.incubator, applicant=world.founder)
    client = as_user(api_client, getattr(world, who))
    response = getattr(client, method)(path.format(pk=application.pk), body, format="json")
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert not application.comments.exists()


def test_the_list_shows_own_applications_to_the_applicant_and_the_institutions_to_members(
    api_client, world
):
    mine = ApplicationFactory(incubator=world.incubator, applicant=world.founder)
    ApplicationFactory(incubator=world.other_incubator)
    ids = lambda user: [  # noqa: E731
        row["id"]
        for row in as_user(api_client, user).get("/api/v1/applications/").json()["results"]
    ]
    assert ids(world.founder) == [mine.pk]
    assert ids(world.staff) == [mine.pk]
    assert ids(world.stranger) == []
    assert len(ids(world.other_manager)) == 1 and ids(world.other_manager) != [mine.pk]


def test_the_list_filters_by_status(api_client, world):
    ApplicationFactory(incubator=world.incubator, status=Status.REJECTED)
    wanted = ApplicationFactory(incubator=world.incubator, status=Status.UNDER_REVIEW)
    response = as_user(api_client, world.manager).get("/api/v1/applications/?status=under_review")
    assert [row["id"] for row in response.json()["results"]] == [wanted.pk]


def test_the_list_endpoint_query_count_does_not_grow_with_the_rows(
    api_client, world, django_assert_num_queries
):
    ApplicationFactory.create_batch(15, incubator=world.incubator)
    client = as_user(api_client, world.manager)
    # moderator check, member institutions, count, page
    with django_assert_num_queries(4):
        response = client.get("/api/v1/applications/?page_size=50")
    assert response.json()["count"] == 15


def test_internal_comments_are_shown_to_members_and_never_to_the_applicant(api_client, world):
    pk = apply(api_client, world).json()["id"]
    manager = as_user(api_client, world.manager)
    response = manager.post(
        f"/api/v1/applications/{pk}/comments/", {"text": "内部：估值偏高"}, format="json"
    )
    assert response.status_code == 201
    assert [c["text"] for c in manager.get(f"/api/v1/applications/{pk}/").json()["comments"]] == [
        "内部：估值偏高"
    ]
    manager.post(f"/api/v1/applications/{pk}/accept/", {"workstations": 2}, format="json")
    founder = as_user(api_client, world.founder)
    seen = [
        founder.get(f"/api/v1/applications/{pk}/"),
        founder.get("/api/v1/applications/"),
        founder.post(f"/api/v1/applications/{pk}/withdraw/"),
    ]
    for response in seen:
        assert "估值偏高" not in response.content.decode()
        assert "comments" not in response.content.decode()
    response = founder.post(f"/api/v1/applications/{pk}/comments/", {"text": "x"}, format="json")
    assert response.status_code == 403
    mail.outbox.clear()
    send_pending()
    assert mail.outbox
    assert all("估值偏高" not in m.subject + m.body for m in mail.outbox)


def test_the_schema_documents_every_residency_operation(api_client):
    schema = api_client.get("/api/v1/schema/?format=json").json()
    operation_ids = {
        operation["operationId"]
        for path in schema["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    assert {
        "residency_apply",
        "residency_applications_list",
        "residency_applications_retrieve",
        "residency_applications_review",
        "residency_applications_accept",
        "residency_applications_reject",
        "residency_applications_withdraw",
        "residency_applications_move_in",
        "residency_applications_comment",
        "residency_applications_business_plan",
    } <= operation_ids
    accept = schema["paths"]["/api/v1/applications/{id}/accept/"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(accept)
