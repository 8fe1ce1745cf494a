"""The workflow pages are complete in English: with English data, no Chinese text is left over
from a template or a message that someone forgot to translate."""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from marketplace.inquiries.services import open_inquiry, post_message
from marketplace.residency.services import add_comment, start_review, submit_application
from marketplace.sampletesting.services import quote, request_order
from tests.factories import (
    IncubatorFactory,
    InstitutionFactory,
    InstrumentFactory,
    MembershipFactory,
    TechnologyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]+")
# The language switch names Chinese in Chinese, on purpose.
ALLOWED = {"中文", "简体中文"}


@pytest.fixture
def english_world():
    institution = InstitutionFactory(code="YLU", name="Yunling University")
    founder = UserFactory(username="founder")
    manager = UserFactory(username="manager")
    MembershipFactory(user=manager, institution=institution, role="manager")
    instrument = InstrumentFactory(
        institution=institution, code="XRD-1", name="X-ray diffractometer"
    )
    order = request_order(
        founder, instrument, sample_count=2, sample_description="Cathode powder", test_items="XRD"
    )
    quote(order, manager, Decimal("800.00"), 4, "Includes report")
    incubator = IncubatorFactory(institution=institution, code="MAKER", name="Maker space")
    application = submit_application(
        founder,
        incubator,
        {
            "company_name": "Spark Ltd",
            "contact_name": "Li Ming",
            "contact_phone": "13800000000",
            "team_size": 4,
            "business_summary": "Irrigation sensors",
        },
    )
    start_review(application, manager)
    add_comment(application, manager, "Internal note")
    technology = TechnologyFactory(
        institution=institution, code="TECH-1", title="Plant extraction", summary="Green process"
    )
    inquiry = open_inquiry(founder, technology, "Licence terms?", "license")
    post_message(inquiry, manager, "Five years")
    return founder, manager, order, application, inquiry


def leftovers(html: str) -> set[str]:
    return set(CJK.findall(html)) - ALLOWED


def test_workflow_pages_have_no_untranslated_text_in_english(client, english_world):
    founder, manager, order, application, inquiry = english_world
    founder_pages = [
        "/workspace/",
        "/notifications/",
        "/instruments/XRD-1/sample-order/",
        "/sample-orders/",
        f"/sample-orders/{order.pk}/",
        "/incubators/MAKER/apply/",
        "/residency/applications/",
        f"/residency/applications/{application.pk}/",
        "/technologies/TECH-1/inquire/",
        "/inquiries/",
        f"/inquiries/{inquiry.pk}/",
    ]
    manager_pages = [
        "/workspace/",
        "/sample-orders/queue/",
        f"/sample-orders/{order.pk}/",
        "/residency/queue/",
        f"/residency/applications/{application.pk}/",
        "/inquiries/queue/",
        f"/inquiries/{inquiry.pk}/",
    ]
    found = {}
    for user, urls in ((founder, founder_pages), (manager, manager_pages)):
        client.force_login(user)
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code == 200, url
            html = response.content.decode()
            assert '<html lang="en">' in html
            if leftovers(html):
                found[f"{user.username} {url}"] = sorted(leftovers(html))
    assert found == {}


def test_notices_show_the_reader_s_half_of_the_bilingual_text(client, english_world):
    founder, _, order, _, _ = english_world
    client.force_login(founder)
    english = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Sample testing quoted; please accept or cancel: #{order.pk} X-ray" in english
    assert "送样检测已报价" not in english
    chinese = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"送样检测已报价，请确认：#{order.pk} X-ray diffractometer" in chinese
    assert "Sample testing quoted" not in chinese


# --- The other way round: Chinese pages carry no English words --------------------------------

# A word of two or more letters; a token with digits (a model number such as SU8010 or
# XRD-6100) is not a word.
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z][A-Za-z'’]*[A-Za-z](?![A-Za-z0-9_-])")
# Words a Chinese page may show: proper nouns, units, formats and codes (explicit, on purpose).
ALLOWED_ON_CHINESE_PAGES = {
    "English",  # the language switch names English in English
    "PDF",
    "RSS",
    "API",
    "CNY",
    "Stripe",
    "iCal",
    "ICP",
    "JPEG",
    "PNG",
    "MB",
    "min",
    "TRL",
    "NDA",
}


class _VisibleText(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def english_words(html: str, data_words: set[str]) -> set[str]:
    parser = _VisibleText()
    parser.feed(html)
    words = set(LATIN_WORD.findall(" ".join(parser.parts)))
    return words - ALLOWED_ON_CHINESE_PAGES - data_words


@pytest.fixture
def chinese_world():
    institution = InstitutionFactory(code="YLU", name="云岭理工大学")
    founder = UserFactory(username="chuangke")
    manager = UserFactory(username="guanli")
    MembershipFactory(user=manager, institution=institution, role="manager")
    instrument = InstrumentFactory(
        institution=institution, code="XRD-1", name="X 射线衍射仪", origin_country="JP"
    )
    order = request_order(
        founder, instrument, sample_count=2, sample_description="正极粉末", test_items="物相分析"
    )
    quote(order, manager, Decimal("3280000.00"), 4, "含检测报告")
    incubator = IncubatorFactory(institution=institution, code="MAKER", name="众创空间")
    application = submit_application(
        founder,
        incubator,
        {
            "company_name": "星火科技有限公司",
            "contact_name": "李明",
            "contact_phone": "13800000000",
            "team_size": 4,
            "business_summary": "灌溉传感器",
        },
    )
    start_review(application, manager)
    add_comment(application, manager, "内部意见")
    technology = TechnologyFactory(
        institution=institution, code="TECH-1", title="植物提取工艺", summary="绿色工艺"
    )
    inquiry = open_inquiry(founder, technology, "许可条件？", "license")
    post_message(inquiry, manager, "五年")
    return founder, manager, order, application, inquiry


def test_workflow_pages_have_no_english_words_in_chinese(client, chinese_world):
    founder, manager, order, application, inquiry = chinese_world
    # Codes and user names the data itself holds are the data's, not the page's.
    data_words = {"XRD", "YLU", "MAKER", "TECH", "chuangke", "guanli"}
    founder_pages = [
        "/workspace/",
        "/notifications/",
        "/instruments/XRD-1/",
        "/instruments/XRD-1/sample-order/",
        "/sample-orders/",
        f"/sample-orders/{order.pk}/",
        "/incubators/MAKER/apply/",
        "/residency/applications/",
        f"/residency/applications/{application.pk}/",
        "/technologies/TECH-1/inquire/",
        "/inquiries/",
        f"/inquiries/{inquiry.pk}/",
    ]
    manager_pages = [
        "/workspace/",
        "/sample-orders/queue/",
        f"/sample-orders/{order.pk}/",
        "/residency/queue/",
        f"/residency/applications/{application.pk}/",
        "/inquiries/queue/",
        f"/inquiries/{inquiry.pk}/",
    ]
    found = {}
    for user, urls in ((founder, founder_pages), (manager, manager_pages)):
        client.force_login(user)
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            assert response.status_code == 200, url
            html = response.content.decode()
            assert '<html lang="zh-hans">' in html
            if words := english_words(html, data_words):
                found[f"{user.username} {url}"] = sorted(words)
    assert found == {}


def test_history_entries_and_values_read_in_the_page_s_language(client, chinese_world):
    founder, _, order, _, inquiry = chinese_world
    client.force_login(founder)
    chinese = client.get(f"/sample-orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    chinese = chinese.content.decode()
    assert "已提交" in chinese and "requested" not in chinese
    assert "¥3,280,000.00" in chinese and "3280000.00" not in chinese
    english = client.get(f"/sample-orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    english = english.content.decode()
    assert "Submitted" in english and "已提交" not in english
    assert "¥3,280,000.00" in english
    thread = client.get(f"/inquiries/{inquiry.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content
    assert "发起洽谈" in thread.decode() and "opened" not in thread.decode()
    detail = client.get("/instruments/XRD-1/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<dd>日本</dd>" in detail and "<dd>JP</dd>" not in detail
    detail = client.get("/instruments/XRD-1/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<dd>Japan</dd>" in detail
