"""The inquiry workflow through its services and API: transitions allowed and refused, the
deal's rules, who sees which thread, and who hears about what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from marketplace.inquiries import services
from marketplace.inquiries.models import Inquiry, InquiryMessage, Status
from marketplace.notifications.models import Notification
from marketplace.notifications.services import send_pending
from marketplace.workflow import Conflict, Forbidden, NotFound, RuleError
from tests.factories import TechnologyFactory
from tests.inquiries_fixtures import build_inquiry_world, fresh

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def inquiry_world(db):
    return build_inquiry_world()


def opened(world, message="我们希望获得该工艺的许可。"):
    return services.open_inquiry(world.inquirer, world.technology, message, "license")


def negotiating(world):
    inquiry = opened(world)
    services.post_message(inquiry, world.manager, "欢迎，请提供贵公司简介。")
    inquiry.refresh_from_db()
    return inquiry


def agreed(world):
    inquiry = negotiating(world)
    return services.record_deal(inquiry, world.manager, "license", "150000.00", TODAY, "")


def api(client, user):
    client.force_authenticate(user)
    return client


# --- Opening -------------------------------------------------------------------------------


def test_an_inquiry_opens_with_its_first_message_in_the_thread(inquiry_world):
    inquiry = opened(inquiry_world)
    assert inquiry.status == Status.OPEN
    assert [m.body for m in inquiry.messages.all()] == ["我们希望获得该工艺的许可。"]
    assert [(t.from_status, t.to_status) for t in inquiry.transitions.all()] == [("", "open")]


def test_a_mode_the_listing_does_not_offer_is_refused_with_400(inquiry_world, api_client):
    response = api(api_client, inquiry_world.inquirer).post(
        "/api/v1/technologies/YLU.TEC-01/inquiries/",
        {"message": "作价入股可以吗？", "intended_mode": "equity"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "mode_not_offered"
    assert not Inquiry.objects.exists()


def test_an_empty_message_is_refused_with_400(inquiry_world, api_client):
    response = api(api_client, inquiry_world.inquirer).post(
        "/api/v1/technologies/YLU.TEC-01/inquiries/",
        {"message": "   ", "intended_mode": "license"},
        format="json",
    )
    assert response.status_code == 400
    assert not Inquiry.objects.exists()


def test_the_api_creates_an_open_inquiry_with_201(inquiry_world, api_client):
    response = api(api_client, inquiry_world.inquirer).post(
        "/api/v1/technologies/YLU.TEC-01/inquiries/",
        {"message": "我们希望获得许可。", "intended_mode": "license"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "open"
    assert response.json()["id"] == Inquiry.objects.get().pk


def test_unknown_and_unpublished_technologies_are_404(inquiry_world, api_client):
    TechnologyFactory(
        code="DRAFT.TEC", institution=inquiry_world.technology.institution, live=False
    )
    client = api(api_client, inquiry_world.inquirer)
    for code in ("NO.SUCH", "DRAFT.TEC"):
        response = client.post(
            f"/api/v1/technologies/{code}/inquiries/",
            {"message": "hi", "intended_mode": "license"},
            format="json",
        )
        assert response.status_code == 404
    assert not Inquiry.objects.exists()


def test_a_member_cannot_inquire_on_their_own_listing_403(inquiry_world, api_client):
    response = api(api_client, inquiry_world.manager).post(
        "/api/v1/technologies/YLU.TEC-01/inquiries/",
        {"message": "hi", "intended_mode": "license"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "own_listing"


def test_a_second_active_inquiry_on_the_same_listing_is_409_but_after_closing_one_may_reopen(
    inquiry_world,
):
    first = opened(inquiry_world)
    with pytest.raises(Conflict):
        opened(inquiry_world)
    services.close(first, inquiry_world.inquirer)
    assert opened(inquiry_world).status == Status.OPEN


def test_anonymous_api_callers_get_401(api_client, inquiry_world):
    assert api_client.get("/api/v1/inquiries/").status_code == 401
    response = api_client.post(
        "/api/v1/technologies/YLU.TEC-01/inquiries/",
        {"message": "hi", "intended_mode": "license"},
        format="json",
    )
    assert response.status_code == 401


# --- Transitions ---------------------------------------------------------------------------


def test_the_institutions_first_reply_moves_open_to_negotiating(inquiry_world):
    inquiry = negotiating(inquiry_world)
    assert inquiry.status == Status.NEGOTIATING
    assert [t.to_status for t in inquiry.transitions.all()] == ["open", "negotiating"]


def test_the_inquirers_own_follow_up_keeps_the_inquiry_open(inquiry_world):
    inquiry = opened(inquiry_world)
    services.post_message(inquiry, inquiry_world.inquirer, "补充：我们在昆明有生产线。")
    inquiry.refresh_from_db()
    assert inquiry.status == Status.OPEN
    assert inquiry.messages.count() == 2


def test_either_side_may_close_an_open_or_negotiating_inquiry_with_a_reason(inquiry_world):
    first = services.close(opened(inquiry_world), inquiry_world.inquirer, "预算不足")
    assert (first.status, first.closed_reason) == (Status.CLOSED, "预算不足")
    second = services.close(negotiating(inquiry_world), inquiry_world.manager)
    assert second.status == Status.CLOSED
    assert [t.to_status for t in second.transitions.all()] == ["open", "negotiating", "closed"]


def test_a_member_records_the_deal_from_negotiating(inquiry_world):
    inquiry = negotiating(inquiry_world)
    services.record_deal(
        inquiry, inquiry_world.colleague, "transfer", "880000.50", TODAY, "2026530101000123"
    )
    inquiry.refresh_from_db()
    assert inquiry.status == Status.AGREED
    assert inquiry.deal_mode == "transfer"
    assert inquiry.deal_amount == Decimal("880000.50")
    assert inquiry.contract_date == TODAY
    assert inquiry.contract_registration_no == "2026530101000123"


def test_an_open_inquiry_cannot_jump_to_agreed_409(inquiry_world):
    inquiry = opened(inquiry_world)
    with pytest.raises(Conflict):
        services.record_deal(inquiry, inquiry_world.manager, "license", "1.00", TODAY)
    inquiry.refresh_from_db()
    assert inquiry.status == Status.OPEN and inquiry.deal_amount is None


@pytest.mark.parametrize("finish", ["agreed", "closed"])
def test_nothing_moves_once_agreed_or_closed_409(inquiry_world, finish):
    inquiry = (
        agreed(inquiry_world)
        if finish == "agreed"
        else services.close(opened(inquiry_world), inquiry_world.inquirer)
    )
    world = inquiry_world
    attempts = [
        lambda: services.post_message(inquiry, world.manager, "还在吗？"),
        lambda: services.post_message(inquiry, world.inquirer, "还在吗？"),
        lambda: services.close(inquiry, world.manager),
        lambda: services.close(inquiry, world.inquirer),
        lambda: services.record_deal(inquiry, world.manager, "license", "1.00", TODAY),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict):
            attempt()
    inquiry.refresh_from_db()
    assert inquiry.status == finish


def test_replies_after_the_end_are_409_through_the_api(inquiry_world, api_client):
    inquiry = agreed(inquiry_world)
    response = api(api_client, inquiry_world.manager).post(
        f"/api/v1/inquiries/{inquiry.pk}/reply/", {"message": "再联系"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "inquiry_finished"
    response = api_client.post(f"/api/v1/inquiries/{inquiry.pk}/close/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"


def test_the_api_walks_an_inquiry_from_open_to_agreed(inquiry_world, api_client):
    client = api(api_client, inquiry_world.inquirer)
    pk = client.post(
        "/api/v1/technologies/YLU.TEC-01/inquiries/",
        {"message": "希望许可。", "intended_mode": "license"},
        format="json",
    ).json()["id"]
    client = api(api_client, inquiry_world.manager)
    body = client.post(
        f"/api/v1/inquiries/{pk}/reply/", {"message": "可以，请来面谈。"}, format="json"
    ).json()
    assert body["status"] == "negotiating"
    assert [(m["author"], m["from_institution"]) for m in body["messages"]] == [
        ("buyer", False),
        ("tto", True),
    ]
    response = client.post(
        f"/api/v1/inquiries/{pk}/agree/",
        {"mode": "license", "amount": "150000.00", "contract_date": TODAY.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "agreed"
    assert response.json()["deal"] == {
        "mode": "license",
        "amount": {"amount": "150000.00", "currency": "CNY"},
        "contract_date": TODAY.isoformat(),
        "registration_no": "",
    }
    assert [t["to_status"] for t in response.json()["transitions"]] == [
        "open",
        "negotiating",
        "agreed",
    ]


def test_the_inquirer_posts_to_the_thread_through_the_reply_endpoint(inquiry_world, api_client):
    inquiry = opened(inquiry_world)
    response = api(api_client, inquiry_world.inquirer).post(
        f"/api/v1/inquiries/{inquiry.pk}/reply/", {"message": "补充材料见附件说明。"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "open"
    assert len(response.json()["messages"]) == 2


def test_the_inquirer_may_not_record_the_deal_or_grant_access_403(inquiry_world, api_client):
    inquiry = negotiating(inquiry_world)
    client = api(api_client, inquiry_world.inquirer)
    response = client.post(
        f"/api/v1/inquiries/{inquiry.pk}/agree/",
        {"mode": "license", "amount": "1.00", "contract_date": TODAY.isoformat()},
        format="json",
    )
    assert response.status_code == 403
    assert client.post(f"/api/v1/inquiries/{inquiry.pk}/grant-details/").status_code == 403
    inquiry.refresh_from_db()
    assert inquiry.status == Status.NEGOTIATING and not inquiry.details_access_granted


# --- The deal's rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": "-1.00"},
        {"amount": "12.345"},
        {"amount": "abc"},
        {"amount": "NaN"},
        {"amount": "1e30"},
        {"amount": "99999999999.00"},
        {"mode": "gift"},
        {"contract_date": "2026-02-30"},
        {"contract_date": (TODAY + dt.timedelta(days=2)).isoformat()},
        {"contract_date": "2001-01-01"},
        {"registration_no": "登记号/../x"},
    ],
)
def test_a_bad_deal_is_refused_with_400_and_nothing_changes(inquiry_world, api_client, changes):
    inquiry = negotiating(inquiry_world)
    payload = {
        "mode": "license",
        "amount": "150000.00",
        "contract_date": TODAY.isoformat(),
        **changes,
    }
    response = api(api_client, inquiry_world.manager).post(
        f"/api/v1/inquiries/{inquiry.pk}/agree/", payload, format="json"
    )
    assert response.status_code == 400, response.json()
    assert "errors" in response.json()
    inquiry.refresh_from_db()
    assert inquiry.status == Status.NEGOTIATING
    assert inquiry.deal_amount is None and inquiry.deal_mode == "" and inquiry.contract_date is None
    assert inquiry.transitions.count() == 2


def test_a_deal_of_zero_yuan_is_allowed(inquiry_world):
    inquiry = services.record_deal(
        negotiating(inquiry_world), inquiry_world.manager, "joint_development", "0", TODAY
    )
    assert inquiry.deal_amount == Decimal("0.00")


def test_the_service_refuses_a_missing_date_and_a_negative_decimal(inquiry_world):
    inquiry = negotiating(inquiry_world)
    with pytest.raises(RuleError):
        services.record_deal(inquiry, inquiry_world.manager, "license", Decimal("-0.01"), TODAY)
    with pytest.raises(RuleError):
        services.record_deal(inquiry, inquiry_world.manager, "license", "1.00", None)


# --- Who sees what -------------------------------------------------------------------------


def test_an_inquirer_never_sees_another_inquirers_thread(inquiry_world, api_client):
    mine = opened(inquiry_world)
    theirs = services.open_inquiry(
        inquiry_world.rival, inquiry_world.technology, "我们也想要。", "transfer"
    )
    client = api(api_client, inquiry_world.inquirer)
    listed = client.get("/api/v1/inquiries/").json()
    assert [row["id"] for row in listed["results"]] == [mine.pk]
    assert client.get(f"/api/v1/inquiries/{theirs.pk}/").status_code == 404
    for action in ("reply", "close", "agree", "grant-details"):
        assert client.post(f"/api/v1/inquiries/{theirs.pk}/{action}/", {}).status_code == 404
    with pytest.raises(NotFound):
        services.get_inquiry_for(inquiry_world.inquirer, theirs.pk)


def test_the_institution_sees_every_inquiry_on_its_listing(inquiry_world, api_client):
    opened(inquiry_world)
    services.open_inquiry(inquiry_world.rival, inquiry_world.technology, "我们也想要。", "transfer")
    listed = api(api_client, inquiry_world.colleague).get("/api/v1/inquiries/").json()
    assert listed["count"] == 2


def test_a_member_of_another_institution_gets_404_everywhere(inquiry_world, api_client):
    inquiry = opened(inquiry_world)
    client = api(api_client, inquiry_world.outsider)
    assert client.get("/api/v1/inquiries/").json()["count"] == 0
    assert client.get(f"/api/v1/inquiries/{inquiry.pk}/").status_code == 404
    for action in ("reply", "close", "agree", "grant-details"):
        response = client.post(f"/api/v1/inquiries/{inquiry.pk}/{action}/", {"message": "x"})
        assert response.status_code == 404
    assert InquiryMessage.objects.count() == 1


def test_a_moderator_reads_every_inquiry_but_does_not_speak_for_the_institution(
    inquiry_world, django_user_model
):
    inquiry = opened(inquiry_world)
    moderator = django_user_model.objects.create_superuser("mod", "mod@platform.example", "x")
    assert services.get_inquiry_for(moderator, inquiry.pk) == inquiry
    with pytest.raises(Forbidden):
        services.post_message(inquiry, moderator, "平台提醒")


def test_the_list_endpoint_query_count_does_not_grow(
    inquiry_world, api_client, django_assert_num_queries
):
    for _ in range(3):
        services.close(opened(inquiry_world), inquiry_world.inquirer)
    opened(inquiry_world)
    client = api(api_client, fresh(inquiry_world.manager))
    # moderator check, memberships, count, page
    with django_assert_num_queries(4):
        response = client.get("/api/v1/inquiries/")
    assert response.json()["count"] == 4
    client = api(api_client, fresh(inquiry_world.inquirer))
    with django_assert_num_queries(4):
        assert client.get("/api/v1/inquiries/").json()["count"] == 4


# --- Notifications -------------------------------------------------------------------------


def notices():
    return sorted(Notification.objects.values_list("user__username", flat=True))


def test_opening_tells_each_member_once_by_notice_and_email(
    inquiry_world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        opened(inquiry_world)
    assert notices() == ["colleague", "tto"]
    send_pending()
    assert sorted(m.to[0] for m in mail.outbox) == ["colleague@ylu.example", "tto@ylu.example"]
    assert all("高原特色植物提取工艺" in m.subject for m in mail.outbox)
    assert all("/inquiries/" in m.body for m in mail.outbox)


def test_each_action_notifies_each_recipient_exactly_once(inquiry_world):
    world = inquiry_world
    inquiry = opened(world)  # both members
    services.post_message(inquiry, world.manager, "欢迎。")  # transition: the inquirer, once
    services.post_message(inquiry, world.inquirer, "谢谢。")  # message: both members
    services.post_message(inquiry, world.colleague, "请报价。")  # message: the inquirer
    services.grant_details_access(inquiry, world.manager)  # the inquirer
    services.grant_details_access(inquiry, world.manager)  # a repeat: nobody
    services.record_deal(inquiry, world.manager, "license", "1000.00", TODAY)  # the inquirer
    assert notices() == ["buyer"] * 4 + ["colleague"] * 2 + ["tto"] * 2
    texts = list(
        Notification.objects.filter(user=world.inquirer)
        .order_by("pk")
        .values_list("message", "message_en")
    )
    assert [(zh.split("：")[0], en.split(":")[0]) for zh, en in texts] == [
        ("成果单位已回复您的意向洽谈", "The institution replied to your inquiry"),
        ("意向洽谈有新留言", "New message in your inquiry"),
        ("成果单位已向您开放技术详细资料", "The institution opened the full details to you"),
        ("意向洽谈已成交", "Inquiry agreed, deal recorded"),
    ]
    assert all(
        url == f"/inquiries/{inquiry.pk}/"
        for url in Notification.objects.values_list("url", flat=True)
    )


def test_the_other_inquirer_and_other_institutions_hear_nothing(inquiry_world):
    world = inquiry_world
    inquiry = opened(world)
    services.post_message(inquiry, world.manager, "欢迎。")
    services.close(inquiry, world.inquirer, "另有选择")
    assert not Notification.objects.filter(user__in=[world.rival, world.outsider]).exists()
    send_pending()
    recipients = {m.to[0] for m in mail.outbox}
    assert recipients == {"tto@ylu.example", "colleague@ylu.example", "buyer@pharma.example"}
