"""Payment holds: how long an unpaid payable waits for its money, and how a hold that ran out
is expired — lazily, when a page or an API answer is about to show it, so no periodic job is
needed for anyone to see it expired.

A payable that holds has `status` and `hold_expires_at` fields. Its workflow makes one `Holds`
naming the statuses a hold runs in and its own service that moves an item to expired (which
records the transition, tells both sides and withdraws open payment attempts). The lengths are
the platform's: a short hold while the payer pays online (`BOOKING_PAYMENT_HOLD_MINUTES`), and
`OFFLINE_PAYMENT_HOLD_HOURS` once they choose bank transfer — each never past `not_after` (a
booking's slot start) when the payable has one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from marketplace.workflow import Conflict, NotFound, Refused

from .models import PaymentKind, PaymentMethod
from .payables import registered

LAZY_BATCH = 200


def _capped(deadline: dt.datetime, not_after: dt.datetime | None) -> dt.datetime:
    return min(deadline, not_after) if not_after is not None else deadline


def payment_deadline(now: dt.datetime, not_after: dt.datetime | None = None) -> dt.datetime:
    """The short hold of an unpaid payable (time to pay online)."""
    return _capped(now + dt.timedelta(minutes=settings.BOOKING_PAYMENT_HOLD_MINUTES), not_after)


def offline_deadline(now: dt.datetime, not_after: dt.datetime | None = None) -> dt.datetime:
    """A bank transfer takes days: OFFLINE_PAYMENT_HOLD_HOURS from when it is chosen."""
    return _capped(now + dt.timedelta(hours=settings.OFFLINE_PAYMENT_HOLD_HOURS), not_after)


def hold_for_bank_transfer(
    payable: models.Model, now: dt.datetime, not_after: dt.datetime | None = None
) -> dt.datetime:
    """The payer chose bank transfer: the hold is extended to the offline length (never
    shortened), counted from the first time they chose it — choosing it again does not hold
    the payable for ever; the deadline the payer is shown. The caller holds the payable's row
    lock."""
    first_chosen = (
        payable.payments.filter(kind=PaymentKind.PAYMENT, method=PaymentMethod.OFFLINE)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    deadline = offline_deadline(min(first_chosen or now, now), not_after)
    if payable.hold_expires_at is None or payable.hold_expires_at < deadline:
        payable.hold_expires_at = deadline
        payable.save(update_fields=["hold_expires_at", "updated_at"])
    return payable.hold_expires_at


class Holds:
    """The holds of one payable model: which statuses they run in, how an item expires."""

    def __init__(
        self,
        model: type[models.Model],
        *,
        statuses: Iterable[str],
        expire: Callable[[models.Model], object],
        message: Callable[[], str],
    ):
        self.model = model
        self.statuses = tuple(statuses)
        # expire(item): the workflow's move to expired, on the item read with its row lock.
        self.expire = expire
        # The refusal's text for an action on an item whose hold ran out (called per use,
        # so it is in the reader's language).
        self.message = message

    def overdue(self, item, now: dt.datetime | None = None) -> bool:
        return bool(
            item.status in self.statuses
            and item.hold_expires_at is not None
            and item.hold_expires_at <= (now or timezone.now())
        )

    def expire_overdue(self, now: dt.datetime | None = None, *, ids=None) -> int:
        """Expire the overdue items among `ids` (every overdue one if None), each in its own
        transaction with its row locked and checked again; how many expired."""
        now = now or timezone.now()
        if ids is None:
            ids = list(
                self._overdue_rows(self.model.objects.all(), now).values_list("pk", flat=True)
            )
        count = 0
        for pk in ids:
            with transaction.atomic():
                item = self.model.objects.select_for_update().filter(pk=pk).first()
                if item is not None and self.overdue(item, now):
                    self.expire(item)
                    count += 1
        return count

    def expire_listed(self, queryset) -> int:
        """Lazily expire the overdue items among `queryset` (a list about to be shown)."""
        now = timezone.now()
        ids = list(self._overdue_rows(queryset, now).values_list("pk", flat=True)[:LAZY_BATCH])
        return self.expire_overdue(now, ids=ids) if ids else 0

    def shown(self, queryset):
        """`queryset` (a list about to be shown) with the overdue items among it expired
        first, so the list shows them expired without waiting for the periodic job."""
        self.expire_listed(queryset)
        return queryset

    def read(self, queryset, pk: int, missing: str):
        """The item `pk` of `queryset` (what the person may read, with the page's joins),
        expired first if its hold ran out; NotFound with the text `missing` if there is none."""
        item = queryset.filter(pk=pk).first()
        if item is None:
            raise NotFound(missing)
        return self.fresh(item, queryset)

    def fresh(self, item, queryset):
        """`item` as it reads now: if its hold ran out it is expired first and read again
        from `queryset` (the caller's, with its joins)."""
        if self.overdue(item):
            self.expire_overdue(ids=[item.pk])
            return queryset.get(pk=item.pk)
        return item

    def refused_if_overdue(self, item, now: dt.datetime | None = None) -> Refused | None:
        """An action found the item's hold ran out: it is saved as expired (and both sides
        told) although the action is refused — the caller returns this Refused (409) from its
        atomic_action, so the expiry commits."""
        if self.overdue(item, now):
            self.expire(item)
            return Refused(Conflict(self.message(), "expired"))
        return None

    def _overdue_rows(self, queryset, now: dt.datetime):
        return queryset.filter(status__in=self.statuses, hold_expires_at__lte=now).order_by()


def expire_every_overdue(now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic sweep: expire the overdue holds of every registered payable (bookings,
    sample-testing orders, …); how many expired, by model name."""
    now = now or timezone.now()
    return {
        spec.holds.model._meta.model_name: spec.holds.expire_overdue(now)
        for spec in registered()
        if spec.holds is not None
    }
