"""Findings 8–10 of issue 14 as an attacker sees them: production settings under a real
gunicorn — headers, /healthz, the calendar token in the access log, oversized and deeply
nested bodies."""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    for port in range(18140, 18200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18140–18199")


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def server(migrated_sqlite, tmp_path_factory):
    folder = tmp_path_factory.mktemp("gunicorn")
    database = folder / "site.sqlite3"
    shutil.copy(migrated_sqlite, database)
    access_log = folder / "access.log"
    port = _free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "production-test-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{database}",
        "SECURE_SSL_REDIRECT": "0",
        "PRIVATE_MEDIA_ROOT": str(folder / "private"),
        "MEDIA_ROOT": str(folder / "media"),
        "STATIC_ROOT": str(folder / "static"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            "config/gunicorn.py",
            "config.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "--access-logfile",
            str(access_log),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(120):
            if _listening(port):
                break
            if process.poll() is not None:
                pytest.fail(process.stderr.read().decode())
            time.sleep(0.5)
        yield {"port": port, "access_log": access_log}
    finally:
        process.terminate()
        process.wait(timeout=30)


def request(server, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server["port"], timeout=30)
    data = json.dumps(body).encode() if isinstance(body, dict | list) else body
    all_headers = {"Content-Type": "application/json"} if data is not None else {}
    all_headers.update(headers or {})
    connection.request(method, path, body=data, headers=all_headers)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response, payload


def test_no_server_header_and_a_strict_policy_on_pages(server):
    response, body = request(server, "GET", "/accounts/login/")
    assert response.status == 200, body[:500]
    assert response.getheader("Server") is None
    policy = response.getheader("Content-Security-Policy")
    assert policy, "no Content-Security-Policy header"
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert response.getheader("X-Content-Type-Options") == "nosniff"


def test_hsts_has_no_preload_or_subdomains_unless_configured(server):
    response, _body = request(
        server, "GET", "/accounts/login/", headers={"X-Forwarded-Proto": "https"}
    )
    hsts = response.getheader("Strict-Transport-Security")
    assert hsts == "max-age=31536000"


def test_healthz_tells_the_public_only_its_status(server):
    response, body = request(server, "GET", "/healthz")
    assert response.getheader("Server") is None
    assert response.status in (200, 503)
    assert set(json.loads(body)) == {"status"}
    assert json.loads(body)["status"] in {"ok", "degraded", "down"}


def test_the_calendar_token_never_reaches_the_access_log(server):
    user = {"username": "feed-owner", "email": "feed@example.org", "password": "Tulip-Harbour-42"}
    response, body = request(server, "POST", "/api/v1/auth/register/", {**user, "consent": True})
    assert response.status == 201, body
    response, body = request(
        server, "POST", "/api/v1/auth/token/", {k: user[k] for k in ("username", "password")}
    )
    token = json.loads(body)["token"]
    response, body = request(
        server, "GET", "/api/v1/me/", headers={"Authorization": f"Token {token}"}
    )
    calendar_url = json.loads(body)["calendar_url"]
    secret = calendar_url.split("token=", 1)[1]
    path = calendar_url.split("127.0.0.1", 1)[1].split("/", 1)[1]
    response, body = request(server, "GET", "/" + path)
    assert response.status == 200
    assert b"BEGIN:VCALENDAR" in body
    time.sleep(0.5)  # the access log is written after the response
    log = server["access_log"].read_text()
    assert "calendar.ics?token=[redacted]" in log
    assert secret not in log


def test_an_oversized_body_is_a_json_413_before_it_is_read(server):
    declared = 12 * 1024 * 1024
    with socket.create_connection(("127.0.0.1", server["port"]), timeout=30) as raw:
        raw.sendall(
            b"POST /api/v1/auth/register/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b'Content-Type: application/json\r\nContent-Length: %d\r\n\r\n{"username": ' % declared
        )
        # Only a few bytes of the declared 12 MB were sent: the answer comes all the same.
        response = http.client.HTTPResponse(raw)
        response.begin()
        body = response.read()
    assert response.status == 413, body
    assert response.getheader("Content-Type") == "application/json"
    assert json.loads(body)["code"] == "request_too_large"


def test_deeply_nested_json_is_a_400_in_the_error_shape(server):
    nested = "[" * 100_000 + "]" * 100_000
    for path in ("/api/v1/auth/register/", "/api/v1/auth/token/"):
        response, body = request(server, "POST", path, nested.encode())
        assert response.status == 400, body[:300]
        payload = json.loads(body)
        assert payload["code"] == "json_too_deep"
        assert payload["errors"]["non_field_errors"]
