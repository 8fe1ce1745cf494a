"""Security finding 5: publishing a revision never puts workstations back on offer.

The vacancy is a live counter (catalogue.IncubatorCapacity) outside the revisioned listing:
the issue's sequence is replayed through the Wagtail admin, the residency API and the public
pages; the counter's own admin action, the import rule and the cap at a lowered total too.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from marketplace.accounts.models import User
from marketplace.accounts.permissions import MODERATORS_GROUP
from marketplace.catalogue.importer import import_catalogue
from marketplace.catalogue.models import Incubator
from tests.factories import IncubatorFactory, UserFactory
from tests.residency_fixtures import VALID_BODY

pytestmark = pytest.mark.django_db


def incubator_form(incubator, **overrides) -> dict:
    """What the admin's edit form posts for the incubator (no vacancy: it is not in the form)."""
    data = {
        "code": incubator.code,
        "institution": str(incubator.institution_id),
        "name": incubator.name,
        "type": incubator.type,
        "level": incubator.level,
        "region": incubator.region,
        "county": "",
        "address": "昆明市呈贡区",
        "lat": "25.04",
        "lng": "102.71",
        "operator": "",
        "established_on": "",
        "floor_area_m2": "",
        "incubated_companies": "3",
        "workstations_total": str(incubator.workstations_total),
        "offices_total": str(incubator.offices_total),
        "services": "[]",
        "focus_industries": "[]",
        "description": "",
        "website": "",
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def cast():
    incubator = IncubatorFactory(
        code="YN.KM-MAKER_36", name="呈贡众创空间", workstations_total=40, workstations_vacant=36
    )
    UserFactory(username="maker-manager")
    call_command("grant_role", "maker-manager", incubator.institution.code, "manager")
    manager = User.objects.get(username="maker-manager")
    reviewer = UserFactory(username="reviewer")
    reviewer.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    founder = UserFactory(username="founder")
    return incubator, manager, reviewer, founder


def public_vacancy(code: str) -> int:
    return APIClient().get(f"/api/v1/incubators/{code}/").json()["workstations_vacant"]


def edit_url(incubator) -> str:
    return reverse(Incubator.snippet_viewset.get_url_name("edit"), args=[incubator.pk])


def test_publishing_an_edit_submitted_before_an_acceptance_keeps_the_vacancy(client, cast):
    incubator, manager, reviewer, founder = cast
    assert public_vacancy(incubator.code) == 36

    # A member submits an edit of the listing for moderation.
    client.force_login(manager)
    response = client.post(
        edit_url(incubator),
        {**incubator_form(incubator, description="新增路演厅。"), "action-submit": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    incubator.refresh_from_db()
    assert incubator.workflow_in_progress

    # Meanwhile an application is accepted for 5 workstations: 36 → 31.
    api = APIClient()
    api.force_authenticate(founder)
    pk = api.post(
        f"/api/v1/incubators/{incubator.code}/applications/", VALID_BODY, format="json"
    ).json()["id"]
    api.force_authenticate(manager)
    response = api.post(f"/api/v1/applications/{pk}/accept/", {"workstations": 5}, format="json")
    assert response.status_code == 200, response.content
    assert public_vacancy(incubator.code) == 31

    # A 资源审核员 approves the edit, which publishes the revision made when it was still 36.
    client.force_login(reviewer)
    task_state = incubator.current_workflow_state.current_task_state
    response = client.post(
        reverse(
            Incubator.snippet_viewset.get_url_name("workflow_action"),
            args=[incubator.pk, "approve", task_state.pk],
        ),
        {"comment": "同意"},
    )
    assert response.status_code in (200, 302)
    incubator.refresh_from_db()
    assert incubator.live and not incubator.has_unpublished_changes
    assert incubator.description == "新增路演厅。"

    # Still 31 everywhere a user looks.
    assert public_vacancy(incubator.code) == 31
    client.logout()
    page = client.get(f"/incubators/{incubator.code}/").content.decode()
    assert "<strong>31</strong>" in page
    # And publishing the oldest revision again does not write 36 back either.
    incubator.revisions.order_by("created_at").first().publish(user=reviewer)
    assert public_vacancy(incubator.code) == 31


def test_the_edit_form_shows_the_live_vacancy_read_only_and_ignores_a_posted_one(client, cast):
    incubator, manager, _reviewer, _founder = cast
    client.force_login(manager)
    html = client.get(edit_url(incubator)).content.decode()
    assert 'name="workstations_vacant"' not in html
    assert "空余工位 36 / 40" in html
    assert reverse("catalogue_incubator_vacancy", args=[incubator.pk]) in html
    client.post(
        edit_url(incubator),
        {**incubator_form(incubator), "workstations_vacant": "0", "action-submit": "1"},
    )
    assert public_vacancy(incubator.code) == 36


def test_members_set_the_vacancy_with_the_separate_action_at_once(client, cast):
    incubator, manager, _reviewer, _founder = cast
    url = reverse("catalogue_incubator_vacancy", args=[incubator.pk])
    client.force_login(manager)
    assert client.get(url).status_code == 200
    response = client.post(url, {"workstations_vacant": "20", "offices_vacant": "0"})
    assert response.status_code == 302
    assert public_vacancy(incubator.code) == 20
    # Not more than the total: the form says so, nothing changes.
    response = client.post(url, {"workstations_vacant": "41", "offices_vacant": "0"})
    assert response.status_code == 400
    assert "空余工位不能多于总数 40" in response.content.decode()
    assert public_vacancy(incubator.code) == 20
    response = client.post(url, {"workstations_vacant": "-1", "offices_vacant": "x"})
    assert response.status_code == 400
    assert public_vacancy(incubator.code) == 20


def test_another_institutions_member_cannot_reach_the_vacancy_action(client, cast):
    incubator, _manager, _reviewer, _founder = cast
    other = IncubatorFactory(name="洱海孵化器")
    UserFactory(username="other-member")
    call_command("grant_role", "other-member", other.institution.code, "manager")
    stranger = User.objects.get(username="other-member")
    client.force_login(stranger)
    url = reverse("catalogue_incubator_vacancy", args=[incubator.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"workstations_vacant": "0", "offices_vacant": "0"}).status_code == 404
    assert public_vacancy(incubator.code) == 36


def test_publishing_a_lower_total_caps_the_live_vacancy(client, cast):
    incubator, manager, reviewer, _founder = cast
    client.force_login(reviewer)
    response = client.post(
        edit_url(incubator),
        {**incubator_form(incubator, workstations_total="30"), "action-publish": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    body = APIClient().get(f"/api/v1/incubators/{incubator.code}/").json()
    assert (body["workstations_total"], body["workstations_vacant"]) == (30, 30)


DEMO = Path(settings.BASE_DIR) / "data" / "demo-catalogue.json"


def test_import_sets_the_vacancy_of_new_incubators_and_keeps_live_counts_on_reimport():
    demo = json.loads(DEMO.read_text(encoding="utf-8"))
    record = next(r for r in demo["incubators"] if r.get("published"))
    assert import_catalogue(demo).ok
    assert public_vacancy(record["code"]) == record["workstations_vacant"]

    # Workflows change the live count; a re-import with a changed record keeps it.
    incubator = Incubator.objects.get(code=record["code"])
    incubator.capacity.workstations_vacant = 1
    incubator.capacity.save()
    changed = copy.deepcopy(demo)
    again = next(r for r in changed["incubators"] if r["code"] == record["code"])
    again["description"] = "重新导入的简介。"
    again["workstations_vacant"] = again["workstations_total"]
    report = import_catalogue(changed)
    assert report.ok and report.updated["incubators"] == 1
    assert public_vacancy(record["code"]) == 1

    # A re-import that lowers the total below the live count caps it.
    again["workstations_total"] = 0
    again["workstations_vacant"] = 0
    assert import_catalogue(changed).ok
    assert public_vacancy(record["code"]) == 0
