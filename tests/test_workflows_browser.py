"""End to end in real headless Chromium, a founder and an institution manager in two browser
contexts: sample testing with a PDF report, a residency application with a business plan, and
a technology inquiry that ends in a recorded deal."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfWriter

from marketplace.catalogue.models import Incubator
from marketplace.inquiries.models import Inquiry
from marketplace.residency.models import Application
from marketplace.sampletesting.models import SampleOrder
from tests.factories import (
    IncubatorFactory,
    InstitutionFactory,
    InstrumentFactory,
    MembershipFactory,
    TechnologyFactory,
    UserFactory,
)
from tests.test_booking_browser import browser, sign_in  # noqa: F401 — the browser fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def one_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def people():
    institution = InstitutionFactory(code="YLU", name="云岭理工大学")
    UserFactory(username="founder")
    manager = UserFactory(username="labmanager")
    MembershipFactory(user=manager, institution=institution, role="manager")
    return institution


def as_user(browser, base, username):  # noqa: F811 — `browser` is the fixture's value
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    sign_in(page, base, username)
    return context, page


def submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_sample_testing_from_request_to_downloaded_report(live_server, browser, people):  # noqa: F811
    InstrumentFactory(
        institution=people, code="YLU-XRD-01", name="X射线衍射仪", offers_sample_testing=True
    )
    base = live_server.url

    founder, page = as_user(browser, base, "founder")
    page.goto(f"{base}/instruments/YLU-XRD-01/")
    submit(page, "#order-sample-testing")
    page.fill("#id_sample_count", "3")
    page.fill("#id_sample_description", "锂电池正极粉末，每份 2 g")
    page.fill("#id_test_items", "物相分析")
    submit(page, "#submit-order")
    assert page.inner_text("#order-status") == "待报价"
    order = SampleOrder.objects.get()

    lab, lab_page = as_user(browser, base, "labmanager")
    lab_page.goto(f"{base}/sample-orders/queue/")
    submit(lab_page, f"a[href='/sample-orders/{order.pk}/']")
    lab_page.fill("#id_price", "900.00")
    lab_page.fill("#id_turnaround_days", "5")
    submit(lab_page, "#quote")
    assert lab_page.inner_text("#order-status") == "已报价"

    page.goto(f"{base}/sample-orders/{order.pk}/")
    assert "¥900.00" in page.content()
    submit(page, "#accept-quote")
    submit(page, "#pay-offline")
    assert page.inner_text("#order-status") == "待付款"

    lab_page.goto(f"{base}/sample-orders/{order.pk}/")
    lab_page.fill("#reference", "ICBC-0042")
    submit(lab_page, "#confirm-payment")
    submit(lab_page, "#receive-samples")
    lab_page.set_input_files(
        "#report",
        {"name": "XRD-report.pdf", "mimeType": "application/pdf", "buffer": one_page_pdf()},
    )
    submit(lab_page, "#deliver-report")
    assert lab_page.inner_text("#order-status") == "报告已出具"
    lab.close()

    page.goto(f"{base}/sample-orders/{order.pk}/")
    with page.expect_download() as download:
        page.click("#report-link")
    path = download.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    submit(page, "#complete")
    assert page.inner_text("#order-status") == "已完成"
    founder.close()
    order.refresh_from_db()
    assert (order.status, order.paid_amount) == ("completed", Decimal("900.00"))


def test_residency_application_with_a_business_plan_is_accepted(live_server, browser, people):  # noqa: F811
    IncubatorFactory(
        institution=people,
        code="YLU-MAKER",
        name="云岭众创空间",
        workstations_total=20,
        workstations_vacant=5,
    )
    base = live_server.url

    founder, page = as_user(browser, base, "founder")
    page.goto(f"{base}/incubators/YLU-MAKER/")
    submit(page, "#apply-residency")
    page.fill("#id_company_name", "昆明星火科技有限公司")
    page.fill("#id_contact_name", "李明")
    page.fill("#id_contact_phone", "13800000000")
    page.fill("#id_team_size", "6")
    page.fill("#id_business_summary", "面向高原特色农业的智能灌溉设备。")
    page.set_input_files(
        "#id_business_plan",
        {"name": "商业计划书.pdf", "mimeType": "application/pdf", "buffer": one_page_pdf()},
    )
    submit(page, "#submit-application")
    assert page.inner_text("#application-status") == "已提交"
    application = Application.objects.get()
    assert application.business_plan

    lab, lab_page = as_user(browser, base, "labmanager")
    lab_page.goto(f"{base}/residency/applications/{application.pk}/")
    submit(lab_page, "#start-review")
    lab_page.fill("#comment-text", "内部：团队背景扎实")
    submit(lab_page, "#internal-comments button[type=submit]")
    lab_page.fill("#id_workstations", "3")
    submit(lab_page, "#accept")
    assert lab_page.inner_text("#application-status") == "已录取"
    lab.close()

    page.goto(f"{base}/residency/applications/{application.pk}/")
    assert "内部：团队背景扎实" not in page.content()
    founder.close()
    assert Incubator.objects.get(code="YLU-MAKER").workstations_vacant == 2


def test_technology_inquiry_negotiated_to_a_recorded_deal(live_server, browser, people):  # noqa: F811
    TechnologyFactory(institution=people, code="YLU-TECH-01", title="高原植物提取工艺")
    base = live_server.url

    founder, page = as_user(browser, base, "founder")
    page.goto(f"{base}/technologies/YLU-TECH-01/")
    submit(page, "a[href='/technologies/YLU-TECH-01/inquire/']")
    page.select_option("#id_intended_mode", "license")
    page.fill("#id_message", "希望了解普通许可的费用与期限。")
    submit(page, "#send-inquiry")
    assert page.inner_text("#inquiry-status") == "待回复"
    inquiry = Inquiry.objects.get()

    lab, lab_page = as_user(browser, base, "labmanager")
    lab_page.goto(f"{base}/inquiries/{inquiry.pk}/")
    lab_page.fill("#reply-form textarea", "普通许可五年，入门费 20 万元。")
    submit(lab_page, "#send-reply")
    inquiry.refresh_from_db()
    assert inquiry.status == "negotiating"
    lab_page.select_option("#id_mode", "license")
    lab_page.fill("#id_amount", "200000.00")
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    lab_page.fill("#id_contract_date", today)
    submit(lab_page, "#record-deal")
    assert lab_page.inner_text("#inquiry-status") == "已成交"
    lab.close()

    page.goto(f"{base}/inquiries/{inquiry.pk}/")
    assert "普通许可五年" in page.inner_text("#thread")
    founder.close()
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.deal_amount) == ("agreed", Decimal("200000.00"))
