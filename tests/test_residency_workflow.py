"""入孵申请 workflow through the services: every transition, vacancies, notices, comments."""

from __future__ import annotations

import pytest
from django.core import mail

from marketplace.catalogue.models import Incubator
from marketplace.notifications.models import Notification
from marketplace.notifications.services import send_pending
from marketplace.residency import services
from marketplace.residency.models import Application, ApplicationTransition, Status
from marketplace.workflow import Conflict, Forbidden, NotFound, RuleError
from tests.residency_fixtures import (
    VALID_BODY,
    ApplicationFactory,
    _world,  # noqa: F401 — the `world` fixture
)

pytestmark = pytest.mark.django_db

TARGETS = [
    Status.UNDER_REVIEW,
    Status.ACCEPTED,
    Status.REJECTED,
    Status.WITHDRAWN,
    Status.MOVED_IN,
]


def perform(world, application, target):
    """The one service call that moves an application to `target`, made by the right person."""
    if target == Status.UNDER_REVIEW:
        return services.start_review(application, world.manager)
    if target == Status.ACCEPTED:
        return services.accept(application, world.manager, 2, "团队完整")
    if target == Status.REJECTED:
        return services.reject(application, world.manager, "方向不符")
    if target == Status.WITHDRAWN:
        return services.withdraw(application, world.founder)
    return services.mark_moved_in(application, world.manager)


def application_in(world, status):
    allocated = 2 if status in (Status.ACCEPTED, Status.MOVED_IN) else 0
    return ApplicationFactory(
        incubator=world.incubator,
        applicant=world.founder,
        status=status,
        workstations_allocated=allocated,
    )


ALLOWED = [
    (source, target) for source, targets in services.TRANSITIONS.items() for target in targets
]
REFUSED = [
    (source, target)
    for source in Status.values
    for target in TARGETS
    if target not in services.TRANSITIONS[source]
]


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_every_allowed_transition_changes_the_status_and_logs_one_row(world, source, target):
    application = application_in(world, source)
    perform(world, application, target)
    application.refresh_from_db()
    assert application.status == target
    log = list(ApplicationTransition.objects.filter(application=application))
    assert [(row.from_status, row.to_status) for row in log] == [(source, target)]


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_every_other_transition_is_refused_with_409_and_changes_nothing(world, source, target):
    application = application_in(world, source)
    with pytest.raises(Conflict) as refusal:
        perform(world, application, target)
    assert refusal.value.http_status == 409
    application.refresh_from_db()
    assert application.status == source
    assert not ApplicationTransition.objects.filter(application=application).exists()
    world.incubator.refresh_from_db()
    assert world.incubator.workstations_vacant == 12


def test_submitting_creates_a_submitted_application_and_tells_the_institution_once(world):
    application = services.submit_application(world.founder, world.incubator, VALID_BODY)
    assert application.status == Status.SUBMITTED
    assert application.transitions.get().to_status == Status.SUBMITTED
    notices = Notification.objects.filter(url=f"/residency/applications/{application.pk}/")
    assert sorted(n.user.username for n in notices) == ["incubator-manager", "incubator-staff"]


def test_applying_to_an_unpublished_incubator_is_not_found(world):
    Incubator.objects.filter(pk=world.incubator.pk).update(live=False)
    world.incubator.refresh_from_db()
    with pytest.raises(NotFound):
        services.submit_application(world.founder, world.incubator, VALID_BODY)


def test_a_second_open_application_to_the_same_incubator_is_refused(world):
    services.submit_application(world.founder, world.incubator, VALID_BODY)
    with pytest.raises(Conflict):
        services.submit_application(world.founder, world.incubator, VALID_BODY)
    assert Application.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("team_size", 0), ("team_size", 10**6), ("credit_code", "91530100MA6K000001"), ("stage", "x")],
)
def test_invalid_application_data_is_refused_with_400(world, field, value):
    with pytest.raises(RuleError):
        services.submit_application(world.founder, world.incubator, {**VALID_BODY, field: value})
    assert not Application.objects.exists()


def test_accepting_takes_the_workstations_from_the_public_vacancy(world):
    application = application_in(world, Status.UNDER_REVIEW)
    services.accept(application, world.manager, 5)
    world.incubator.refresh_from_db()
    application.refresh_from_db()
    assert world.incubator.workstations_vacant == 7
    assert application.workstations_allocated == 5


def test_accepting_more_workstations_than_are_free_is_refused_with_409(world):
    application = application_in(world, Status.UNDER_REVIEW)
    with pytest.raises(Conflict) as refusal:
        services.accept(application, world.manager, 13)
    assert refusal.value.code == "not_enough_workstations"
    assert "13" in refusal.value.message and "12" in refusal.value.message
    world.incubator.refresh_from_db()
    application.refresh_from_db()
    assert world.incubator.workstations_vacant == 12
    assert application.status == Status.UNDER_REVIEW


def test_accepting_the_last_free_workstations_leaves_zero_and_the_next_is_refused(world):
    first, second = (
        application_in(world, Status.SUBMITTED),
        ApplicationFactory(incubator=world.incubator),
    )
    services.accept(first, world.manager, 12)
    with pytest.raises(Conflict):
        services.accept(second, world.manager, 1)
    world.incubator.refresh_from_db()
    assert world.incubator.workstations_vacant == 0


@pytest.mark.parametrize("workstations", [0, -1, "3", True])
def test_accepting_needs_a_positive_whole_number_of_workstations(world, workstations):
    application = application_in(world, Status.SUBMITTED)
    with pytest.raises(RuleError):
        services.accept(application, world.manager, workstations)


def test_withdrawing_an_accepted_application_gives_the_workstations_back(world):
    application = application_in(world, Status.UNDER_REVIEW)
    services.accept(application, world.manager, 4)
    services.withdraw(application, world.founder)
    world.incubator.refresh_from_db()
    application.refresh_from_db()
    assert world.incubator.workstations_vacant == 12
    assert application.workstations_allocated == 0


def test_rejecting_needs_a_reason_that_the_applicant_then_sees(world):
    application = application_in(world, Status.UNDER_REVIEW)
    with pytest.raises(RuleError):
        services.reject(application, world.manager, "  ")
    services.reject(application, world.manager, "方向与本载体不符")
    application.refresh_from_db()
    assert application.decision_reason == "方向与本载体不符"


def test_only_the_applicant_may_withdraw_and_only_members_may_decide(world):
    application = application_in(world, Status.SUBMITTED)
    with pytest.raises(Forbidden):
        services.withdraw(application, world.manager)
    for act in (
        lambda who: services.start_review(application, who),
        lambda who: services.accept(application, who, 1),
        lambda who: services.reject(application, who, "no"),
        lambda who: services.add_comment(application, who, "x"),
    ):
        for who in (world.founder, world.other_manager):
            with pytest.raises(Forbidden):
                act(who)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_others_cannot_even_find_the_application(world):
    application = application_in(world, Status.SUBMITTED)
    for who in (world.stranger, world.other_manager):
        with pytest.raises(NotFound):
            services.get_application_for(who, application.pk)
    assert services.get_application_for(world.staff, application.pk) == application


def test_each_transition_sends_exactly_one_notice_to_each_recipient(world):
    application = services.submit_application(world.founder, world.incubator, VALID_BODY)
    services.start_review(application, world.manager)
    services.accept(application, world.manager, 2)
    services.mark_moved_in(application, world.manager)
    url = f"/residency/applications/{application.pk}/"
    founder = Notification.objects.filter(user=world.founder, url=url)
    manager = Notification.objects.filter(user=world.manager, url=url)
    assert founder.count() == 3  # under review, accepted, moved in
    assert manager.count() == 1  # the new application
    assert Notification.objects.filter(url=url).count() == 5  # + the staff member's one


def test_internal_comments_never_reach_the_applicant_by_notice_or_email(world):
    application = services.submit_application(world.founder, world.incubator, VALID_BODY)
    before = Notification.objects.count()
    services.add_comment(application, world.manager, "内部意见：财务数据存疑")
    assert Notification.objects.count() == before
    services.reject(application, world.manager, "暂不符合入孵条件")
    mail.outbox.clear()
    send_pending()
    founder_mail = [m for m in mail.outbox if "founder@startup.example" in m.to]
    assert len(founder_mail) == 1
    everything = "".join(m.subject + m.body for m in mail.outbox)
    assert "财务数据存疑" not in everything
    assert "暂不符合入孵条件" not in founder_mail[0].subject  # the notice names the decision only
    assert not Notification.objects.filter(message__contains="财务数据存疑").exists()


def test_visible_to_lists_own_and_institution_applications_only(world):
    mine = application_in(world, Status.SUBMITTED)
    elsewhere = ApplicationFactory(incubator=world.other_incubator)
    assert list(Application.objects.visible_to(world.founder)) == [mine]
    assert list(Application.objects.visible_to(world.staff)) == [mine]
    assert list(Application.objects.visible_to(world.other_manager)) == [elsewhere]
    assert list(Application.objects.visible_to(world.stranger)) == []


def test_a_full_incubator_leaves_the_vacancy_search_at_once(world, client):
    from search.indexing import enqueue

    enqueue([f"incubator:{world.incubator.pk}"])

    def vacant_codes():
        response = client.get("/api/v1/search/", {"kind": "incubator", "vacancy": "yes"})
        return [hit["code"] for hit in response.json()["results"]]

    assert world.incubator.code in vacant_codes()
    services.accept(application_in(world, Status.SUBMITTED), world.manager, 12)
    assert world.incubator.code not in vacant_codes()
