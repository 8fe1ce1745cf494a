"""送样检测: request → quote → accept → pay → samples received → report → completed, or declined
and cancelled with the refund the policy gives; who may see and do what; the report file."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter
from rest_framework.authtoken.models import Token

from marketplace.notifications.models import Notification
from marketplace.notifications.services import send_pending
from marketplace.payments.models import Payment, PaymentMethod
from marketplace.sampletesting import services
from marketplace.sampletesting.models import SampleOrder, SampleOrderTransition, Status
from marketplace.sampletesting.services import TRANSITIONS
from marketplace.workflow import Conflict, Forbidden, NotFound, RuleError
from tests.factories import InstitutionFactory, InstrumentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name: str = "report.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or pdf_bytes(), content_type="application/pdf")


@pytest.fixture
def lab():
    institution = InstitutionFactory(code="YLU", name="云岭理工大学")
    instrument = InstrumentFactory(
        institution=institution,
        code="YLU-XRD.01",
        name="X射线衍射仪",
        offers_sample_testing=True,
        price_per_sample=Decimal("300.00"),
    )
    startup = UserFactory(username="founder", email="founder@startup.example")
    manager = UserFactory(username="manager", email="lab@ylu.example")
    MembershipFactory(user=manager, institution=institution, role="manager")
    return instrument, startup, manager


def ordered(lab, **overrides) -> SampleOrder:
    instrument, startup, _ = lab
    data = {
        "sample_count": 3,
        "sample_description": "锂电池正极粉末，每份 2 g",
        "test_items": "物相分析，2θ 10°–80°",
    }
    data.update(overrides)
    return services.request_order(startup, instrument, **data)


def paid_order(lab) -> SampleOrder:
    _, startup, manager = lab
    order = ordered(lab)
    services.quote(order, manager, Decimal("900.00"), 5)
    services.accept_quote(order, startup, version=1)
    services.pay(order, startup, "offline", return_url="http://testserver/")
    return services.confirm_offline_payment(order, manager, "BANK-2026-001")


def walk_to(lab, status: str) -> SampleOrder:
    """An order brought to `status` along the shortest allowed path."""
    _, startup, manager = lab
    order = ordered(lab)
    if status == Status.REQUESTED:
        return order
    if status == Status.DECLINED:
        return services.decline(order, manager, "本月检测排满")[0]
    if status == Status.CANCELLED:
        return services.cancel(order, startup)[0]
    order = services.quote(order, manager, Decimal("900.00"), 5)
    if status == Status.QUOTED:
        return order
    order = services.accept_quote(order, startup, version=1)
    if status == Status.AWAITING_PAYMENT:
        return order
    if status == Status.EXPIRED:
        run_out_hold(order)
        return services.get_order_for(startup, order.pk)
    order = services.confirm_offline_payment(order, manager, "BANK-1")
    if status == Status.CONFIRMED:
        return order
    order = services.receive_samples(order, manager)
    if status == Status.SAMPLES_RECEIVED:
        return order
    order = services.deliver_report(order, manager, pdf_upload())
    if status == Status.REPORT_DELIVERED:
        return order
    return services.complete(order, startup)


def run_out_hold(order: SampleOrder) -> None:
    SampleOrder.objects.filter(pk=order.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )


def expire(order: SampleOrder) -> None:
    """The only way to expired: the payment hold runs out (found on the next read)."""
    run_out_hold(order)
    if not services.HOLDS.expire_overdue(ids=[order.pk]):
        raise services.ORDER_FLOW.refuse(order)


def attempt(lab, order: SampleOrder, target: str) -> None:
    """Try to move `order` to `target` as the party who would normally do it."""
    _, startup, manager = lab
    moves = {
        Status.QUOTED: lambda: services.quote(order, manager, Decimal("800.00"), 3),
        Status.AWAITING_PAYMENT: lambda: services.accept_quote(order, startup, version=1),
        Status.CONFIRMED: lambda: services.confirm_offline_payment(order, manager, "REF"),
        Status.SAMPLES_RECEIVED: lambda: services.receive_samples(order, manager),
        Status.REPORT_DELIVERED: lambda: services.deliver_report(order, manager, pdf_upload()),
        Status.COMPLETED: lambda: services.complete(order, startup),
        Status.DECLINED: lambda: services.decline(order, manager, "不做"),
        Status.CANCELLED: lambda: services.cancel(order, manager),
        Status.EXPIRED: lambda: expire(order),
    }
    moves[target]()


ALL_MOVES = [
    (source, target)
    for source in TRANSITIONS
    for target in Status.values
    if target != Status.REQUESTED
]


@pytest.mark.parametrize(("source", "target"), ALL_MOVES)
def test_every_transition_is_allowed_exactly_when_the_table_says_so(lab, source, target):
    order = walk_to(lab, source)
    assert order.status == source
    allowed = target in TRANSITIONS[source]
    # Accepting a priced quote goes to awaiting_payment, never straight to confirmed.
    if source == Status.QUOTED and target == Status.CONFIRMED:
        allowed = False
    if allowed:
        attempt(lab, order, target)
        order.refresh_from_db()
        assert order.status == target
        assert order.transitions.last().to_status == target
    elif target == Status.CONFIRMED and source in services.PAID_STATUSES:
        # A transfer for an order already paid moves nothing: it is recorded and sent back.
        before = order.transitions.count()
        attempt(lab, order, target)
        order.refresh_from_db()
        assert order.status == source
        assert order.transitions.count() == before
        assert order.payments.filter(kind="refund", refund_of__reference="REF").exists()
    else:
        before = order.transitions.count()
        with pytest.raises(Conflict):
            attempt(lab, order, target)
        order.refresh_from_db()
        assert order.status == source
        assert order.transitions.count() == before


def test_a_free_quote_accepted_is_confirmed_without_payment(lab):
    _, startup, manager = lab
    order = ordered(lab)
    services.quote(order, manager, Decimal("0.00"), 2)
    services.accept_quote(order, startup, version=1)
    order.refresh_from_db()
    assert order.status == Status.CONFIRMED
    assert not order.payments.exists()


def test_the_whole_walk_records_who_did_what_and_delivers_the_report(lab):
    _, startup, manager = lab
    order = walk_to(lab, Status.COMPLETED)
    log = list(
        SampleOrderTransition.objects.filter(order=order).values_list("to_status", "by__username")
    )
    assert log == [
        ("requested", "founder"),
        ("quoted", "manager"),
        ("awaiting_payment", "founder"),
        ("confirmed", "manager"),
        ("samples_received", "manager"),
        ("report_delivered", "manager"),
        ("completed", "founder"),
    ]
    assert order.paid_amount == Decimal("900.00")
    assert order.report_name == "report.pdf"
    with order.report.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_each_transition_notifies_the_other_side_once(lab):
    _, startup, manager = lab
    order = ordered(lab)
    assert Notification.objects.filter(user=manager).count() == 1
    assert Notification.objects.filter(user=startup).count() == 0
    services.quote(order, manager, Decimal("900.00"), 5)
    assert Notification.objects.filter(user=startup).count() == 1
    notice = Notification.objects.get(user=startup)
    assert notice.url == f"/sample-orders/{order.pk}/"
    assert notice.message == f"送样检测已报价，请确认：#{order.pk} X射线衍射仪"
    assert (
        notice.message_en
        == f"Sample testing quoted; please accept or cancel: #{order.pk} X射线衍射仪"
    )
    mail.outbox.clear()
    assert send_pending() == (2, 0)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "founder@startup.example",
        "lab@ylu.example",
    ]
    assert f"/sample-orders/{order.pk}/" in mail.outbox[0].body
    founder_mail = next(m for m in mail.outbox if m.to == ["founder@startup.example"])
    # No preferred language: the site default, Chinese only.
    assert "送样检测已报价，请确认" in founder_mail.body
    assert "Sample testing quoted" not in founder_mail.body + founder_mail.subject


def test_notice_emails_go_in_each_person_s_preferred_language(lab):
    _, startup, manager = lab
    startup.preferred_language = "en"
    startup.save(update_fields=["preferred_language"])
    manager.email_notifications = False
    manager.save(update_fields=["email_notifications"])
    order = ordered(lab)  # tells the manager: in-site only, email is off
    services.quote(order, manager, Decimal("900.00"), 5)
    mail.outbox.clear()
    assert send_pending() == (1, 0)
    (message,) = mail.outbox
    assert message.to == ["founder@startup.example"]
    assert message.subject.startswith("[Innovation Resource Sharing Platform] Sample testing")
    assert f"Sample testing quoted; please accept or cancel: #{order.pk}" in message.body
    # Only the data (the instrument's name, after "#") may be Chinese.
    assert not re.search(
        r"[\u4e00-\u9fff]", message.subject.split("#")[0] + message.body.split("#")[0]
    )
    assert Notification.objects.filter(user=manager).count() == 1


class _HistoricalApps:
    """The notices' model as the bookings app's 0006 migration knew it (same table)."""

    def get_model(self, app_label, model_name):
        return Notification


def test_notices_stored_the_old_bilingual_way_are_split_by_the_migration(lab):
    import importlib

    _, startup, _ = lab
    old = Notification.objects.create(
        user=startup, message="预约已确认 / Booking confirmed: 扫描电镜 2026-12-07 09:00"
    )
    untouched = Notification.objects.create(user=startup, message="系统通知")
    migration = importlib.import_module(
        "marketplace.bookings.migrations.0006_notification_text_in_both_languages"
    )
    migration.split_bilingual_notices(_HistoricalApps(), None)
    old.refresh_from_db()
    untouched.refresh_from_db()
    assert old.message == "预约已确认：扫描电镜 2026-12-07 09:00"
    assert old.message_en == "Booking confirmed: 扫描电镜 2026-12-07 09:00"
    assert (untouched.message, untouched.message_en) == ("系统通知", "")


def test_only_the_institution_quotes_and_only_the_requester_accepts(lab):
    _, startup, manager = lab
    order = ordered(lab)
    with pytest.raises(Forbidden):
        services.quote(order, startup, Decimal("1.00"), 1)
    services.quote(order, manager, Decimal("900.00"), 5)
    with pytest.raises(Forbidden):
        services.accept_quote(order, manager, version=1)


@pytest.mark.parametrize(
    ("price", "days", "code"),
    [
        ("-1.00", 5, "price"),
        ("12.345", 5, "price"),
        ("abc", 5, "price"),
        ("20000000.00", 5, "price"),
        ("100.00", 0, "turnaround_days"),
        ("100.00", 400, "turnaround_days"),
    ],
)
def test_a_bad_quote_is_refused_and_changes_nothing(lab, price, days, code):
    _, _, manager = lab
    order = ordered(lab)
    with pytest.raises(RuleError) as refused:
        services.quote(order, manager, price, days)
    assert refused.value.code == code
    order.refresh_from_db()
    assert order.status == Status.REQUESTED
    assert order.price is None


def test_an_instrument_without_sample_testing_refuses_orders(lab):
    instrument, startup, _ = lab
    instrument.offers_sample_testing = False
    instrument.save()
    with pytest.raises(RuleError) as refused:
        ordered(lab)
    assert refused.value.code == "no_sample_testing"
    assert not SampleOrder.objects.exists()


def test_cancelling_before_the_samples_arrive_refunds_everything(lab):
    _, startup, _ = lab
    order = paid_order(lab)
    order, refund = services.cancel(order, startup, "项目调整")
    assert refund == Decimal("900.00")
    assert order.status == Status.CANCELLED
    refund_row = order.payments.get(kind="refund")
    assert refund_row.amount == Decimal("900.00")
    assert refund_row.method == "offline"


def test_the_requester_cannot_cancel_once_the_samples_are_in_the_lab(lab):
    _, startup, manager = lab
    order = paid_order(lab)
    services.receive_samples(order, manager)
    with pytest.raises(Conflict) as refused:
        services.cancel(order, startup)
    assert refused.value.code == "samples_received"
    order, refund = services.cancel(order, manager, "仪器故障")
    assert order.status == Status.CANCELLED
    assert refund == Decimal("900.00")


def test_declining_after_payment_refunds_in_full(lab):
    _, startup, manager = lab
    order = ordered(lab)
    services.quote(order, manager, Decimal("900.00"), 5)
    services.accept_quote(order, startup, version=1)
    services.pay(order, startup, "offline", return_url="http://testserver/")
    order, refund = services.decline(order, manager, "样品不符合要求")
    assert refund == Decimal("0.00")  # the transfer was never confirmed
    assert order.decline_reason == "样品不符合要求"
    assert Payment.objects.filter(sample_order=order, kind="refund").count() == 0


def test_a_payment_row_belongs_to_exactly_one_item(lab):
    from django.db import IntegrityError, transaction

    order = ordered(lab)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(method="offline", amount=Decimal("1.00"))
    assert Payment.objects.filter(sample_order=order).count() == 0


# --- Report files --------------------------------------------------------------------------


@pytest.fixture
def in_lab(lab):
    _, _, manager = lab
    order = paid_order(lab)
    services.receive_samples(order, manager)
    return order


def stored_files(settings) -> list:
    root = settings.PRIVATE_MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("report.pdf", b"just some text pretending to be a PDF", "attachment_not_pdf"),
        ("report.txt", None, "attachment_not_pdf"),
    ],
)
def test_a_bad_report_file_is_refused_and_nothing_is_stored(
    lab, in_lab, settings, name, content, code
):
    _, _, manager = lab
    with pytest.raises(RuleError) as refused:
        services.deliver_report(in_lab, manager, pdf_upload(name, content))
    assert refused.value.code == code
    in_lab.refresh_from_db()
    assert in_lab.status == Status.SAMPLES_RECEIVED
    assert not in_lab.report
    assert stored_files(settings) == []


def test_an_oversized_report_is_refused(lab, in_lab, settings):
    _, _, manager = lab
    settings.ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(RuleError) as refused:
        services.deliver_report(in_lab, manager, pdf_upload())
    assert refused.value.code == "attachment_too_large"
    assert stored_files(settings) == []


def test_the_report_is_stored_outside_the_public_media_folder(lab, in_lab, settings):
    _, _, manager = lab
    services.deliver_report(in_lab, manager, pdf_upload())
    files = stored_files(settings)
    assert len(files) == 1
    assert files[0].read_bytes().startswith(b"%PDF-")
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_report_upload_without_a_file_is_a_400_naming_the_field(
    lab, in_lab, api_client, settings
):
    _, _, manager = lab
    lab_api = token_client(api_client, manager)
    response = lab_api.post(f"/api/v1/sample-orders/{in_lab.pk}/report/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"errors": {"report": ["请上传 PDF 报告"]}}
    in_lab.refresh_from_db()
    assert in_lab.status == Status.SAMPLES_RECEIVED
    assert not in_lab.report
    assert stored_files(settings) == []


# --- Who sees what -------------------------------------------------------------------------


def test_strangers_and_other_institutions_get_404_everywhere(lab, in_lab, client, api_client):
    _, _, manager = lab
    services.deliver_report(in_lab, manager, pdf_upload())
    stranger = UserFactory(username="stranger")
    other_member = UserFactory(username="other")
    MembershipFactory(user=other_member, institution=InstitutionFactory(code="KMU"))
    for user in (stranger, other_member):
        with pytest.raises(NotFound):
            services.get_order_for(user, in_lab.pk)
        client.force_login(user)
        assert client.get(f"/sample-orders/{in_lab.pk}/").status_code == 404
        assert client.get(f"/sample-orders/{in_lab.pk}/report/").status_code == 404
        assert client.post(f"/sample-orders/{in_lab.pk}/complete/").status_code == 404
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        base = f"/api/v1/sample-orders/{in_lab.pk}/"
        assert api_client.get(base).status_code == 404
        assert api_client.get(base + "report/").status_code == 404
        for action in ("quote", "accept-quote", "decline", "pay", "cancel", "complete"):
            assert api_client.post(base + action + "/", {}, format="json").status_code == 404
        assert api_client.get("/api/v1/sample-orders/").json()["count"] == 0
    in_lab.refresh_from_db()
    assert in_lab.status == Status.REPORT_DELIVERED


def test_the_report_downloads_for_the_requester_and_the_institution(lab, in_lab, client):
    _, startup, manager = lab
    services.deliver_report(in_lab, manager, pdf_upload("XRD 报告.pdf"))
    for user in (startup, manager):
        client.force_login(user)
        response = client.get(f"/sample-orders/{in_lab.pk}/report/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF-")


# --- API -----------------------------------------------------------------------------------


def token_client(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api_client


def test_the_api_walks_an_order_from_request_to_report(lab, api_client):
    from rest_framework.test import APIClient

    instrument, startup, manager = lab
    founder = token_client(api_client, startup)
    lab_api = token_client(APIClient(), manager)
    created = founder.post(
        f"/api/v1/instruments/{instrument.code}/sample-orders/",
        {"sample_count": 2, "sample_description": "土壤样品", "test_items": "重金属含量"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "requested"
    base = f"/api/v1/sample-orders/{body['id']}/"
    quoted = lab_api.post(
        base + "quote/", {"price": "1200.00", "turnaround_days": 7}, format="json"
    )
    assert quoted.status_code == 200, quoted.content
    assert quoted.json()["price"] == {"amount": "1200.00", "currency": "CNY"}
    assert (
        founder.post(base + "accept-quote/", {"quote_version": 1}, format="json").json()["status"]
        == "awaiting_payment"
    )
    offline = founder.post(base + "pay/", {"method": "offline"}, format="json")
    assert offline.json()["amount"] == {"amount": "1200.00", "currency": "CNY"}
    confirmed = lab_api.post(
        base + "confirm-offline-payment/", {"reference": "BANK-77"}, format="json"
    )
    assert confirmed.json()["status"] == "confirmed"
    assert lab_api.post(base + "receive-samples/").json()["status"] == "samples_received"
    uploaded = lab_api.post(
        base + "report/", {"report": pdf_upload("result.pdf")}, format="multipart"
    )
    assert uploaded.status_code == 200, uploaded.content
    assert uploaded.json()["has_report"] is True
    download = founder.get(base + "report/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    done = founder.post(base + "complete/").json()
    assert done["status"] == "completed"
    assert [row["to_status"] for row in done["transitions"]][-1] == "completed"
    assert done["payments"][0]["amount"] == {"amount": "1200.00", "currency": "CNY"}


def multipart_with_raw_name(field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart body naming the file exactly as given (test clients strip the path)."""
    boundary = "----boundary7MA4YWxkTrZu0gW"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_the_api_refuses_a_traversal_file_name_with_a_clear_400(lab, in_lab, api_client, settings):
    _, _, manager = lab
    body, content_type = multipart_with_raw_name("report", "../../x.pdf", pdf_bytes())
    response = token_client(api_client, manager).generic(
        "POST", f"/api/v1/sample-orders/{in_lab.pk}/report/", body, content_type
    )
    assert response.status_code == 400
    assert response.json()["code"] == "attachment_bad_name"
    assert "路径" in response.json()["errors"]["non_field_errors"][0]
    assert stored_files(settings) == []
    in_lab.refresh_from_db()
    assert in_lab.status == Status.SAMPLES_RECEIVED


def test_the_report_page_refuses_a_traversal_file_name_too(lab, in_lab, client, settings):
    _, _, manager = lab
    client.force_login(manager)
    body, content_type = multipart_with_raw_name("report", "../../x.pdf", pdf_bytes())
    response = client.generic(
        "POST", f"/sample-orders/{in_lab.pk}/deliver_report/", body, content_type
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "文件名不能包含路径" in page
    assert "the file name must not contain a path" not in page  # one language at a time
    assert stored_files(settings) == []
    in_lab.refresh_from_db()
    assert in_lab.status == Status.SAMPLES_RECEIVED


def test_the_api_answers_bad_bodies_and_wrong_states_clearly(lab, api_client):
    instrument, startup, _ = lab
    founder = token_client(api_client, startup)
    url = f"/api/v1/instruments/{instrument.code}/sample-orders/"
    bad = founder.post(url, {"sample_count": 0, "test_items": ""}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) >= {"sample_count", "sample_description", "test_items"}
    assert founder.post(url, ["not", "an", "object"], format="json").status_code == 400
    missing = founder.post(
        "/api/v1/instruments/NOPE/sample-orders/",
        {"sample_count": 1, "sample_description": "x", "test_items": "y"},
        format="json",
    )
    assert missing.status_code == 404
    order = ordered(lab)
    early = founder.post(
        f"/api/v1/sample-orders/{order.pk}/accept-quote/", {"quote_version": 1}, format="json"
    )
    assert early.status_code == 409
    assert early.json()["code"] == "transition_not_allowed"
    assert SampleOrder.objects.count() == 1


def test_a_bad_invoice_request_names_the_nested_field_and_opens_no_payment(
    lab, awaiting_payment, api_client
):
    _, startup, _ = lab
    founder = token_client(api_client, startup)
    response = founder.post(
        f"/api/v1/sample-orders/{awaiting_payment.pk}/pay/",
        {
            "method": "offline",
            "invoice": {
                "kind": "normal",
                "title": "某公司",
                "tax_id": "1234567",
                "email": "finance@example.com",
            },
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["invoice.tax_id"]
    assert all(isinstance(message, str) for message in errors["invoice.tax_id"])
    assert "18" in errors["invoice.tax_id"][0]
    assert not awaiting_payment.payments.exists()


def test_the_order_list_endpoint_makes_a_fixed_number_of_queries(
    lab, api_client, django_assert_num_queries
):
    _, startup, _ = lab
    for _ in range(5):
        ordered(lab)
    founder = token_client(api_client, startup)
    # token and user, moderator group, memberships, the overdue holds to expire (none), count,
    # page
    with django_assert_num_queries(6):
        response = founder.get("/api/v1/sample-orders/")
    assert response.json()["count"] == 5


# --- Pages ---------------------------------------------------------------------------------


def test_the_request_form_keeps_what_was_typed_when_something_is_wrong(lab, client):
    instrument, startup, _ = lab
    client.force_login(startup)
    response = client.post(
        f"/instruments/{instrument.code}/sample-order/",
        {"sample_count": "0", "sample_description": "岩芯样品 12 段", "test_items": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "岩芯样品 12 段" in html
    assert 'class="errorlist"' in html
    assert not SampleOrder.objects.exists()


def test_the_pages_walk_request_quote_and_offline_payment(lab, client):
    instrument, startup, manager = lab
    client.force_login(startup)
    response = client.post(
        f"/instruments/{instrument.code}/sample-order/",
        {"sample_count": "2", "sample_description": "岩芯样品", "test_items": "孔隙度"},
    )
    order = SampleOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/sample-orders/{order.pk}/"
    client.force_login(manager)
    queue = client.get("/sample-orders/queue/")
    assert f"/sample-orders/{order.pk}/" in queue.content.decode()
    bad_quote = client.post(
        f"/sample-orders/{order.pk}/quote/", {"price": "-5", "turnaround_days": "3"}
    )
    assert bad_quote.status_code == 400
    client.post(f"/sample-orders/{order.pk}/quote/", {"price": "600.00", "turnaround_days": "3"})
    client.force_login(startup)
    page = client.get(f"/sample-orders/{order.pk}/").content.decode()
    assert "¥600.00" in page
    assert 'id="accept-quote"' in page
    assert 'id="quote"' not in page
    client.post(f"/sample-orders/{order.pk}/accept_quote/", {"quote_version": 1})
    client.post(f"/sample-orders/{order.pk}/pay/", {"method": "offline"})
    client.force_login(manager)
    client.post(f"/sample-orders/{order.pk}/confirm_offline_payment/", {"reference": "B-9"})
    order.refresh_from_db()
    assert order.status == Status.CONFIRMED
    assert order.paid_amount == Decimal("600.00")


def test_the_requester_cannot_quote_through_the_page(lab, client):
    _, startup, _ = lab
    order = ordered(lab)
    client.force_login(startup)
    client.post(f"/sample-orders/{order.pk}/quote/", {"price": "1.00", "turnaround_days": "1"})
    order.refresh_from_db()
    assert order.status == Status.REQUESTED
    assert order.price is None


def test_the_queue_is_404_for_people_without_an_institution(lab, client):
    _, startup, _ = lab
    client.force_login(startup)
    assert client.get("/sample-orders/queue/").status_code == 404


def test_my_orders_and_the_queue_make_a_fixed_number_of_queries(
    lab, client, django_assert_num_queries
):
    _, startup, manager = lab
    for _ in range(5):
        ordered(lab)
    client.force_login(startup)
    # session, user, count, page, the header's unread-notices badge with the Wagtail user bar's
    # permission lookup (one query: marketplace.signed_in, issue 17), the overdue holds to
    # expire (issue 13)
    with django_assert_num_queries(6):
        assert client.get("/sample-orders/").status_code == 200
    client.force_login(manager)
    # ... plus memberships and the moderator group check (the badge and the user bar's
    # permissions still one query, marketplace.signed_in)
    with django_assert_num_queries(8):
        assert client.get("/sample-orders/queue/").status_code == 200


# --- Online payment ------------------------------------------------------------------------


@pytest.fixture
def awaiting_payment(lab):
    _, startup, manager = lab
    order = ordered(lab)
    services.quote(order, manager, Decimal("900.00"), 5)
    return services.accept_quote(order, startup, version=1)


@pytest.mark.stripe
def test_online_payment_opens_a_checkout_session_for_the_quote_in_fen(
    lab, awaiting_payment, api_client
):
    _, startup, _ = lab
    response = token_client(api_client, startup).post(
        f"/api/v1/sample-orders/{awaiting_payment.pk}/pay/", {"method": "stripe"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["session_id"].startswith("cs_")
    payment = Payment.objects.get(sample_order=awaiting_payment)
    assert (payment.method, payment.status, payment.amount) == (
        "stripe",
        "pending",
        Decimal("900.00"),
    )


def test_a_paid_checkout_webhook_confirms_the_order_once(
    lab, awaiting_payment, client, settings, monkeypatch
):
    from marketplace.payments import webhooks
    from tests.test_booking_stripe import SECRET, event, post

    settings.STRIPE_WEBHOOK_SECRET = SECRET
    Payment.objects.create(
        sample_order=awaiting_payment,
        method="stripe",
        amount=Decimal("900.00"),
        stripe_session_id="cs_sample_1",
    )
    monkeypatch.setattr(
        webhooks,
        "fetch_checkout_session",
        lambda session_id: {
            "id": session_id,
            "payment_status": "paid",
            "status": "complete",
            "payment_intent": "pi_sample",
        },
    )
    completed = event("evt_sample_1", "checkout.session.completed", {"id": "cs_sample_1"})
    assert post(client, completed).status_code == 200
    assert post(client, completed).json()["detail"] == "already processed"
    awaiting_payment.refresh_from_db()
    assert awaiting_payment.status == Status.CONFIRMED
    assert awaiting_payment.paid_amount == Decimal("900.00")
    assert awaiting_payment.transitions.filter(to_status=Status.CONFIRMED).count() == 1


@pytest.mark.parametrize("price", ["1e30", "9" * 40, "NaN", "-0.001"])
def test_an_absurd_quote_through_the_api_is_a_400_not_a_crash(lab, api_client, price):
    _, _, manager = lab
    order = ordered(lab)
    response = token_client(api_client, manager).post(
        f"/api/v1/sample-orders/{order.pk}/quote/",
        {"price": price, "turnaround_days": 3},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body.get("code") == "price" or "price" in body["errors"]
    order.refresh_from_db()
    assert order.price is None


@pytest.mark.stripe
def test_paying_online_from_the_order_page_redirects_to_stripe_checkout(
    lab, awaiting_payment, client
):
    _, startup, _ = lab
    client.force_login(startup)
    page = client.get(f"/sample-orders/{awaiting_payment.pk}/").content.decode()
    assert 'id="pay-stripe"' in page
    response = client.post(f"/sample-orders/{awaiting_payment.pk}/pay/", {"method": "stripe"})
    assert response.status_code == 302
    assert response["Location"].startswith("http")
    assert Payment.objects.get(sample_order=awaiting_payment).method == PaymentMethod.STRIPE


def test_without_stripe_the_order_page_offers_only_bank_transfer(
    lab, awaiting_payment, client, settings
):
    _, startup, _ = lab
    settings.PAYMENT_METHODS = ["offline"]
    client.force_login(startup)
    page = client.get(f"/sample-orders/{awaiting_payment.pk}/").content.decode()
    assert 'id="pay-stripe"' not in page
    assert 'id="pay-offline"' in page


def test_a_platform_moderator_sees_every_institution_s_queue(lab, client):
    from django.contrib.auth.models import Group

    from marketplace.accounts.permissions import MODERATORS_GROUP

    order = ordered(lab)
    moderator = UserFactory(username="moderator")
    moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    client.force_login(moderator)
    queue = client.get("/sample-orders/queue/")
    assert queue.status_code == 200
    assert f"/sample-orders/{order.pk}/" in queue.content.decode()


def test_the_order_page_and_detail_endpoint_make_a_fixed_number_of_queries(
    lab, in_lab, client, api_client, django_assert_num_queries
):
    _, startup, _ = lab
    client.force_login(startup)
    # session, user, moderator check, memberships, order, transitions, payments, and the
    # header's unread-notices badge with the user bar's permissions (one: marketplace.signed_in)
    with django_assert_num_queries(8):
        assert client.get(f"/sample-orders/{in_lab.pk}/").status_code == 200
    founder = token_client(api_client, startup)
    # token and user, moderator check, memberships, visibility check, order, transitions, payments
    with django_assert_num_queries(7):
        assert founder.get(f"/api/v1/sample-orders/{in_lab.pk}/").status_code == 200


def test_a_session_signed_in_api_upload_with_a_path_in_the_name_is_refused_too(
    lab, in_lab, settings
):
    """DRF's CSRF check for session callers reads request.POST of DRF's own Request, so the
    form is parsed by the view's raw-name parser, as for token callers."""
    from django.middleware.csrf import _get_new_csrf_string
    from rest_framework.test import APIClient

    _, _, manager = lab
    browser_like = APIClient(enforce_csrf_checks=True)
    browser_like.force_login(manager)
    token = _get_new_csrf_string()
    browser_like.cookies[settings.CSRF_COOKIE_NAME] = token
    body, content_type = multipart_with_raw_name("report", "../../x.pdf", pdf_bytes())
    response = browser_like.generic(
        "POST",
        f"/api/v1/sample-orders/{in_lab.pk}/report/",
        body,
        content_type,
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "attachment_bad_name"
    assert stored_files(settings) == []
