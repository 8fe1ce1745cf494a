"""Every workflow model has a factory, and what it builds is a valid row the pages can show."""

from decimal import Decimal

import pytest

from tests.factories import (
    ApplicationFactory,
    BookingFactory,
    InquiryFactory,
    NotificationFactory,
    PaymentFactory,
    SampleOrderFactory,
)

pytestmark = pytest.mark.django_db


def test_a_paid_booking_from_the_factories_reads_as_paid():
    payment = PaymentFactory()
    assert payment.booking.status == "confirmed"
    assert payment.booking.paid_amount == Decimal("450.00")


def test_each_workflow_factory_builds_an_item_its_owner_can_open(client):
    items = [
        (BookingFactory(), "user", "/bookings/{}/"),
        (SampleOrderFactory(), "user", "/sample-orders/{}/"),
        (ApplicationFactory(), "applicant", "/residency/applications/{}/"),
        (InquiryFactory(), "inquirer", "/inquiries/{}/"),
    ]
    for item, owner, url in items:
        client.force_login(getattr(item, owner))
        assert client.get(url.format(item.pk)).status_code == 200, url


def test_a_notice_from_the_factory_shows_on_the_notices_page(client):
    notice = NotificationFactory()
    client.force_login(notice.user)
    assert "预约已确认：扫描电镜" in client.get("/notifications/").content.decode()
