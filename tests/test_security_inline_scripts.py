"""Finding 10 of issue 14: the public pages carry no inline script, so the Content-Security-
Policy (script-src 'self') can forbid it everywhere outside the Wagtail admin."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from marketplace.accounts.models import User
from tests.factories import IncubatorFactory, InstrumentFactory, TechnologyFactory

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
EVENT_HANDLER = re.compile(r"""<[^>]+\son[a-z]+\s*=""", re.I)


def inline_scripts(html: str) -> list[str]:
    found = []
    for attributes, body in SCRIPT.findall(html):
        if "src=" in attributes or "application/json" in attributes or not body.strip():
            continue
        found.append(body.strip()[:80])
    return found


def test_public_and_account_pages_have_no_inline_script(site_pages):
    instrument = InstrumentFactory(code="SEM-9")
    incubator = IncubatorFactory(code="INC-9")
    technology = TechnologyFactory(code="TEC-9")
    client = Client()
    pages = [
        "/",
        "/instruments/",
        f"/instruments/{instrument.code}/",
        "/incubators/",
        f"/incubators/{incubator.code}/",
        "/technologies/",
        f"/technologies/{technology.code}/",
        "/search/?q=显微镜",
        "/accounts/login/",
        "/accounts/register/",
        "/accounts/password/reset/",
        "/api/v1/docs/",
    ]
    user = User.objects.create_user("reader", "reader@example.org", "Lotus-Pond-81")
    signed_in = Client()
    signed_in.force_login(user)
    for client_used, url in [(client, page) for page in pages] + [
        (signed_in, "/accounts/"),
        (signed_in, "/accounts/password/change/"),
        (signed_in, "/workspace/"),
    ]:
        response = client_used.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert inline_scripts(html) == [], url
        assert not EVENT_HANDLER.search(html), url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy + ";", (url, policy)
