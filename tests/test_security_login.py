"""Finding 2 of issue 14: wrong passwords lock the username-and-address pair out of every login
path — the site's login form, both admin logins and the API token endpoint — whatever
X-Forwarded-For says, unless a trusted proxy count is configured."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from marketplace.accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-9"
ATTACKER = "203.0.113.7"


@pytest.fixture
def staff(db):
    return User.objects.create_superuser("chief", "chief@example.org", PASSWORD)


def form_login(client: Client, path: str, password: str, **extra):
    return client.post(
        path, {"username": "chief", "password": password}, REMOTE_ADDR=ATTACKER, **extra
    )


def token_login(client: Client, password: str, **extra):
    return client.post(
        "/api/v1/auth/token/",
        {"username": "chief", "password": password},
        content_type="application/json",
        REMOTE_ADDR=ATTACKER,
        **extra,
    )


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


LOGIN_FORMS = ["/accounts/login/", "/admin/login/", "/django-admin/login/"]


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_a_login_form_locks_out_after_five_wrong_passwords(staff, settings, path):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = form_login(client, path, "wrong-guess")
        assert response.status_code == 200  # the form again, with its error
    response = form_login(client, path, "wrong-guess")
    assert response.status_code == 429
    # Now even the right password is refused, with the lockout notice, and nobody is signed in.
    response = form_login(client, path, PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert not signed_in(client)


def test_the_api_token_endpoint_locks_out_too_and_answers_json(staff, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = token_login(client, "wrong-guess")
    assert response.status_code == 429
    response = token_login(client, PASSWORD)
    assert response.status_code == 429
    assert response.json()["code"] == "login_locked_out"
    assert "token" not in response.json()


def test_a_new_x_forwarded_for_on_each_try_does_not_help(staff, settings):
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        token_login(client, "wrong-guess", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = token_login(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.250")
    assert response.status_code == 429
    response = form_login(
        client, "/accounts/login/", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.251"
    )
    assert response.status_code == 429
    assert not signed_in(client)


def test_failures_on_one_path_count_on_every_other(staff, settings):
    client = Client()
    paths = [*LOGIN_FORMS, "/api/v1/auth/token/"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        path = paths[n % len(paths)]
        if path.startswith("/api/"):
            token_login(client, "wrong-guess")
        else:
            form_login(client, path, "wrong-guess")
    assert form_login(Client(), "/django-admin/login/", PASSWORD).status_code == 429
    assert token_login(Client(), PASSWORD).status_code == 429


def test_the_owner_from_another_address_can_still_sign_in(staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        form_login(Client(), "/accounts/login/", "wrong-guess")
    owner = Client()
    response = owner.post(
        "/accounts/login/", {"username": "chief", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 302
    assert signed_in(owner)


def test_a_success_before_the_limit_resets_the_count(staff, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        form_login(client, "/accounts/login/", "wrong-guess")
    assert form_login(client, "/accounts/login/", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        form_login(client, "/accounts/login/", "wrong-guess")
    assert form_login(client, "/accounts/login/", PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_the_address_it_saw_is_the_client(staff, settings):
    settings.NUM_PROXIES = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            "/accounts/login/",
            {"username": "chief", "password": "wrong-guess"},
            HTTP_X_FORWARDED_FOR=f"1.2.3.4, {ATTACKER}",
            **proxy,
        )
    # The attacker (as the proxy saw them) is locked out, even with a made-up left part …
    locked = Client().post(
        "/accounts/login/",
        {"username": "chief", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR=f"9.9.9.9, {ATTACKER}",
        **proxy,
    )
    assert locked.status_code == 429
    # … while another client behind the same proxy is not.
    other = Client()
    response = other.post(
        "/accounts/login/",
        {"username": "chief", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.55",
        **proxy,
    )
    assert response.status_code == 302
    assert signed_in(other)


def test_the_token_throttle_counts_in_the_shared_database_cache(staff, settings):
    assert settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    token_login(Client(), PASSWORD)
    table = settings.CACHES["default"]["LOCATION"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {table}")  # noqa: S608 — our own setting
        keys = [row[0] for row in cursor.fetchall()]
    assert any("throttle_auth" in key for key in keys), keys


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_sign_up_throttle_holds_when_requests_arrive_at_once():
    """Many app servers, one shared counter: simultaneous requests from one address (threads
    here, each with its own database connection, as separate servers would have) never get
    past the API's sign-up and token throttle."""
    import threading

    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from rest_framework.test import APIRequestFactory

    from marketplace.accounts.api import AuthThrottle

    limit = AuthThrottle().num_requests
    start = threading.Barrier(limit + 10)
    outcomes = []

    def one_request():
        try:
            request = APIRequestFactory().post("/api/v1/auth/register/", REMOTE_ADDR="203.0.113.9")
            request.user = AnonymousUser()
            throttle = AuthThrottle()
            start.wait()
            outcomes.append(throttle.allow_request(request, None))
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_request) for _ in range(limit + 10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count(True) == limit
    assert outcomes.count(False) == 10
