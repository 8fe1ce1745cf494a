"""Tell people about what happened to their workflow items: an in-site notice and an email.

Each notice is also an email outbox row. After the transaction commits a background task
sends what is unsent; a mail server that is down leaves the rows for the next attempt
(every later transition, and the periodic `expire_bookings`), so mail is delayed, never lost,
and a transition never fails because of it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks import task

from marketplace.workflow import Notifier, WorkflowItem, other_side

from .models import Notification

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 20


def notify(users, headline: tuple[str, str], subject: str, url: str) -> None:
    """One in-site notice (and one queued email) per distinct user; mail goes after commit.

    `headline` is (Chinese, English); each language's text is stored whole, so a page shows
    the reader's and the email goes in the person's preferred language (the site default when
    they chose none). A person who turned email notices off gets the in-site notice only."""
    zh, en = headline
    recipients = {user.pk: user for user in users}
    Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                message=f"{zh}：{subject}"[:500],
                message_en=f"{en}: {subject}"[:500],
                url=url,
                email=user.email if getattr(user, "email_notifications", True) else "",
            )
            for user in recipients.values()
        ]
    )
    transaction.on_commit(_schedule_send)


def institution_members(institution) -> list:
    return [m.user for m in institution.memberships.select_related("user")]


def other_side_of(item: WorkflowItem, by) -> list:
    """Who hears about what `by` did to a workflow item (`workflow.other_side`): its owner or
    the members of its providing institution, as its model declares them."""
    return other_side(item.owner, institution_members(item.institution), by)


def transition_notices(
    headlines: Mapping[str, tuple[str, str]],
    *,
    subject: Callable[[object], str],
    fallback: tuple[str, str] | None = None,
) -> Notifier:
    """A workflow's StateMachine notifier: after each transition the side that did not make it
    hears about it (`workflow.other_side`) — the item's owner or the members of its providing
    institution (as its `workflow.WorkflowItem` declares them). The notice is the headline of
    the new status (else `fallback`), the item's `subject` line and its page."""

    def notifier(item: WorkflowItem, from_status: str, by) -> None:
        notify(
            other_side_of(item, by),
            headlines[item.status] if fallback is None else headlines.get(item.status, fallback),
            subject(item),
            item.get_absolute_url(),
        )

    return notifier


def _schedule_send() -> None:
    try:
        send_pending_notifications.enqueue()
    except Exception:  # noqa: BLE001 — the queue being down only delays the mail
        logger.exception("could not enqueue the notification mail task")


def send_pending(limit: int = 500) -> tuple[int, int]:
    """Send unsent notice emails; returns (sent, failed). Safe to run from several places."""
    sent = failed = 0
    pending = Notification.objects.filter(
        emailed_at__isnull=True, email_attempts__lt=MAX_ATTEMPTS
    ).exclude(email="")
    for notice in pending.select_related("user").order_by("pk")[:limit]:
        language = notice.user.preferred_language or settings.LANGUAGE_CODE
        text = notice.text_in(language)
        with translation.override(language):
            subject = gettext("[双创资源共享平台] %(headline)s") % {"headline": text[:60]}
        try:
            send_mail(subject, f"{text}\n\n{settings.SITE_URL}{notice.url}\n", None, [notice.email])
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
