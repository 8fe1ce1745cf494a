"""Tell the other side of a booking about each transition: an in-site notice and an email.

Emails are sent by a background task after the transaction commits, so a mail server that
is down can never undo or fail a transition.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django_tasks import task

logger = logging.getLogger(__name__)

MESSAGES = {
    "pending_approval": ("新的预约申请待审核", "New booking request awaiting approval"),
    "awaiting_payment": ("预约已通过审核，请付款", "Booking approved; please pay"),
    "confirmed": ("预约已确认", "Booking confirmed"),
    "rejected": ("预约未通过审核", "Booking rejected"),
    "cancelled": ("预约已取消", "Booking cancelled"),
    "expired": ("预约保留已过期", "Booking hold expired"),
    "completed": ("预约已完成", "Booking completed"),
    "no_show": ("预约标记为未到场", "Booking marked as no-show"),
}


def _recipients(booking, by) -> list:
    """The booker hears about what the institution does, and the institution the reverse."""
    members = [m.user for m in booking.instrument.institution.memberships.select_related("user")]
    if by is not None and by.pk == booking.user_id:
        return members
    if by is None:
        return [booking.user, *members]
    return [booking.user]


def notify_transition(booking, from_status: str, by) -> None:
    from .models import Notification

    zh, en = MESSAGES.get(booking.status, ("预约状态已更新", "Booking updated"))
    text = f"{zh} / {en}: {booking.instrument.name} {booking.start:%Y-%m-%d %H:%M}"
    recipients = {user.pk: user for user in _recipients(booking, by)}
    Notification.objects.bulk_create(
        [
            Notification(user=user, booking=booking, message=text[:500])
            for user in recipients.values()
        ]
    )
    emails = sorted({user.email for user in recipients.values() if user.email})
    if emails:
        booking_id = booking.pk
        transaction.on_commit(lambda: send_booking_email.enqueue(booking_id, text, emails))


@task()
def send_booking_email(booking_id: int, text: str, emails: list[str]) -> None:
    body = f"{text}\n\n{settings.SITE_URL}/bookings/{booking_id}/\n"
    try:
        send_mail(f"[双创资源共享平台] {text[:60]}", body, None, emails)
    except Exception:  # noqa: BLE001 — a relay that is down must not break the caller
        logger.exception("booking %s: email to %s not sent", booking_id, emails)
