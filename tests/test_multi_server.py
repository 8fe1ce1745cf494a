"""Two app servers, one database (issue 17): what one server learns, the other knows.

Two real gunicorn processes serve the test database. A visitor signs in through one and acts
through the other; wrong passwords spread over both servers add up to one lockout; two people
booking the same slot through different servers get one booking and one 409. Nothing here
may live in a server's memory: sessions, django-axes' failure counts and the booking
constraint are all in PostgreSQL (docs/deploy.md, "Measured multi-server run").
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from marketplace.accounts.models import User
from marketplace.bookings.models import Booking
from tests.booking_fixtures import at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery-9"
LOGIN = "/accounts/login/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    """The test database (pytest-django's test_… copy) as a URL for the server processes."""
    s = connection.settings_dict
    return (
        f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
        f"/{s['NAME']}"
    )


@pytest.fixture
def servers(transactional_db, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "TASK_BACKEND": "immediate",
        "SEARCH_ENGINE": "database",
        "ELASTICSEARCH_URL": "",
        "PAGE_CACHE": "0",
    }
    procs, urls = [], []
    for name in ("a", "b"):
        port = _free_port()
        log = (tmp_path / f"gunicorn-{name}.log").open("wb")
        procs.append(
            subprocess.Popen(  # noqa: S603 — our interpreter, our app
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "config/gunicorn.py",
                    "config.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "1",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 120
        for url in urls:
            while True:
                try:
                    if requests.get(f"{url}/healthz", timeout=10).status_code < 600:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass
                assert time.monotonic() < deadline, "an app server did not start"
                time.sleep(0.3)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)


def login(session: requests.Session, base: str, password: str) -> requests.Response:
    page = session.get(base + LOGIN, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(
        base + LOGIN,
        data={"username": "founder", "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": base + LOGIN},
        allow_redirects=False,
        timeout=10,
    )


def me(session: requests.Session, base: str) -> int:
    return session.get(base + "/api/v1/me/", timeout=10).status_code


def book(session: requests.Session, base: str, instrument, day) -> requests.Response:
    return session.post(
        base + "/api/v1/bookings/",
        json={
            "instrument": instrument.code,
            "start": at(day, "09:00").isoformat(),
            "end": at(day, "10:00").isoformat(),
            "purpose": "表面形貌观察",
        },
        headers={"X-CSRFToken": session.cookies.get("csrftoken", ""), "Referer": base + "/"},
        timeout=20,
    )


def test_signed_in_through_one_server_act_through_the_other(servers, booking_world):
    a, b = servers
    instrument, startup, _manager, day = booking_world
    startup.set_password(PASSWORD)
    startup.save()
    visitor = requests.Session()

    assert me(visitor, b) in (401, 403)
    assert login(visitor, a, PASSWORD).status_code == 302
    # Server B has never seen this visitor: the session it reads is the one A wrote.
    response = visitor.get(b + "/api/v1/me/", timeout=10)
    assert response.status_code == 200
    assert response.json()["username"] == "founder"
    created = book(visitor, b, instrument, day)
    assert created.status_code == 201, created.text
    assert Booking.objects.filter(instrument=instrument, user=startup).count() == 1


def test_one_slot_booked_through_two_servers_at_once_is_booked_once(servers, booking_world):
    from concurrent.futures import ThreadPoolExecutor

    a, b = servers
    instrument, startup, _manager, day = booking_world
    rival = User.objects.create_user(
        "rival",
        "rival@startup.example",
        PASSWORD,
        real_name="对手",
        organisation="测试科技有限公司",
        phone="13800000001",
    )
    startup.set_password(PASSWORD)
    startup.save()
    sessions = []
    for user, base in ((startup, a), (rival, b)):
        session = requests.Session()
        page = session.get(base + LOGIN, timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        signed = session.post(
            base + LOGIN,
            data={"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": base + LOGIN},
            allow_redirects=False,
            timeout=10,
        )
        assert signed.status_code == 302
        sessions.append(session)
    # Each books through the server the other signed in on, both at the same moment.
    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(
                lambda pair: book(pair[0], pair[1], instrument, day),
                zip(sessions, (b, a), strict=True),
            )
        )
    assert sorted(r.status_code for r in results) == [201, 409], [r.text for r in results]
    assert Booking.objects.filter(instrument=instrument).count() == 1


def test_wrong_passwords_through_both_servers_add_up_to_one_lockout(servers, booking_world):
    from django.conf import settings

    a, b = servers
    _instrument, startup, _manager, _day = booking_world
    startup.set_password(PASSWORD)
    startup.save()
    visitor = requests.Session()
    limit = settings.AXES_FAILURE_LIMIT
    # Alternate: neither server alone sees the limit reached.
    for attempt in range(limit - 1):
        response = login(visitor, (a, b)[attempt % 2], "wrong-guess")
        assert response.status_code == 200
    assert login(visitor, b, "wrong-guess").status_code == 429
    # Locked out on both servers, even with the right password; nobody is signed in.
    for base in (a, b):
        response = login(visitor, base, PASSWORD)
        assert response.status_code == 429
        assert me(visitor, base) in (401, 403)
    assert not Booking.objects.exists()
