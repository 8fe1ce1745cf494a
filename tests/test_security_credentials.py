"""Finding 9 of issue 14: credentials that can be revoked — API logout, token expiry, a password
change or reset ends every token and every other session, the calendar token can be rotated
(API and a button on the account page)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from marketplace.accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "Orchid-Valley-58"
NEW_PASSWORD = "Granite-River-73"


@pytest.fixture
def person(db):
    return User.objects.create_user("mei", "mei@example.org", PASSWORD)


def obtain_token(password: str = PASSWORD) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "mei", "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def me_status(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/me/").status_code


def signed_in_client(password: str = PASSWORD) -> Client:
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": "mei", "password": password}).status_code
        == 302
    )
    return client


def test_logout_ends_the_token(person):
    token = obtain_token()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert me_status(token) == 401
    assert not Token.objects.filter(key=token).exists()


def test_logout_needs_a_signed_in_caller():
    response = APIClient().post("/api/v1/auth/logout/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_token_expires_and_a_new_login_issues_a_fresh_one(person, settings):
    token = obtain_token()
    assert me_status(token) == 200
    Token.objects.filter(key=token).update(
        created=timezone.now() - timedelta(hours=settings.API_TOKEN_HOURS, minutes=1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]
    fresh = obtain_token()
    assert fresh != token
    assert me_status(fresh) == 200


def test_a_password_change_ends_tokens_and_other_sessions_but_not_this_one(person):
    token = obtain_token()
    elsewhere = signed_in_client()
    here = signed_in_client()
    page = here.get("/accounts/password/change/")
    assert page.status_code == 200
    response = here.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/change/done/"
    assert here.get("/accounts/").status_code == 200
    # The other browser is signed out; the old token is dead; the new password works.
    assert elsewhere.get("/accounts/").status_code == 302
    assert me_status(token) == 401
    assert me_status(obtain_token(NEW_PASSWORD)) == 200


def test_a_wrong_old_password_changes_nothing(person):
    token = obtain_token()
    here = signed_in_client()
    response = here.post(
        "/accounts/password/change/",
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert me_status(token) == 200


def test_password_reset_by_email_for_anyone(person, settings):
    settings.SITE_URL = "https://innovation.example.gov.cn"
    token = obtain_token()
    elsewhere = signed_in_client()
    anonymous = Client()
    assert anonymous.get("/accounts/login/").content.decode().count("/accounts/password/reset/")
    response = anonymous.post("/accounts/password/reset/", {"email": "mei@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mei@example.org"]
    link = re.search(
        r"https://innovation\.example\.gov\.cn(/accounts/password/reset/\S+/)", message.body
    )
    assert link, message.body
    form_page = anonymous.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0]
    response = anonymous.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/complete/"
    assert me_status(token) == 401
    assert elsewhere.get("/accounts/").status_code == 302
    assert signed_in_client(NEW_PASSWORD)
    # The link works once.
    assert "无效" in anonymous.get(link.group(1), follow=True).content.decode()


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(person):
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_the_calendar_token_is_rotated_through_the_api(person):
    client = APIClient()
    client.force_authenticate(person)
    old_url = client.get("/api/v1/me/").json()["calendar_url"]
    response = client.post("/api/v1/me/calendar-token/")
    assert response.status_code == 200
    new_url = response.json()["calendar_url"]
    assert new_url != old_url
    assert client.get("/api/v1/me/").json()["calendar_url"] == new_url
    feed = Client()
    assert feed.get(old_url.replace("http://testserver", "")).status_code == 404
    assert feed.get(new_url.replace("http://testserver", "")).status_code == 200


def test_rotating_needs_a_signed_in_caller():
    assert APIClient().post("/api/v1/me/calendar-token/").status_code == 401


def test_the_account_page_shows_the_feed_and_a_button_that_rotates_it(person):
    client = signed_in_client()
    page = client.get("/accounts/")
    assert page.status_code == 200
    html = page.content.decode()
    old_token = person.calendar_token
    assert f"token={old_token}" in html
    assert 'action="/accounts/calendar-token/"' in html
    assert 'href="/accounts/password/change/"' in html
    response = client.post("/accounts/calendar-token/")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.calendar_token != old_token
    assert Client().get(f"/api/v1/bookings/calendar.ics?token={old_token}").status_code == 404
    assert "旧地址已失效" in client.get("/accounts/").content.decode()


def test_rotation_is_a_post_only_action(person):
    client = signed_in_client()
    old_token = person.calendar_token
    assert client.get("/accounts/calendar-token/").status_code == 405
    person.refresh_from_db()
    assert person.calendar_token == old_token


def test_the_account_page_needs_a_login():
    response = Client().get("/accounts/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
