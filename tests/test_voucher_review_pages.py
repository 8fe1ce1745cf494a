"""Eligibility through the pages: the enterprise applies with its PDF and follows its
application; the 创新券管理员 review it at 州市 then 省 level, from a queue of pending
applications oldest first; and the administrators' programme dashboard shows the budget,
committed, spent and available live from the ledger, with the top providers as an SVG chart
and its table (query counts pinned)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from marketplace.bookings import services as bookings
from marketplace.vouchers import services
from marketplace.vouchers.models import Application, Balance
from tests import voucher_fixtures as vf
from tests.factories import UserFactory
from tests.residency_fixtures import pdf_upload, text_upload

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def prog():
    return vf.programme()


def application_body(prog, n=1, document=None):
    return {
        "programme": prog.pk,
        "name": "滇创科技有限公司",
        "credit_code": vf.enterprise_code(n),
        "document": document or pdf_upload("营业执照.pdf"),
    }


def test_the_enterprise_applies_with_its_pdf_and_sees_the_status(prog):
    founder = UserFactory(username="founder")
    client = signed_in(founder)
    page = client.get("/vouchers/apply/").content.decode()
    assert "云南省科技创新券 2026" in page and 'id="submit-application"' in page
    answer = client.post("/vouchers/apply/", application_body(prog))
    application = Application.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/vouchers/applications/{application.pk}/"
    assert application.enterprise.credit_code == vf.enterprise_code(1)
    detail = client.get(answer["Location"]).content.decode()
    assert 'id="application-status">待州市审核' in detail and "营业执照.pdf" in detail
    assert 'id="review-form"' not in detail  # the applicant does not review
    download = client.get(f"/vouchers/applications/{application.pk}/document.pdf")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:5] == b"%PDF-"
    listing = client.get("/vouchers/apply/").content.decode()
    assert f"/vouchers/applications/{application.pk}/" in listing and "待州市审核" in listing


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"document": text_upload("licence.pdf")}, "PDF"),
        ({"document": pdf_upload("licence.docx")}, "只接受 PDF 文件"),
        ({"credit_code": "91530100ABCDEFGHIJ"}, "统一社会信用代码无效"),
        ({"name": ""}, "企业名称"),
    ],
)
def test_a_bad_application_is_refused_with_a_clear_message_and_nothing_stored(
    prog, change, message
):
    client = signed_in(UserFactory(username="founder"))
    body = {**application_body(prog), **change}
    answer = client.post("/vouchers/apply/", body)
    assert answer.status_code == 400 and message in answer.content.decode()
    assert not Application.objects.exists()


def test_administrators_review_at_both_levels_from_the_queue_oldest_first(prog):
    admin = vf.admin_user()
    first = signed_in(UserFactory(username="first"))
    first.post("/vouchers/apply/", application_body(prog, 1))
    second = signed_in(UserFactory(username="second"))
    second.post("/vouchers/apply/", {**application_body(prog, 2), "name": "后来科技有限公司"})
    older, newer = Application.objects.order_by("pk")
    Application.objects.filter(pk=newer.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1)
    )
    Application.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=2)
    )
    reviewer = signed_in(admin)
    queue = reviewer.get("/vouchers/review/").content.decode()
    assert queue.index(f'id="review-{older.pk}"') < queue.index(f'id="review-{newer.pk}"')

    # A rejection without a comment is refused and changes nothing.
    refused = reviewer.post(f"/vouchers/applications/{older.pk}/", {"decision": "reject"})
    assert refused.status_code == 302
    assert "不通过须填写意见" in reviewer.get(refused["Location"]).content.decode()
    older.refresh_from_db()
    assert older.status == "submitted"

    page = reviewer.get(f"/vouchers/applications/{older.pk}/").content.decode()
    assert 'id="review-form"' in page and "州市审核" in page
    reviewer.post(
        f"/vouchers/applications/{older.pk}/", {"decision": "approve", "comment": "材料齐全"}
    )
    older.refresh_from_db()
    assert older.status == "prefecture_approved" and older.prefecture_by == admin
    assert not Balance.objects.exists()
    reviewer.post(f"/vouchers/applications/{older.pk}/", {"decision": "approve", "comment": "同意"})
    older.refresh_from_db()
    assert older.status == "approved" and older.province_comment == "同意"
    assert Balance.objects.get(enterprise=older.enterprise).available == Decimal("5000.00")
    reviewer.post(
        f"/vouchers/applications/{newer.pk}/", {"decision": "reject", "comment": "材料不全"}
    )
    newer.refresh_from_db()
    assert newer.status == "rejected"
    queue = reviewer.get("/vouchers/review/").content.decode()
    assert "没有待审核的申请" in queue

    # The applicant reads both levels' comments and the grant on their voucher page.
    seen = first.get(f"/vouchers/applications/{older.pk}/").content.decode()
    assert "已通过" in seen and "材料齐全" in seen and "同意" in seen
    assert "¥5000.00" in first.get("/vouchers/").content.decode()
    assert "材料不全" in second.get(f"/vouchers/applications/{newer.pk}/").content.decode()


def test_only_administrators_review_and_only_the_enterprise_reads_its_application(prog):
    founder = UserFactory(username="founder")
    signed_in(founder).post("/vouchers/apply/", application_body(prog))
    application = Application.objects.get()
    stranger = signed_in(UserFactory(username="stranger"))
    assert stranger.get("/vouchers/review/").status_code == 404
    assert stranger.get("/vouchers/dashboard/").status_code == 404
    assert stranger.get(f"/vouchers/applications/{application.pk}/").status_code == 404
    assert stranger.get(f"/vouchers/applications/{application.pk}/document.pdf").status_code == 404
    answer = stranger.post(f"/vouchers/applications/{application.pk}/", {"decision": "approve"})
    assert answer.status_code == 404
    # The applicant cannot approve their own application either.
    own = signed_in(founder).post(
        f"/vouchers/applications/{application.pk}/", {"decision": "approve"}
    )
    assert own.status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted" and not Balance.objects.exists()
    assert Client().get("/vouchers/review/").status_code == 302  # to the sign-in page


def test_the_dashboard_shows_the_ledger_figures_and_top_providers(prog, django_assert_num_queries):
    admin = vf.admin_user()
    founder = UserFactory(username="founder")
    vf.approved_enterprise(prog, founder, admin)
    made = vf.instrument()
    member = vf.member_of(made.institution, "lab-manager")
    done = vf.book(made, founder, hour=8)
    services.use_voucher(done, founder)
    bookings.pay(done, founder, "offline", return_url="/")
    bookings.confirm_offline_payment(done, member, "BANK-1")
    bookings.complete(done, member, 120)
    waiting = vf.book(made, founder, hour=12)
    services.use_voucher(waiting, founder)
    other = vf.programme(name="昆明市科技创新券", budget=Decimal("20000.00"))

    client = signed_in(admin)
    client.get("/vouchers/dashboard/")  # warm the per-process caches (site, session)
    # Session, user, the administrator check, programmes, postings summed per programme and
    # account, top providers; then base.html's unread badge, the user's and group permissions
    # and the Wagtail profile its user bar reads, in one query (marketplace.signed_in) —
    # whatever the number of programmes and providers.
    with django_assert_num_queries(7):
        page = client.get("/vouchers/dashboard/")
    body = page.content.decode()
    assert page.status_code == 200
    row = body[body.index(f'id="programme-{prog.pk}"') :].split("</tr>")[0]
    # budget 100000, granted 5000, committed 300 (waiting), spent 300 (done), settled 0,
    # available = 100000 − 300 − 300.
    cells = ["¥100000.00", "¥5000.00", "¥300.00", "¥300.00", "¥0.00", "¥99400.00"]
    assert [cell for cell in row.split("<td>") if cell.startswith("¥")] == [
        f"{cell}</td>" for cell in cells
    ]
    other_row = body[body.index(f'id="programme-{other.pk}"') :].split("</tr>")[0]
    assert "¥20000.00" in other_row
    chart = body[body.index("<svg") : body.index("</svg>")]
    assert made.institution.name in chart and "<rect" in chart
    table = body[body.index('id="top-providers"') :].split("</table>")[0]
    assert made.institution.name in table and "¥300.00" in table
    assert "http" not in chart  # no external asset


def test_the_review_and_dashboard_pages_render_in_english(prog):
    admin = vf.admin_user()
    client = signed_in(admin)
    review = client.get("/vouchers/review/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Voucher eligibility review" in review and "资格审核" not in review
    board = client.get("/vouchers/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Voucher programme dashboard" in board and "可用预算" not in board
