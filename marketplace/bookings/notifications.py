"""Tell the other side of a booking about each transition: an in-site notice and an email.

Each notice is also an email outbox row. After the transaction commits a background task
sends what is unsent; a mail server that is down leaves the rows for the next attempt
(every later transition, and the periodic `expire_bookings`), so mail is delayed, never lost,
and a transition never fails because of it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 20

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
            Notification(user=user, booking=booking, message=text[:500], email=user.email)
            for user in recipients.values()
        ]
    )
    transaction.on_commit(_schedule_send)


def _schedule_send() -> None:
    try:
        send_pending_notifications.enqueue()
    except Exception:  # noqa: BLE001 — the queue being down only delays the mail
        logger.exception("could not enqueue the notification mail task")


def send_pending(limit: int = 500) -> tuple[int, int]:
    """Send unsent notice emails; returns (sent, failed). Safe to run from several places."""
    from .models import Notification

    sent = failed = 0
    pending = Notification.objects.filter(
        emailed_at__isnull=True, email_attempts__lt=MAX_ATTEMPTS
    ).exclude(email="")
    for notice in pending.order_by("pk")[:limit]:
        try:
            send_mail(
                f"[双创资源共享平台] {notice.message[:60]}",
                f"{notice.message}\n\n{settings.SITE_URL}/bookings/{notice.booking_id}/\n",
                None,
                [notice.email],
            )
        except Exception:  # noqa: BLE001 — counted and retried later
            failed += 1
            Notification.objects.filter(pk=notice.pk).update(
                email_attempts=notice.email_attempts + 1
            )
            logger.warning("notice %s: email to %s not sent; will retry", notice.pk, notice.email)
        else:
            sent += 1
            Notification.objects.filter(pk=notice.pk).update(emailed_at=timezone.now())
    return sent, failed


@task()
def send_pending_notifications() -> None:
    send_pending()
