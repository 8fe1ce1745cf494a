"""The workflow pages are complete in English: with English data, no Chinese text is left over
from a template or a message that someone forgot to translate."""

import re
from decimal import Decimal

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
