"""/healthz reports database, search and task queue; a dead database makes it a 503."""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db

CALL = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/healthz")
print(response.status_code, response.content.decode())
"""


def call_healthz_in_a_fresh_process(**env: str) -> tuple[int, dict]:
    full_env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.test", **env}
    result = subprocess.run(
        [sys.executable, "-c", CALL], env=full_env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
    return int(status), json.loads(body)


def test_the_public_body_says_only_the_status(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthy_site_reports_every_check_to_staff(client, django_user_model):
    staff = django_user_model.objects.create_user("operator", password="x", is_staff=True)
    client.force_login(staff)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "search", "tasks"}
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_dead_database_is_a_503_that_leaks_nothing():
    # Nothing listens on port 9 of the loopback: the connection is refused at once.
    status, body = call_healthz_in_a_fresh_process(
        DATABASE_URL="postgres://nobody:nothing@127.0.0.1:9/none"
    )
    assert status == 503
    assert body == {"status": "down"}


def test_a_dead_database_is_explained_when_details_are_on():
    status, body = call_healthz_in_a_fresh_process(
        DATABASE_URL="postgres://nobody:nothing@127.0.0.1:9/none", HEALTHZ_DETAILS="1"
    )
    assert status == 503
    assert body["status"] == "down"
    assert body["checks"]["database"]["ok"] is False
    assert "OperationalError" in body["checks"]["database"]["error"]


def test_a_dead_search_server_degrades_but_keeps_serving(cli_env):
    status, body = call_healthz_in_a_fresh_process(
        DATABASE_URL=cli_env["DATABASE_URL"],
        ELASTICSEARCH_URL="http://127.0.0.1:9",
        SEARCH_ENGINE="elasticsearch",
        ELASTICSEARCH_TIMEOUT="2",
        HEALTHZ_DETAILS="1",
    )
    assert status == 200
    assert body["status"] == "degraded"
    assert body["checks"]["search"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_only_get_is_allowed(client):
    assert client.post("/healthz").status_code == 405
