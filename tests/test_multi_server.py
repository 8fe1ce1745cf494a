"""Two app servers, one database (issue 17): what one server learns, the other knows.

Two real gunicorn processes serve the test database. A visitor fetches the login form from one
and signs in through the other (the CSRF token and the session cross), then acts through the
first; wrong passwords spread over both servers add up to one lockout; the API's sign-up
throttle counts requests through both servers together; two people booking the same slot
through different servers get one booking and one 409; a page one server cached is served by
the other, and a purge made elsewhere is never undone by a server rendering the page from what
it kept in its own memory. Nothing here may live in a server's memory: sessions, django-axes'
failure counts, the booking constraint, throttles and the page cache are all in PostgreSQL
(docs/deploy.md, "Measured multi-server run").
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


def _listening_socket() -> socket.socket:
    """A socket already bound to a free port and listening, handed to gunicorn (fd://): no
    other process can take the port between choosing it and the server starting."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _database_url() -> str:
    """The test database (pytest-django's test_… copy) as a URL for the server processes."""
    s = connection.settings_dict
    return (
        f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
        f"/{s['NAME']}"
    )


@pytest.fixture
def servers(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        # Only reached under REQUIRE_SERVICES=1 (the postgres mark skips it otherwise): fail at
        # once rather than start two servers on a database they cannot share.
        pytest.fail("two app servers need one PostgreSQL database (DATABASE_URL=postgres://…)")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "TASK_BACKEND": "immediate",
        "SEARCH_ENGINE": "database",
        "ELASTICSEARCH_URL": "",
        # On: the anonymous page cache is one of the things the servers must share.
        "PAGE_CACHE": "1",
    }
    procs, urls, logs = [], [], []
    for name in ("a", "b"):
        sock = _listening_socket()
        log = (tmp_path / f"gunicorn-{name}.log").open("wb")
        logs.append(log)
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
                    f"fd://{sock.fileno()}",
                    "--workers",
                    "1",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(sock.fileno(),),
            )
        )
        urls.append(f"http://127.0.0.1:{sock.getsockname()[1]}")
        sock.close()
    try:
        deadline = time.monotonic() + 180
        for url, proc, name in zip(urls, procs, ("a", "b"), strict=True):
            while not _answers(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (tmp_path / f"gunicorn-{name}.log").read_text(errors="replace")
                    pytest.fail(f"app server {name} did not start:\n{log[-3000:]}")
                time.sleep(0.3)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        for log in logs:
            log.close()


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=10).status_code < 600
    except (requests.ConnectionError, requests.Timeout):
        return False


def login(
    session: requests.Session, base: str, password: str, post_to: str | None = None
) -> requests.Response:
    """The login form from `base`, filled in and sent to `post_to` (the same server unless
    given)."""
    page = session.get(base + LOGIN, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(
        (post_to or base) + LOGIN,
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
    # The form (its CSRF cookie and token) comes from A; B checks them and signs the visitor in.
    signed_in = login(visitor, a, PASSWORD, post_to=b)
    assert signed_in.status_code == 302, signed_in.text[:500]
    # A has never seen this visitor sign in: the session it reads is the one B wrote.
    response = visitor.get(a + "/api/v1/me/", timeout=10)
    assert response.status_code == 200
    assert response.json()["username"] == "founder"
    # The CSRF token B rotated at sign-in is accepted by A for a write.
    created = book(visitor, a, instrument, day)
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


def test_the_sign_up_throttle_counts_requests_through_both_servers_together(servers):
    from marketplace.accounts.api import AuthThrottle

    a, b = servers
    limit = AuthThrottle().num_requests
    # Alternate: each server alone sees only half the limit.
    for attempt in range(limit):
        response = requests.post(
            (a, b)[attempt % 2] + "/api/v1/auth/register/", json={}, timeout=10
        )
        assert response.status_code == 400, (attempt, response.status_code)
    for base in (a, b):
        response = requests.post(base + "/api/v1/auth/register/", json={}, timeout=10)
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) > 0


def test_a_page_cached_by_one_server_is_purged_for_both_and_rendered_fresh(servers, site_tree):
    from wagtail.models import Site

    from cms.models import SiteSettings

    a, b = servers
    row = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    row.icp_record = "滇ICP备11111111号-1"
    row.save()

    def home(base: str) -> requests.Response:
        # One public name for both, as behind the proxy (the page cache keys on the host).
        return requests.get(base + "/", headers={"Host": "localhost"}, timeout=20)

    first = home(b)
    assert first.headers["X-Page-Cache"] == "miss"
    assert "滇ICP备11111111号-1" in first.text
    # A never rendered the home page: it serves B's copy from the shared cache.
    shared = home(a)
    assert shared.headers["X-Page-Cache"] == "hit"
    assert shared.text == first.text

    # An administrator changes the filing number (here, in this process; A or B alike). B still
    # holds the old site identity in its own memory; the purge must reach that too, or B would
    # render the old number into the shared cache for every server.
    row.icp_record = "滇ICP备22222222号-2"
    row.save()
    for base in (b, a):
        page = home(base)
        assert "滇ICP备22222222号-2" in page.text, base
        assert "滇ICP备11111111号-1" not in page.text, base
    assert home(a).headers["X-Page-Cache"] == "hit"
