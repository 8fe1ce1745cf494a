"""One language at a time, everywhere a person reads: every public catalogue page, every CMS
page type, the workflow pages (bookings, sample orders, residency, inquiries, vouchers,
statistics) and the account pages render in Chinese with no English words and in English with
no Chinese script; every kind of notice and its email reads in one language.

The only exceptions are the data's own words (names of institutions, instruments, people, the
articles' text), collected from the rows explicitly, and a short list of units, formats and
proper nouns (ALLOWED_ON_CHINESE_PAGES, ALLOWED_ON_ENGLISH_PAGES).
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from django.core import mail
from django.db import models
from django.utils import timezone

from marketplace.bookings import services as bookings
from tests import voucher_fixtures as vf
from tests.booking_fixtures import at
from tests.factories import UserFactory
from tests.test_workflow_pages_in_english import (  # noqa: F401 — chinese_world: a fixture
    ALLOWED_ON_CHINESE_PAGES,
    LATIN_WORD,
    _VisibleText,
    chinese_world,
)

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u9fff]+")
# Full-width punctuation ("：", "；", "、", "（）") in English prose: one written right after an
# English letter, digit or sign (not after the data's own Chinese, as in 云南（昆明）) was put
# there by a template or message.
FULL_WIDTH = re.compile(r"[\x21-\x7e]\s*[\u3000-\u303f\uff00-\uffef]")
# The language menu names Chinese in Chinese, on purpose.
ALLOWED_ON_ENGLISH_PAGES = {"中文", "简体中文"}
# Formats named on download links, the admin's name on the staff's userbar, the world's usernames.
FORMATS = {"CSV", "XLSX", "Atom", "Wagtail"}
SEARCHES = ["扫描电镜", "工艺"]
USERNAMES = {"chuangke", "guanli", "voucher-admin"}


def chinese_in_english(text: str, data: set[str], data_text: str = "") -> set[str]:
    """What of `text` is Chinese but not the data's: script runs and stray punctuation (shown
    with the characters before it, to find it) that the data's text does not hold."""
    runs = set(CJK.findall(text)) - ALLOWED_ON_ENGLISH_PAGES - data
    marks = {
        text[max(0, m.start() - 12) : m.end()]
        for m in FULL_WIDTH.finditer(text)
        if m.group(0) not in data_text
    }
    return runs | marks


class _PageText(_VisibleText):
    """The visible text, less the search hits' snippets: quotes of the indexed documents."""

    def __init__(self):
        super().__init__()
        self._snippet = 0

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        if self._snippet or ("class", "snippet") in attrs:
            self._snippet += 1

    def handle_endtag(self, tag):
        super().handle_endtag(tag)
        if self._snippet:
            self._snippet -= 1

    def handle_data(self, data):
        if not self._snippet:
            super().handle_data(data)


def visible_text(html: str) -> str:
    parser = _PageText()
    parser.feed(html)
    return " ".join(parser.parts)


def _strings_of(instance) -> list[str]:
    values = []
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.ForeignKey):
            continue
        value = getattr(instance, field.attname, None)
        if isinstance(value, str):
            values.append(value)
        elif value is not None and field.get_internal_type() in {"StreamField", "JSONField"}:
            values.append(str(value.raw_data if hasattr(value, "raw_data") else value))
    return values


def data_words() -> tuple[set[str], set[str], str]:
    """The data's own words, from the rows themselves: (Chinese runs, Latin words, all text).
    What people type into search is theirs too."""
    from taggit.models import Tag
    from wagtail.models import Page

    from cms.models import NewsCategory
    from cms.models.departments import Department, DepartmentAlias
    from marketplace.accounts.models import User
    from marketplace.bookings.models import Booking
    from marketplace.catalogue.models import Incubator, Institution, Instrument, Technology
    from marketplace.inquiries.models import Inquiry, InquiryMessage
    from marketplace.residency.models import Application, ApplicationComment
    from marketplace.sampletesting.models import SampleOrder
    from marketplace.vouchers.models import Enterprise, Programme

    texts: list[str] = []
    for model in (
        Institution,
        Instrument,
        Incubator,
        Technology,
        User,
        Booking,
        Department,
        DepartmentAlias,
        NewsCategory,
        Tag,
        Inquiry,
        InquiryMessage,
        Application,
        ApplicationComment,
        SampleOrder,
        Enterprise,
        Programme,
    ):
        for row in model.objects.all():
            texts.extend(_strings_of(row))
    for page in Page.objects.live().specific():
        texts.extend(_strings_of(page))
    texts.extend(SEARCHES)
    chinese = set()
    latin = set()
    for text in texts:
        chinese.update(CJK.findall(text))
        latin.update(LATIN_WORD.findall(text))
    return chinese, latin, "\n".join(texts)


@pytest.fixture
def world(site_pages, chinese_world):  # noqa: F811
    """The workflow pages' Chinese world (a sample order, a residency application and an
    inquiry at 云岭理工大学), plus a bookable instrument with a booking awaiting payment, an
    approved voucher enterprise, a platform moderator and the departments migrate made."""
    from cms.models.departments import Department
    from marketplace.catalogue.models import Institution, RefundTier

    founder, manager, order, application, inquiry = chinese_world
    instrument = vf.instrument(
        institution=Institution.objects.get(code="YLU"),
        code="SEM-8010",
        name="场发射扫描电镜",
        origin_country="JP",
        approval_required=True,
        max_advance_days=30,
    )
    RefundTier.objects.create(instrument=instrument, hours_before=24, refund_percent=100)
    RefundTier.objects.create(instrument=instrument, hours_before=0, refund_percent=0)
    day = timezone.localdate() + dt.timedelta(days=3)
    booking = bookings.request_booking(
        founder, instrument, at(day, "09:00"), at(day, "11:00"), purpose="形貌观察"
    )
    bookings.approve(booking, manager)
    admin = vf.admin_user()
    vf.approved_enterprise(vf.programme(), founder, admin)
    return {
        "founder": founder,
        "manager": manager,
        "admin": admin,
        "moderator": UserFactory(username="moderator", is_superuser=True, is_staff=True),
        "booking": booking,
        "order": order,
        "application": application,
        "inquiry": inquiry,
        "department": Department.objects.order_by("pk").first(),
    }


def pages_of(world) -> dict[str | None, list[str]]:
    """Who reads which pages (None: anyone)."""
    from wagtail.models import Page

    cms_pages = [
        page.url
        for page in Page.objects.live().filter(depth__gt=1).specific()
        if page.url and page.url.startswith("/")
    ]
    department = world["department"]
    booking, order = world["booking"], world["order"]
    application, inquiry = world["application"], world["inquiry"]
    return {
        None: [
            *cms_pages,
            "/instruments/",
            "/instruments/SEM-8010/",
            "/instruments/XRD-1/",
            "/instruments/SEM-8010/calendar/",
            "/incubators/",
            "/incubators/MAKER/",
            "/technologies/",
            "/technologies/TECH-1/",
            "/institutions/",
            "/institutions/YLU/",
            "/search/",
            *(f"/search/?q={query}" for query in SEARCHES),
            "/statistics/",
            "/departments/",
            *([f"/departments/{department.slug}/"] if department else []),
            "/accounts/login/",
            "/accounts/register/",
            "/accounts/password/reset/",
        ],
        "founder": [
            "/workspace/",
            "/notifications/",
            "/accounts/profile/",
            "/accounts/password/change/",
            "/instruments/SEM-8010/book/",
            "/bookings/",
            f"/bookings/{booking.pk}/",
            f"/bookings/{booking.pk}/cancel/confirm/",
            "/instruments/SEM-8010/sample-order/",
            "/sample-orders/",
            f"/sample-orders/{order.pk}/",
            "/incubators/MAKER/apply/",
            "/residency/applications/",
            f"/residency/applications/{application.pk}/",
            "/technologies/TECH-1/inquire/",
            "/inquiries/",
            f"/inquiries/{inquiry.pk}/",
            "/vouchers/",
            "/payments/",
        ],
        "manager": [
            "/workspace/",
            "/notifications/",
            "/bookings/queue/",
            f"/bookings/{booking.pk}/",
            "/sample-orders/queue/",
            f"/sample-orders/{order.pk}/",
            "/residency/queue/",
            f"/residency/applications/{application.pk}/",
            "/inquiries/queue/",
            f"/inquiries/{inquiry.pk}/",
            "/statistics/institution/",
            "/vouchers/claims/",
            "/institutions/YLU/ledger/",
        ],
        "admin": ["/vouchers/settlement/"],
        "moderator": ["/statistics/moderation/"],
    }


def leaks(client, world, language: str) -> dict[str, list[str]]:
    chinese_data, latin_data, data_text = data_words()
    found = {}
    for who, urls in pages_of(world).items():
        if who is None:
            client.logout()
        else:
            client.force_login(world[who])
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            html = response.content.decode()
            if response.status_code != 200 or f'<html lang="{language}">' not in html:
                found[f"{who or 'anyone'} {url}"] = [f"status {response.status_code}"]
                continue
            text = visible_text(html)
            if language == "en":
                words = chinese_in_english(text, chinese_data, data_text)
            else:
                words = (
                    set(LATIN_WORD.findall(text))
                    - ALLOWED_ON_CHINESE_PAGES
                    - latin_data
                    - FORMATS
                    - USERNAMES
                )
            if words:
                found[f"{who or 'anyone'} {url}"] = sorted(words)
    return found


def test_every_page_in_chinese_has_no_english_words(client, world):
    found = leaks(client, world, "zh-hans")
    assert found == {}, "\n".join(f"{url}: {words}" for url, words in found.items())


def test_every_page_in_english_has_no_chinese_script_but_the_data(client, world):
    found = leaks(client, world, "en")
    assert found == {}, "\n".join(f"{url}: {words}" for url, words in found.items())


# --- Notices and their emails ------------------------------------------------------------------


def _headlines() -> set[tuple[str, str]]:
    """Every (Chinese, English) headline the workflows pass to notify(): the MESSAGES tables
    and the literal pairs written at each call, read from the source so a new kind is covered."""
    found = set()
    root = Path(__file__).resolve().parent.parent / "marketplace"
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Tuple) or len(node.elts) != 2:
                continue
            if not all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
                continue
            zh, en = (e.value for e in node.elts)
            if CJK.search(zh) and not CJK.search(en) and LATIN_WORD.search(en):
                found.add((zh, en))
    return found


def test_the_headline_pairs_are_found():
    headlines = _headlines()
    assert ("预约已通过审核，请付款", "Booking approved; please pay") in headlines
    assert ("收到新的服务评价", "New service rating") in headlines
    assert len(headlines) >= 20


def test_every_notice_and_its_email_reads_in_one_language(client, settings):
    from marketplace.notifications.services import notify, send_pending

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    chinese_reader = UserFactory(username="zhong", preferred_language="zh-hans")
    english_reader = UserFactory(username="ying", preferred_language="en")
    subject = "#7 场发射扫描电镜 2026-12-08 08:30"
    headlines = sorted(_headlines())
    for headline in headlines:
        notify([chinese_reader, english_reader], headline, subject, "/bookings/7/")
    assert send_pending() == (2 * len(headlines), 0)
    data = set(CJK.findall(subject))
    english_mail = [m for m in mail.outbox if m.to == [english_reader.email]]
    chinese_mail = [m for m in mail.outbox if m.to == [chinese_reader.email]]
    assert len(english_mail) == len(chinese_mail) == len(headlines)
    for message in english_mail:
        assert chinese_in_english(message.subject + message.body, data) == set(), message.subject
    for message in chinese_mail:
        prose = message.body.replace(f"{settings.SITE_URL}/bookings/7/", "")
        assert set(LATIN_WORD.findall(message.subject + prose)) == set(), message.subject
    for reader, language in ((chinese_reader, "zh-hans"), (english_reader, "en")):
        client.force_login(reader)
        html = client.get("/notifications/?page=1", HTTP_ACCEPT_LANGUAGE=language)
        text = visible_text(html.content.decode())
        if language == "en":
            leftovers = chinese_in_english(text, data)
        else:
            leftovers = set(LATIN_WORD.findall(text)) - ALLOWED_ON_CHINESE_PAGES - {"zhong"}
        assert leftovers == set(), (language, sorted(leftovers))


# --- The admin ---------------------------------------------------------------------------------


def test_the_admin_dashboard_counts_are_in_chinese_for_chinese_readers(client, site_pages):
    editor = UserFactory(username="bianji", is_staff=True, is_superuser=True)
    client.force_login(editor)
    chinese = visible_text(client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert re.search(r"\d+ 个页面", chinese) and "0 张图片" in chinese and "0 个文档" in chinese
    assert not re.search(r"\b(Pages?|Images?|Documents?)\b", chinese)
    english = visible_text(client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "0 Images" in english and "0 Documents" in english


def test_every_admin_listing_shows_words_not_true_or_false(client, world):
    """Each snippet listing of the admin (instruments, incubators, technologies, departments,
    vouchers…), with the world's rows in it, shows flags as words."""
    from django.urls import reverse
    from wagtail.snippets.models import get_snippet_models

    client.force_login(world["moderator"])
    shown = {}
    for model in get_snippet_models():
        url = reverse(model.snippet_viewset.get_url_name("list"))
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        shown[model.__name__] = re.findall(r"\b(?:True|False|None)\b", text)
    assert {name: words for name, words in shown.items() if words} == {}
    assert {"Instrument", "Programme", "Department"} <= set(shown)


def test_english_names_one_item_in_the_singular_and_punctuates_in_ascii(client, world, settings):
    from search.engines import database_engine
    from search.indexing import rebuild

    settings.SEARCH_ENGINE = "database"
    rebuild(database_engine())
    html = client.get("/search/", {"q": "场发射扫描电镜"}, HTTP_ACCEPT_LANGUAGE="en").content
    html = html.decode()
    assert '<a href="/instruments/SEM-8010/">场发射扫描电镜</a>' in html
    assert '<span class="meta">Instrument</span>' in html  # the hit's kind
    assert (
        '?q=%E5%9C%BA%E5%8F%91%E5%B0%84%E6%89%AB%E6%8F%8F%E7%94%B5%E9%95%9C&amp;kind=instrument">Instruments <span class="count">1</span>'
        in html
    )  # the tab
    assert '<span class="meta">Instruments</span>' not in html
    detail = visible_text(
        client.get("/instruments/SEM-8010/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert (
        "Cancellation refunds: Cancel at least 24 hours before the start: 100% refund; "
        "No refund for later cancellations" in detail
    )
    assert "Opening hours: " in detail and "or more hours" not in detail
