"""Register, obtain a token and read /me/: good input works, bad input is a 4xx, never a 500."""

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from marketplace.accounts.models import PRIVACY_VERSION, TERMS_VERSION, User
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"


def test_registering_creates_a_user_that_can_sign_in(api_client):
    response = api_client.post(
        REGISTER,
        {
            "username": "startup1",
            "email": "ceo@startup.example",
            "password": "Dian-jing-2026!",
            "consent": True,
            "real_name": "张伟",
            "organisation": "星火科技有限公司",
            "organisation_credit_code": "91440300708461136T",
            "phone": "13800000000",
            "preferred_language": "en",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json() == {
        "id": User.objects.get(username="startup1").id,
        "username": "startup1",
    }
    user = User.objects.get(username="startup1")
    assert user.email == "ceo@startup.example"
    assert user.check_password("Dian-jing-2026!")
    assert (user.real_name, user.organisation, user.phone) == (
        "张伟",
        "星火科技有限公司",
        "13800000000",
    )
    assert user.organisation_credit_code == "91440300708461136T"
    assert user.preferred_language == "en" and user.profile_complete
    assert (user.terms_version, user.privacy_version) == (TERMS_VERSION, PRIVACY_VERSION)
    assert abs((timezone.now() - user.consented_at).total_seconds()) < 60


def test_registration_without_consent_is_refused(api_client):
    response = api_client.post(
        REGISTER,
        {
            "username": "noconsent",
            "email": "n@example.com",
            "password": "Dian-jing-2026!",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["consent"] == [
        "To register, read and agree to the Terms of Service and the Privacy Policy."
    ]
    assert not User.objects.filter(username="noconsent").exists()


def test_a_bad_credit_code_at_registration_is_refused(api_client):
    response = api_client.post(
        REGISTER,
        {
            "username": "badcode",
            "email": "b@example.com",
            "password": "Dian-jing-2026!",
            "consent": True,
            "organisation_credit_code": "91440300708461136U",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "organisation_credit_code" in response.json()["errors"]
    assert not User.objects.filter(username="badcode").exists()


def test_registration_lists_every_missing_field(api_client):
    response = api_client.post(REGISTER, {}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"username", "email", "password"}
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("password", "fragment"),
    [("12345678", "数字"), ("password", "常见"), ("abc", "至少")],
)
def test_a_weak_password_is_refused(api_client, password, fragment):
    response = api_client.post(
        REGISTER,
        {"username": "weak", "email": "weak@example.com", "password": password, "consent": True},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert any(fragment in message for message in response.json()["errors"]["password"])
    assert not User.objects.filter(username="weak").exists()


def test_a_duplicate_username_is_refused_whatever_its_case(api_client):
    UserFactory(username="taken")
    response = api_client.post(
        REGISTER,
        {
            "username": "TAKEN",
            "email": "other@example.com",
            "password": "Dian-jing-2026!",
            "consent": True,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "username" in response.json()["errors"]
    assert User.objects.filter(username__iexact="taken").count() == 1


def test_an_invalid_email_is_refused(api_client):
    response = api_client.post(
        REGISTER,
        {
            "username": "mail",
            "email": "not-an-email",
            "password": "Dian-jing-2026!",
            "consent": True,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "email" in response.json()["errors"]


def test_malformed_json_is_a_400(api_client):
    response = api_client.generic(
        "POST", REGISTER, data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["errors"]["non_field_errors"][0]


def test_the_right_password_gets_a_token(api_client):
    user = UserFactory(username="alice")
    response = api_client.post(
        TOKEN, {"username": "alice", "password": "correct-horse-battery"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key}


def test_a_wrong_password_is_a_401_with_a_challenge(api_client):
    UserFactory(username="alice")
    response = api_client.post(TOKEN, {"username": "alice", "password": "wrong"}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "detail" in response.json()
    assert not Token.objects.exists()


def test_an_unknown_user_gets_the_same_401(api_client):
    response = api_client.post(TOKEN, {"username": "ghost", "password": "whatever"}, format="json")
    assert response.status_code == 401


def test_token_request_without_fields_is_a_400(api_client):
    response = api_client.post(TOKEN, {"username": "alice"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["password"]


def test_me_shows_the_user_with_roles_and_calendar_url(api_client, django_assert_num_queries):
    user = UserFactory(username="bob", email="bob@example.com")
    membership = MembershipFactory(user=user, role="manager")
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    # token lookup, user with memberships, their institutions
    with django_assert_num_queries(3):
        response = api_client.get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == user.id
    assert body["username"] == "bob"
    assert body["email"] == "bob@example.com"
    assert body["institutions"] == [{"code": membership.institution.code, "role": "manager"}]
    assert body["calendar_url"] == (
        f"http://testserver/api/v1/bookings/calendar.ics?token={user.calendar_token}"
    )


def test_me_without_credentials_is_a_401(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401


def test_me_with_a_bad_token_is_a_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.get(ME).status_code == 401


def test_calendar_feed_answers_its_token_and_nothing_else(client):
    user = UserFactory()
    response = client.get(f"/api/v1/bookings/calendar.ics?token={user.calendar_token}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    old = user.calendar_token
    user.rotate_calendar_token()
    assert client.get(f"/api/v1/bookings/calendar.ics?token={old}").status_code == 404
    assert client.get("/api/v1/bookings/calendar.ics").status_code == 404


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/auth/register/", "/api/v1/auth/token/", "/api/v1/me/"} <= set(paths)
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    # every asset of the docs page comes from this site, never a CDN
    assert b"cdn." not in docs.content and b"unpkg" not in docs.content
