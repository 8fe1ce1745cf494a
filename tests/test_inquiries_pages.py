"""Inquiry pages for people: the form keeps what was typed, the thread is only the two
parties', the actions call the services, and the NDA details stay hidden until granted."""

from __future__ import annotations

import datetime as dt

import pytest

from marketplace.inquiries import services
from marketplace.inquiries.models import Inquiry, Status
from tests.inquiries_fixtures import build_inquiry_world, fresh

pytestmark = pytest.mark.django_db
SECRET = "超临界二氧化碳萃取"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def inquiry_world(db):
    return build_inquiry_world()


def opened(world, user=None):
    return services.open_inquiry(
        user or world.inquirer, world.technology, "希望获得许可。", "license"
    )


def page(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **ZH, **kwargs)


# --- Sending -------------------------------------------------------------------------------


def test_the_technology_page_links_to_the_inquiry_form(client, inquiry_world):
    html = page(client, inquiry_world.inquirer, "/technologies/YLU.TEC-01/").content.decode()
    assert 'href="/technologies/YLU.TEC-01/inquire/"' in html


def test_a_refused_inquiry_form_keeps_what_was_typed(client, inquiry_world):
    client.force_login(inquiry_world.inquirer)
    response = client.post(
        "/technologies/YLU.TEC-01/inquire/",
        {"intended_mode": "equity", "message": "我们是昆明的一家制药企业，想谈合作。"},
        **ZH,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "我们是昆明的一家制药企业，想谈合作。" in html
    assert 'role="alert"' in html
    assert not Inquiry.objects.exists()


def test_a_member_sending_on_their_own_listing_sees_why_and_keeps_the_text(client, inquiry_world):
    client.force_login(inquiry_world.manager)
    response = client.post(
        "/technologies/YLU.TEC-01/inquire/",
        {"intended_mode": "license", "message": "自己试一下"},
        **ZH,
    )
    assert response.status_code == 400
    assert "不能对本单位的成果发起洽谈" in response.content.decode()
    assert "自己试一下" in response.content.decode()


def test_sending_an_inquiry_leads_to_its_thread(client, inquiry_world):
    client.force_login(inquiry_world.inquirer)
    response = client.post(
        "/technologies/YLU.TEC-01/inquire/",
        {"intended_mode": "license", "message": "希望获得许可。"},
        follow=True,
        **ZH,
    )
    inquiry = Inquiry.objects.get()
    assert response.redirect_chain[-1][0] == f"/inquiries/{inquiry.pk}/"
    assert "希望获得许可。" in response.content.decode()


def test_the_form_of_an_unpublished_technology_is_404(client, inquiry_world):
    inquiry_world.technology.live = False
    inquiry_world.technology.save()
    assert (
        page(client, inquiry_world.inquirer, "/technologies/YLU.TEC-01/inquire/").status_code == 404
    )


# --- Seeing --------------------------------------------------------------------------------


def test_an_inquirer_never_sees_another_inquirers_thread_on_any_page(client, inquiry_world):
    mine = opened(inquiry_world)
    theirs = services.open_inquiry(
        inquiry_world.rival, inquiry_world.technology, "竞争对手的报价是多少？", "transfer"
    )
    html = page(client, inquiry_world.inquirer, "/inquiries/").content.decode()
    assert f"#{mine.pk}" in html and f"#{theirs.pk}" not in html
    assert client.get(f"/inquiries/{theirs.pk}/").status_code == 404
    assert client.post(f"/inquiries/{theirs.pk}/reply/", {"message": "x"}).status_code == 404
    assert client.post(f"/inquiries/{theirs.pk}/close/").status_code == 404
    assert client.get("/inquiries/queue/").status_code == 404
    assert theirs.messages.count() == 1


def test_a_member_of_another_institution_gets_404(client, inquiry_world):
    inquiry = opened(inquiry_world)
    assert page(client, inquiry_world.outsider, f"/inquiries/{inquiry.pk}/").status_code == 404
    assert client.post(f"/inquiries/{inquiry.pk}/grant/").status_code == 404
    assert "希望获得许可" not in client.get("/inquiries/queue/").content.decode()


def test_the_queue_filters_by_status(client, inquiry_world):
    active = opened(inquiry_world)
    closed = services.close(opened(inquiry_world, inquiry_world.rival), inquiry_world.rival)
    html = page(client, inquiry_world.manager, "/inquiries/queue/").content.decode()
    assert f"#{active.pk}<" in html and f"#{closed.pk}<" not in html
    html = client.get("/inquiries/queue/?status=closed").content.decode()
    assert f"#{active.pk}<" not in html and f"#{closed.pk}<" in html
    html = client.get("/inquiries/queue/?status=all").content.decode()
    assert f"#{active.pk}<" in html and f"#{closed.pk}<" in html


def test_list_pages_query_counts_do_not_grow(client, inquiry_world, django_assert_num_queries):
    for _ in range(4):
        services.close(opened(inquiry_world), inquiry_world.inquirer)
    opened(inquiry_world)
    client.force_login(inquiry_world.inquirer)
    # session, user, count, page, and the header's unread-notices badge with the Wagtail user
    # bar's permission lookup (one query: marketplace.signed_in, issue 17)
    with django_assert_num_queries(5):
        assert client.get("/inquiries/", **ZH).status_code == 200
    client.force_login(inquiry_world.manager)
    # session, user, memberships, count, page, and the header's unread-notices badge with the
    # user bar's permissions (one query: marketplace.signed_in, issue 17)
    with django_assert_num_queries(6):
        assert client.get("/inquiries/queue/?status=all", **ZH).status_code == 200


# --- Acting --------------------------------------------------------------------------------


def test_the_institution_replies_and_the_inquiry_is_negotiating(client, inquiry_world):
    inquiry = opened(inquiry_world)
    client.force_login(inquiry_world.manager)
    response = client.post(
        f"/inquiries/{inquiry.pk}/reply/", {"message": "欢迎来校面谈。"}, follow=True, **ZH
    )
    html = response.content.decode()
    assert "欢迎来校面谈。" in html
    assert '<strong id="inquiry-status">洽谈中</strong>' in html


def test_a_refused_deal_form_keeps_what_was_typed_and_changes_nothing(client, inquiry_world):
    inquiry = opened(inquiry_world)
    services.post_message(inquiry, inquiry_world.manager, "欢迎。")
    client.force_login(inquiry_world.manager)
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    response = client.post(
        f"/inquiries/{inquiry.pk}/agree/",
        {
            "mode": "license",
            "amount": "150000.00",
            "contract_date": future,
            "registration_no": "R-7",
        },
        **ZH,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "合同签订日期不能晚于今天" in html
    assert 'value="150000.00"' in html and 'value="R-7"' in html and future in html
    inquiry.refresh_from_db()
    assert inquiry.status == Status.NEGOTIATING


def test_a_recorded_deal_is_shown_to_the_inquirer(client, inquiry_world):
    inquiry = opened(inquiry_world)
    services.post_message(inquiry, inquiry_world.manager, "欢迎。")
    client.force_login(inquiry_world.manager)
    response = client.post(
        f"/inquiries/{inquiry.pk}/agree/",
        {
            "mode": "license",
            "amount": "150000.00",
            "contract_date": dt.date.today().isoformat(),
            "registration_no": "2026530101000123",
        },
    )
    assert response.status_code == 302
    html = page(client, inquiry_world.inquirer, f"/inquiries/{inquiry.pk}/").content.decode()
    assert "¥150,000.00 CNY" in html and "2026530101000123" in html
    assert 'id="reply-form"' not in html and 'id="close-form"' not in html


def test_the_inquirer_closes_with_a_reason_and_sees_no_deal_form(client, inquiry_world):
    inquiry = opened(inquiry_world)
    html = page(client, inquiry_world.inquirer, f"/inquiries/{inquiry.pk}/").content.decode()
    assert 'id="close-form"' in html and 'id="deal-form"' not in html
    assert 'id="grant-details"' not in html
    client.post(f"/inquiries/{inquiry.pk}/close/", {"reason": "预算调整"})
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.closed_reason) == (Status.CLOSED, "预算调整")


def test_detail_page_query_count_is_pinned(client, inquiry_world, django_assert_max_num_queries):
    inquiry = opened(inquiry_world)
    for n in range(5):
        services.post_message(inquiry, inquiry_world.manager, f"第 {n} 条回复")
    client.force_login(inquiry_world.inquirer)
    # session, user, moderator check, memberships, inquiry, thread, timeline, the user bar's two
    # + the header's unread-notices badge (issue 15)
    with django_assert_max_num_queries(10):
        assert client.get(f"/inquiries/{inquiry.pk}/", **ZH).status_code == 200


# --- Details under NDA ---------------------------------------------------------------------


def test_the_public_page_shows_the_nda_notice_and_none_of_the_details(client, inquiry_world):
    html = client.get("/technologies/YLU.TEC-01/", **ZH).content.decode()
    assert "详细资料需签署保密协议后向意向方开放" in html
    assert SECRET not in html


def test_without_nda_the_public_page_shows_the_details(client, inquiry_world):
    inquiry_world.technology.details_under_nda = False
    inquiry_world.technology.save()
    html = client.get("/technologies/YLU.TEC-01/", **ZH).content.decode()
    assert SECRET in html and "详细资料需签署保密协议后向意向方开放" not in html


def test_the_inquirer_sees_the_details_only_after_the_institution_grants_access(
    client, inquiry_world
):
    inquiry = opened(inquiry_world)
    url = f"/inquiries/{inquiry.pk}/"
    assert SECRET not in page(client, inquiry_world.inquirer, url).content.decode()
    assert client.post(f"/inquiries/{inquiry.pk}/grant/").status_code == 302
    assert not Inquiry.objects.get().details_access_granted  # the inquirer may not grant
    html = page(client, inquiry_world.manager, url).content.decode()
    assert SECRET in html and 'id="grant-details"' in html
    client.post(f"/inquiries/{inquiry.pk}/grant/")
    assert SECRET in page(client, inquiry_world.inquirer, url).content.decode()


def test_access_granted_to_one_inquirer_shows_nothing_to_another(client, inquiry_world):
    granted = opened(inquiry_world)
    other = opened(inquiry_world, inquiry_world.rival)
    services.grant_details_access(granted, inquiry_world.manager)
    html = page(client, inquiry_world.rival, f"/inquiries/{other.pk}/").content.decode()
    assert SECRET not in html


def test_the_public_api_hides_the_details_under_nda(api_client, inquiry_world):
    body = api_client.get("/api/v1/technologies/YLU.TEC-01/").json()
    assert body["details_under_nda"] is True and body["details"] is None
    assert SECRET not in str(body)
    inquiry_world.technology.details_under_nda = False
    inquiry_world.technology.save()
    assert SECRET in api_client.get("/api/v1/technologies/YLU.TEC-01/").json()["details"]


def test_the_inquiry_api_gives_details_after_the_grant_and_always_to_members(
    api_client, inquiry_world
):
    inquiry = opened(inquiry_world)
    api_client.force_authenticate(inquiry_world.inquirer)
    assert api_client.get(f"/api/v1/inquiries/{inquiry.pk}/").json()["technology_details"] is None
    api_client.force_authenticate(inquiry_world.colleague)
    body = api_client.get(f"/api/v1/inquiries/{inquiry.pk}/").json()
    assert SECRET in body["technology_details"]
    response = api_client.post(f"/api/v1/inquiries/{inquiry.pk}/grant-details/")
    assert response.status_code == 200 and response.json()["details_access_granted"] is True
    api_client.force_authenticate(fresh(inquiry_world.inquirer))
    assert SECRET in api_client.get(f"/api/v1/inquiries/{inquiry.pk}/").json()["technology_details"]


def test_granting_access_without_nda_is_400_and_on_a_closed_inquiry_409(api_client, inquiry_world):
    inquiry = opened(inquiry_world)
    services.close(inquiry, inquiry_world.inquirer)
    api_client.force_authenticate(inquiry_world.manager)
    assert api_client.post(f"/api/v1/inquiries/{inquiry.pk}/grant-details/").status_code == 409
    inquiry_world.technology.details_under_nda = False
    inquiry_world.technology.save()
    assert api_client.post(f"/api/v1/inquiries/{inquiry.pk}/grant-details/").status_code == 400


def test_the_details_are_never_found_by_search(
    api_client, settings, django_capture_on_commit_callbacks
):
    settings.SEARCH_ENGINE = "database"
    with django_capture_on_commit_callbacks(execute=True):
        world = build_inquiry_world()
        world.technology.details_under_nda = False
        world.technology.save()
    assert api_client.get("/api/v1/search/", {"q": "提取"}).json()["count"] >= 1
    body = api_client.get("/api/v1/search/", {"q": SECRET}).json()
    assert body["count"] == 0, body
