"""服务评价: a user rates a completed service once; only its user, only after completion; the
comment is public once a 资源审核员 approves it; the institution answers once; averages show on
the instrument and institution pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token

from marketplace.sharing.indicators import year_tally
from marketplace.sharing.models import Rating, Scope
from tests.factories import BookingFactory, UserFactory
from tests.sharing_fixtures import completed_booking, make_world, shanghai

pytestmark = pytest.mark.django_db


def api(client, user):
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def rate(client, booking_id, **scores):
    body = {"timeliness": 5, "quality": 4, "attitude": 3, **scores}
    return client.post(f"/api/v1/bookings/{booking_id}/rating/", body, format="json")


def moderator():
    user = UserFactory(username="auditor")
    user.groups.add(Group.objects.get_or_create(name="资源审核员")[0])
    return user


def test_the_user_rates_a_completed_booking_once(api_client):
    world = make_world()
    booking = completed_booking(world, world.outsider, shanghai(2025, 4, 7), 90)
    client = api(api_client, world.outsider)
    response = rate(client, booking.pk, comment="操作指导很耐心")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["average"] == "4.0"
    assert body["comment_status"] == "pending"
    again = rate(client, booking.pk, timeliness=1)
    assert again.status_code == 409
    assert again.json()["code"] == "already_rated"
    assert Rating.objects.count() == 1
    tally = year_tally(Scope.INSTRUMENT, str(world.instrument.pk), 2025)
    assert (tally.ratings, tally.average_rating) == (1, Decimal("4.00"))


def test_only_after_completion_and_only_by_its_user(api_client):
    world = make_world()
    confirmed = BookingFactory(instrument=world.instrument, user=world.outsider, status="confirmed")
    response = rate(api(api_client, world.outsider), confirmed.pk)
    assert response.status_code == 409
    assert response.json()["code"] == "not_completed"

    done = completed_booking(world, world.outsider, shanghai(2025, 4, 8), 60)
    # The institution's manager can read the booking but did not use the service.
    response = rate(api(api_client, world.manager), done.pk)
    assert response.status_code == 403
    # A stranger cannot even see it.
    response = rate(api(api_client, world.other_outsider), done.pk)
    assert response.status_code == 404
    assert Rating.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"), [("timeliness", 0), ("quality", 6), ("attitude", "good")]
)
def test_a_score_outside_1_to_5_is_a_400_naming_the_field(api_client, field, value):
    world = make_world()
    done = completed_booking(world, world.outsider, shanghai(2025, 4, 8), 60)
    response = rate(api(api_client, world.outsider), done.pk, **{field: value})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_the_comment_is_public_only_after_a_moderator_approves_it(client, api_client):
    world = make_world()
    done = completed_booking(world, world.outsider, shanghai(2025, 4, 8), 60)
    rate(api(api_client, world.outsider), done.pk, comment="预约响应很快，数据质量好")
    page = client.get(world.instrument.get_absolute_url())
    assert "预约响应很快" not in page.content.decode()
    assert "4.00 分（1 条评价）" in page.content.decode()  # the scores count at once
    public = api_client.__class__().get(f"/api/v1/instruments/{world.instrument.code}/ratings/")
    assert public.json()["results"][0]["comment"] == ""

    auditor = moderator()
    client.force_login(auditor)
    queue = client.get("/statistics/moderation/")
    assert "预约响应很快" in queue.content.decode()
    rating = Rating.objects.get()
    client.post("/statistics/moderation/", {"rating": rating.pk, "part": "comment", "approve": "1"})
    client.logout()
    page = client.get(world.instrument.get_absolute_url()).content.decode()
    assert "预约响应很快，数据质量好" in page
    institution_page = client.get(f"/institutions/{world.institution.code}/").content.decode()
    assert "预约响应很快，数据质量好" in institution_page


def test_a_member_cannot_moderate_and_a_stranger_sees_no_queue(client, api_client):
    world = make_world()
    done = completed_booking(world, world.outsider, shanghai(2025, 4, 8), 60)
    rate(api(api_client, world.outsider), done.pk, comment="好")
    rating = Rating.objects.get()
    response = api(api_client, world.manager).post(
        f"/api/v1/ratings/{rating.pk}/review/", {"part": "comment", "approve": True}, format="json"
    )
    assert response.status_code == 403
    client.force_login(world.manager)
    assert client.get("/statistics/moderation/").status_code == 404
    rating.refresh_from_db()
    assert rating.comment_status == "pending"


def test_the_institution_answers_once_and_the_answer_is_moderated_too(client, api_client):
    world = make_world()
    done = completed_booking(world, world.outsider, shanghai(2025, 4, 8), 60)
    rate(api(api_client, world.outsider), done.pk, comment="等待时间偏长")
    rating = Rating.objects.get()
    manager_api = api(api_client, world.manager)
    response = manager_api.post(
        f"/api/v1/ratings/{rating.pk}/reply/", {"reply": "已增加开放时段，感谢反馈"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["reply_status"] == "pending"
    again = manager_api.post(
        f"/api/v1/ratings/{rating.pk}/reply/", {"reply": "再次回复"}, format="json"
    )
    assert again.status_code == 409
    # The user who rated cannot answer for the institution.
    outsider_reply = api(api_client.__class__(), world.outsider).post(
        f"/api/v1/ratings/{rating.pk}/reply/", {"reply": "x"}, format="json"
    )
    assert outsider_reply.status_code == 403

    auditor_api = api(api_client.__class__(), moderator())
    for part in ("comment", "reply"):
        reviewed = auditor_api.post(
            f"/api/v1/ratings/{rating.pk}/review/", {"part": part, "approve": True}, format="json"
        )
        assert reviewed.status_code == 200
    page = client.get(world.instrument.get_absolute_url()).content.decode()
    assert "等待时间偏长" in page
    assert "已增加开放时段，感谢反馈" in page


def test_the_booking_page_offers_rating_to_its_user_once(client):
    world = make_world()
    done = completed_booking(world, world.outsider, shanghai(2025, 4, 8), 60)
    client.force_login(world.outsider)
    page = client.get(f"/bookings/{done.pk}/").content.decode()
    assert f"/statistics/rate/booking/{done.pk}/" in page
    response = client.post(
        f"/statistics/rate/booking/{done.pk}/",
        {"timeliness": "5", "quality": "5", "attitude": "4", "comment": ""},
    )
    assert response.status_code == 302
    page = client.get(f"/bookings/{done.pk}/").content.decode()
    assert f"/statistics/rate/booking/{done.pk}/" not in page
    assert "4.7" in page
    # No comment: nothing waits for moderation.
    assert Rating.objects.get().comment_status == "approved"


def test_averages_show_on_the_instrument_and_institution_pages(client, api_client):
    world = make_world()
    for day, scores in ((7, (5, 5, 5)), (8, (3, 4, 2))):
        done = completed_booking(world, world.outsider, shanghai(2025, 4, day), 60)
        t, q, a = scores
        rate(
            api(api_client.__class__(), world.outsider),
            done.pk,
            timeliness=t,
            quality=q,
            attitude=a,
        )
    # (15 + 9) / 6 = 4.00
    for url in (world.instrument.get_absolute_url(), f"/institutions/{world.institution.code}/"):
        page = client.get(url).content.decode()
        assert "4.00 分（2 条评价）" in page
