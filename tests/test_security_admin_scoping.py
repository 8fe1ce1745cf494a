"""Finding 4 of issue 14: a member walks every admin URL the menu and the listing pages link to
(plus the chooser, bulk-action and export URLs no link shows) and never sees another
institution's listings, drafts, blackouts or editors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter, deque
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from wagtail.log_actions import log

from marketplace.accounts.models import User
from marketplace.catalogue.models import Blackout
from tests.factories import (
    IncubatorFactory,
    InstitutionFactory,
    InstrumentFactory,
    TechnologyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

THEIR_SECRETS = [
    "别人的核磁共振波谱仪",
    "别人的未发布成果",
    "别人的孵化器",
    "别人的停机原因",
    "rival-editor-7",
]
OURS = ["我们的拉曼光谱仪", "staff1"]


def member_of(institution, username) -> User:
    UserFactory(username=username)
    call_command("grant_role", username, institution.code, "staff")
    return User.objects.get(username=username)


@pytest.fixture
def world():
    ours = InstitutionFactory(code="OURS", name="我们的研究院")
    theirs = InstitutionFactory(code="THEIRS", name="别人的大学")
    staff = member_of(ours, "staff1")
    rival = member_of(theirs, "rival-editor-7")
    mine = InstrumentFactory(institution=ours, name="我们的拉曼光谱仪", live=False)
    their_instrument = InstrumentFactory(institution=theirs, name="别人的核磁共振波谱仪")
    their_draft = TechnologyFactory(institution=theirs, title="别人的未发布成果", live=False)
    their_incubator = IncubatorFactory(institution=theirs, name="别人的孵化器", live=False)
    now = timezone.now()
    their_blackout = Blackout.objects.create(
        instrument=their_instrument,
        starts_at=now + dt.timedelta(days=3),
        ends_at=now + dt.timedelta(days=4),
        reason="别人的停机原因",
    )
    for item in (their_instrument, their_draft, their_incubator, their_blackout):
        log(item, "wagtail.edit", user=rival)
    log(mine, "wagtail.edit", user=staff)
    return {
        "staff": staff,
        "mine": mine,
        "theirs": [their_instrument, their_draft, their_incubator, their_blackout],
    }


def text_of(response) -> str:
    """The body as a reader would see it: JSON (chooser modals) decoded, streams joined."""
    if response.streaming:
        raw = b"".join(response.streaming_content).decode("utf-8", "replace")
    else:
        raw = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(json.loads(raw), ensure_ascii=False).replace("\\/", "/")
    return raw


def links(html: str) -> list[str]:
    found = re.findall(r"""(?:href|data-url|action|data-w-swap-src-value)=["']([^"']+)["']""", html)
    return [unescape(url) for url in found]


def assert_clean(url: str, body: str):
    for secret in THEIR_SECRETS:
        assert secret not in body, f"{url} shows {secret!r}"


def explicit_urls(world) -> list[str]:
    their_instrument, their_draft, their_incubator, their_blackout = world["theirs"]
    urls = []
    for model in ("instrument", "technology", "incubator", "blackout"):
        base = f"/admin/snippets/choose/catalogue/{model}/"
        urls += [base, base + "results/", base + "results/?q=别人", base + "?q=别人"]
    for item in world["theirs"]:
        model = item._meta.model_name
        urls += [
            f"/admin/snippets/choose/catalogue/{model}/chosen/{item.pk}/",
            f"/admin/snippets/choose/catalogue/{model}/chosen-multiple/?id={item.pk}",
            f"/admin/bulk/catalogue/{model}/delete/?id={item.pk}&id={world['mine'].pk}",
            f"/admin/bulk/catalogue/{model}/delete/?id=all",
        ]
    urls += [
        "/admin/reports/site-history/",
        "/admin/reports/site-history/?export=csv",
        "/admin/reports/site-history/results/",
        "/admin/reports/aging-pages/",
        "/admin/reports/aging-pages/?export=csv",
        "/admin/reports/locked/",
        "/admin/reports/workflow/",
        "/admin/reports/workflow_tasks/",
        "/admin/reports/page-types-usage/",
        f"/admin/snippets/catalogue/instrument/usage/{their_instrument.pk}/",
        f"/admin/snippets/catalogue/instrument/history/{their_instrument.pk}/",
    ]
    return urls


def test_a_member_walking_the_admin_never_sees_another_institution(world):
    client = Client()
    client.force_login(world["staff"])
    queue = deque(["/admin/", *explicit_urls(world)])
    seen: set[str] = set()
    per_path: Counter = Counter()
    statuses: Counter = Counter()
    while queue and len(seen) < 400:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/admin/") or url in seen:
            continue
        if "logout" in parts.path or per_path[parts.path] >= 4:
            continue
        seen.add(url)
        per_path[parts.path] += 1
        response = client.get(url)
        statuses[response.status_code] += 1
        assert response.status_code != 500, url
        if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
            continue
        body = text_of(response)
        assert_clean(url, body)
        if response.status_code == 302:
            queue.append(response["Location"])
        else:
            queue.extend(links(body))
    # The walk really went through the admin, and saw the member's own things.
    assert len(seen) > 40, sorted(seen)
    assert statuses[200] > 30


def test_the_site_history_report_and_its_csv_list_only_own_edits(world):
    client = Client()
    client.force_login(world["staff"])
    html = client.get("/admin/reports/site-history/").content.decode()
    assert "我们的拉曼光谱仪" in html
    assert_clean("site-history", html)
    response = client.get("/admin/reports/site-history/?export=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2, rows  # the header and the member's own edit
    assert any("我们的拉曼光谱仪" in cell for cell in rows[1])
    assert_clean("site-history csv", text)


def test_the_instrument_chooser_offers_only_own_listings_drafts_included(world):
    client = Client()
    client.force_login(world["staff"])
    html = text_of(client.get("/admin/snippets/choose/catalogue/instrument/"))
    assert "我们的拉曼光谱仪" in html
    assert_clean("chooser", html)
    results = text_of(client.get("/admin/snippets/choose/catalogue/instrument/results/?q=光谱"))
    assert "我们的拉曼光谱仪" in results
    assert_clean("chooser results", results)
    their_instrument = world["theirs"][0]
    chosen = client.get(
        f"/admin/snippets/choose/catalogue/instrument/chosen/{their_instrument.pk}/"
    )
    assert chosen.status_code == 404


def test_bulk_delete_of_another_institutions_listing_names_nothing_and_deletes_nothing(world):
    client = Client()
    client.force_login(world["staff"])
    their_instrument = world["theirs"][0]
    url = f"/admin/bulk/catalogue/instrument/delete/?id={their_instrument.pk}"
    response = client.get(url)
    assert response.status_code in (302, 403, 404)
    assert_clean(url, response.content.decode())
    client.post(url)
    assert type(their_instrument).objects.filter(pk=their_instrument.pk).exists()


def test_a_moderator_still_sees_everything(world):
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    html = text_of(client.get("/admin/snippets/choose/catalogue/instrument/"))
    assert "别人的核磁共振波谱仪" in html and "我们的拉曼光谱仪" in html
    history = client.get("/admin/reports/site-history/").content.decode()
    assert "rival-editor-7" in history


def test_site_history_csv_disarms_formulas(world):
    from wagtail.log_actions import log as log_action

    evil = InstrumentFactory(
        institution=world["mine"].institution, name='=HYPERLINK("http://evil.example","x")'
    )
    log_action(evil, "wagtail.edit", user=world["staff"])
    client = Client()
    client.force_login(world["staff"])
    response = client.get("/admin/reports/site-history/?export=csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert any(cell.startswith("'=HYPERLINK") for cell in cells), cells
    assert not any(cell.startswith("=") for cell in cells)
