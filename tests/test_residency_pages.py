"""入孵申请 pages: the apply form, my applications, the queue, the detail and its actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketplace.notifications.models import Notification
from marketplace.residency.models import Application, Status
from tests.residency_fixtures import (
    VALID_BODY,
    ApplicationFactory,
    _world,  # noqa: F401 — the `world` fixture
    pdf_upload,
)

pytestmark = pytest.mark.django_db


def test_the_apply_page_shows_the_incubator_and_its_vacancies(client, world):
    client.force_login(world.founder)
    response = client.get(reverse("residency:apply", args=[world.incubator.code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "滇池创客空间" in page and "12 / 100" in page


def test_the_apply_page_needs_a_login(client, world):
    response = client.get(reverse("residency:apply", args=[world.incubator.code]))
    assert response.status_code == 302


def test_applying_on_the_page_with_a_pdf_leads_to_the_application(client, world):
    client.force_login(world.founder)
    response = client.post(
        reverse("residency:apply", args=[world.incubator.code]),
        {**VALID_BODY, "stage": "prototype", "business_plan": pdf_upload()},
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("residency:detail", args=[application.pk])
    assert application.business_plan
    page = client.get(response["Location"]).content.decode()
    assert "已提交" in page and reverse("residency:business_plan", args=[application.pk]) in page


def test_the_form_keeps_what_was_typed_and_explains_the_error(client, world):
    client.force_login(world.founder)
    response = client.post(
        reverse("residency:apply", args=[world.incubator.code]),
        {**VALID_BODY, "team_size": "0", "credit_code": "91530100MA6K000001"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="昆明星火科技有限公司"' in page
    assert 'value="13800000000"' in page
    assert "校验位" in page
    assert not Application.objects.exists()


def test_an_unpublished_incubator_has_no_apply_page(client, world):
    world.incubator.live = False
    world.incubator.save(update_fields=["live"])
    client.force_login(world.founder)
    assert client.get(reverse("residency:apply", args=[world.incubator.code])).status_code == 404


def test_my_applications_lists_only_mine_with_a_pinned_query_count(
    client, world, django_assert_num_queries
):
    ApplicationFactory.create_batch(5, incubator=world.incubator, applicant=world.founder)
    ApplicationFactory(incubator=world.incubator, company_name="别人的公司")
    client.force_login(world.founder)
    # session, user, count, page, and base.html's unread-notices badge with its permission
    # lookup (one query: marketplace.signed_in, issue 17)
    with django_assert_num_queries(5):
        response = client.get(reverse("residency:mine"))
    page = response.content.decode()
    assert page.count("滇池创客空间") == 5
    assert "别人的公司" not in page


def test_the_queue_shows_the_institutions_applications_filtered_by_status(
    client, world, django_assert_num_queries
):
    ApplicationFactory.create_batch(4, incubator=world.incubator, status=Status.SUBMITTED)
    ApplicationFactory(incubator=world.incubator, status=Status.REJECTED, company_name="已拒公司")
    ApplicationFactory(incubator=world.other_incubator, company_name="外单位公司")
    client.force_login(world.manager)
    # session, user, moderator check, member institutions, count, page, and base.html's
    # unread-notices badge with its permissions (one query: marketplace.signed_in, issue 17)
    with django_assert_num_queries(7):
        response = client.get(reverse("residency:queue"))
    page = response.content.decode()
    assert "已拒公司" in page and "外单位公司" not in page
    filtered = client.get(reverse("residency:queue") + "?status=submitted").content.decode()
    assert "已拒公司" not in filtered


def test_the_queue_is_404_for_people_without_an_institution(client, world):
    client.force_login(world.founder)
    assert client.get(reverse("residency:queue")).status_code == 404


def test_members_review_accept_and_move_in_from_the_detail_page(client, world):
    application = ApplicationFactory(incubator=world.incubator, applicant=world.founder)
    client.force_login(world.manager)
    act = lambda action, **data: client.post(  # noqa: E731
        reverse("residency:act", args=[application.pk, action]), data
    )
    assert act("review").status_code == 302
    assert act("accept", workstations="4", reason="团队完整").status_code == 302
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED
    world.incubator.refresh_from_db()
    assert world.incubator.workstations_vacant == 8
    act("move_in")
    application.refresh_from_db()
    assert application.status == Status.MOVED_IN
    page = client.get(reverse("residency:detail", args=[application.pk])).content.decode()
    assert "已入驻" in page and "团队完整" in page


def test_accepting_too_many_on_the_page_shows_the_conflict(client, world):
    application = ApplicationFactory(incubator=world.incubator)
    client.force_login(world.manager)
    response = client.post(
        reverse("residency:act", args=[application.pk, "accept"]),
        {"workstations": "99"},
        follow=True,
    )
    assert "空余工位不足" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_an_invalid_workstation_number_redisplays_the_form_with_an_error(client, world):
    application = ApplicationFactory(incubator=world.incubator)
    client.force_login(world.manager)
    response = client.post(
        reverse("residency:act", args=[application.pk, "accept"]), {"workstations": "abc"}
    )
    assert response.status_code == 400
    assert 'value="abc"' in response.content.decode() or "errorlist" in response.content.decode()


def test_the_applicant_withdraws_from_the_detail_page(client, world):
    application = ApplicationFactory(incubator=world.incubator, applicant=world.founder)
    client.force_login(world.founder)
    client.post(reverse("residency:act", args=[application.pk, "withdraw"]))
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    assert Notification.objects.filter(user=world.manager).count() == 1


def test_internal_comments_appear_for_members_and_never_on_the_applicants_page(client, world):
    application = ApplicationFactory(incubator=world.incubator, applicant=world.founder)
    client.force_login(world.staff)
    client.post(
        reverse("residency:act", args=[application.pk, "comment"]), {"text": "内部：先查征信"}
    )
    assert (
        "内部：先查征信"
        in client.get(reverse("residency:detail", args=[application.pk])).content.decode()
    )
    client.force_login(world.founder)
    for url in (reverse("residency:detail", args=[application.pk]), reverse("residency:mine")):
        page = client.get(url).content.decode()
        assert "先查征信" not in page
        assert "internal-comments" not in page


@pytest.mark.parametrize("who", ["stranger", "other_manager"])
@pytest.mark.parametrize("action", ["review", "accept", "reject", "withdraw", "move_in", "comment"])
def test_other_users_and_institutions_get_404_on_every_page_and_action(client, world, who, action):
    application = ApplicationFactory(incubator=world.incubator, applicant=world.founder)
    client.force_login(getattr(world, who))
    assert client.get(reverse("residency:detail", args=[application.pk])).status_code == 404
    assert client.get(reverse("residency:business_plan", args=[application.pk])).status_code == 404
    response = client.post(
        reverse("residency:act", args=[application.pk, action]),
        {"workstations": "1", "reason": "x", "text": "x"},
    )
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_the_applicant_trying_a_members_action_is_refused(client, world):
    # The applicant reads the application, so a members' action is refused on the page (as
    # every workflow's act view does), not hidden behind a 404.
    application = ApplicationFactory(incubator=world.incubator, applicant=world.founder)
    client.force_login(world.founder)
    response = client.post(
        reverse("residency:act", args=[application.pk, "accept"]),
        {"workstations": "1"},
        follow=True,
    )
    assert "只有孵化载体的管理单位可以执行此操作" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
