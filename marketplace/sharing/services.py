"""What people do in the open-sharing ledger: rate a service, answer a rating, moderate the
texts, record machine time used outside the platform, and cancel a booking hit by downtime.

Each function checks who may do it (marketplace.accounts.permissions) and refuses with the
workflow refusals (400/403/404/409), so pages and the API answer alike.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from marketplace.accounts import permissions
from marketplace.bookings import services as bookings
from marketplace.bookings.models import ACTIVE_STATUSES, Booking
from marketplace.catalogue.models import Blackout, Instrument
from marketplace.catalogue.vocabularies import BlackoutKind
from marketplace.notifications.services import institution_members, notify
from marketplace.sampletesting.models import SampleOrder
from marketplace.workflow import Conflict, Forbidden, NotFound, RuleError

from . import freshness, ledger
from .models import MANUAL_KINDS, Rating, ReviewStatus, Source, UsageKind, UsageRecord

MAX_TEXT = 1000
MAX_MANUAL_DAYS = 31
# A system note (marketplace.workflow.SYSTEM_NOTES): shown in the reader's language.
FULL_REFUND_REASON = "downtime refund"


def _score(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise RuleError(
            gettext("评分须为 1 到 5 的整数"),
            "score",
            field=field,
        )
    return value


def _text(value, field: str, *, required: bool) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise RuleError(gettext("须为文本"), "text", field=field)
    if required and not text:
        raise RuleError(gettext("请填写内容"), "required", field=field)
    if len(text) > MAX_TEXT:
        raise RuleError(
            gettext("不能超过 %(MAX_TEXT)s 个字") % {"MAX_TEXT": MAX_TEXT},
            "too_long",
            field=field,
        )
    return text


# --- Ratings ------------------------------------------------------------------------------


def service_for(user, *, booking_id: int | None = None, order_id: int | None = None):
    """The booking or sample order if the user may read it; otherwise NotFound."""
    if booking_id is not None:
        item = Booking.objects.visible_to(user).filter(pk=booking_id).first()
    else:
        item = SampleOrder.objects.visible_to(user).filter(pk=order_id).first()
    if item is None:
        raise NotFound(gettext("服务不存在"))
    return item


def record_of(item) -> UsageRecord | None:
    lookup = {"booking": item} if isinstance(item, Booking) else {"sample_order": item}
    return UsageRecord.objects.filter(**lookup).select_related("instrument").first()


def can_rate(user, item) -> bool:
    """The page's flag: the user's own completed service, not rated yet."""
    if not user.is_authenticated or item.user_id != user.pk or item.status != "completed":
        return False
    record = record_of(item)
    return record is not None and not Rating.objects.filter(record=record).exists()


@transaction.atomic
def rate(user, item, *, timeliness, quality, attitude, comment="") -> Rating:
    """The user of a completed service rates it, once. Scores count at once; the comment is
    public only after a 资源审核员 approves it."""
    if item.user_id != user.pk:
        raise Forbidden(gettext("只有服务的使用人可以评价"))
    if item.status != "completed":
        raise Conflict(
            gettext("服务完成后才能评价"),
            "not_completed",
        )
    scores = {
        "timeliness": _score(timeliness, "timeliness"),
        "quality": _score(quality, "quality"),
        "attitude": _score(attitude, "attitude"),
    }
    comment = _text(comment, "comment", required=False)
    record = record_of(item)
    if record is None:
        # Completed before the ledger existed and not rebuilt yet: record it now.
        record = (
            ledger.record_booking(item)
            if isinstance(item, Booking)
            else ledger.record_sample_order(item)
        )
    record = UsageRecord.objects.select_for_update().get(pk=record.pk)
    if Rating.objects.filter(record=record).exists():
        raise Conflict(gettext("该服务已评价过"), "already_rated")
    rating = Rating.objects.create(
        record=record,
        user=user,
        comment=comment,
        comment_status=ReviewStatus.PENDING if comment else ReviewStatus.APPROVED,
        **scores,
    )
    ledger.apply_rating(rating)
    notify(
        institution_members(record.institution),
        ("收到新的服务评价", "New service rating"),
        f"{record.instrument.name} {rating.average}",
        "/statistics/institution/",
    )
    return rating


def rating_for_member(user, rating_id: int) -> Rating:
    rating = Rating.objects.select_related("record__instrument", "record__institution").filter(
        pk=rating_id
    )
    rating = rating.first()
    if rating is None or not (
        permissions.is_member_of(user, rating.record.institution_id)
        or permissions.is_platform_moderator(user)
        or rating.user_id == user.pk
    ):
        raise NotFound(gettext("评价不存在"))
    return rating


@transaction.atomic
def reply(rating: Rating, by, text) -> Rating:
    """The institution answers publicly, once (shown after a 资源审核员 approves it)."""
    rating = Rating.objects.select_for_update().select_related("record").get(pk=rating.pk)
    if not permissions.is_member_of(by, rating.record.institution_id):
        raise Forbidden(gettext("只有仪器管理单位可以回复"))
    if rating.reply:
        raise Conflict(gettext("已回复过该评价"), "replied")
    rating.reply = _text(text, "reply", required=True)
    rating.reply_status = ReviewStatus.PENDING
    rating.replied_by = by
    rating.replied_at = timezone.now()
    rating.save(update_fields=["reply", "reply_status", "replied_by", "replied_at"])
    freshness.rating_text_changed(rating.record)
    return rating


@transaction.atomic
def review(rating: Rating, by, part: str, approve: bool) -> Rating:
    """A 资源审核员 makes the comment or the reply public, or keeps it hidden."""
    if not permissions.is_platform_moderator(by):
        raise Forbidden(gettext("只有资源审核员可以审核"))
    if part not in ("comment", "reply"):
        raise RuleError(gettext("审核对象无效"), "part", field="part")
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    if not getattr(rating, part):
        raise Conflict(gettext("没有需要审核的内容"), "no_text")
    setattr(rating, f"{part}_status", ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED)
    rating.reviewed_by = by
    rating.save(update_fields=[f"{part}_status", "reviewed_by"])
    freshness.rating_text_changed(rating.record)
    return rating


# --- Machine time used outside the platform -----------------------------------------------


def _aware(value, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise RuleError(gettext("时间无效"), "datetime", field=field)
    if timezone.is_naive(value):
        raise RuleError(
            gettext("时间须带时区偏移（例如 +08:00）"),
            "naive_datetime",
            field=field,
        )
    return value


def instrument_for_member(user, code: str) -> Instrument:
    instrument = Instrument.objects.select_related("institution").filter(code=code).first()
    if instrument is None or not permissions.is_member_of(user, instrument.institution_id):
        raise NotFound(gettext("仪器不存在"))
    return instrument


@transaction.atomic
def record_usage(by, instrument: Instrument, kind: str, start, end, note: str = "") -> UsageRecord:
    """A member records internal research use, maintenance or downtime on an instrument.

    Downtime also blocks new bookings of the period (a catalogue blackout) and tells the
    holders of the bookings it hits, offering them cancellation with a full refund."""
    if not permissions.is_member_of(by, instrument.institution_id):
        raise Forbidden(gettext("只有仪器管理单位可以登记机时"))
    if kind not in MANUAL_KINDS:
        raise RuleError(
            gettext("类型须为内部科研使用、维护保养或故障停机"),
            "kind",
            field="kind",
        )
    start, end = _aware(start, "start"), _aware(end, "end")
    if end <= start:
        raise RuleError(
            gettext("结束时间必须晚于开始时间"),
            "end_before_start",
            field="end",
        )
    if end - start > dt.timedelta(days=MAX_MANUAL_DAYS):
        raise RuleError(
            gettext("一次最多登记 %(MAX_MANUAL_DAYS)s 天") % {"MAX_MANUAL_DAYS": MAX_MANUAL_DAYS},
            "too_long",
            field="end",
        )
    note = _text(note, "note", required=False)[:500]
    record = UsageRecord.objects.create(
        **ledger.where_and_when(instrument, start),
        kind=kind,
        source=Source.MANUAL,
        minutes=int((end - start).total_seconds() // 60),
        started_at=start,
        ended_at=end,
        note=note,
        recorded_by=by,
    )
    ledger.apply_record(record)
    if kind == UsageKind.DOWNTIME:
        Blackout.objects.create(
            instrument=instrument,
            starts_at=start,
            ends_at=end,
            kind=BlackoutKind.DOWNTIME,
            reason=note[:200],
        )
        holders = {booking.user for booking in affected_bookings(record)}
        if holders:
            notify(
                holders,
                (
                    "仪器停机，您的预约受影响，可免费取消并全额退款",
                    "The instrument is down during your booking; you may cancel with a full refund",
                ),
                f"{instrument.name} {start.astimezone(ledger.SHANGHAI):%Y-%m-%d %H:%M}",
                f"/statistics/downtime/{record.pk}/",
            )
    return record


def affected_bookings(record: UsageRecord):
    """Active bookings of the instrument that overlap the downtime."""
    return (
        Booking.objects.filter(instrument_id=record.instrument_id, status__in=ACTIVE_STATUSES)
        .overlapping(record.started_at, record.ended_at)
        .select_related("user", "instrument")
        .order_by("start")
    )


def downtime_for(user, record_id: int) -> UsageRecord:
    """A downtime record a user may see: a member of its institution, or a holder of a booking
    it hit (while that booking is still active), or a moderator."""
    record = (
        UsageRecord.objects.filter(pk=record_id, kind=UsageKind.DOWNTIME)
        .select_related("instrument__institution")
        .first()
    )
    if record is None or not user.is_authenticated:
        raise NotFound(gettext("停机记录不存在"))
    if permissions.is_member_of(user, record.institution_id) or (
        permissions.is_platform_moderator(user)
    ):
        return record
    if not Booking.objects.filter(
        pk__in=Booking.objects.filter(user=user, instrument_id=record.instrument_id)
        .overlapping(record.started_at, record.ended_at)
        .values("pk")
    ).exists():
        raise NotFound(gettext("停机记录不存在"))
    return record


def cancel_for_downtime(user, record: UsageRecord, booking_id: int):
    """The holder cancels a booking the downtime hits; everything paid comes back."""
    booking = (
        Booking.objects.filter(pk=booking_id, user=user, instrument_id=record.instrument_id)
        .overlapping(record.started_at, record.ended_at)
        .first()
    )
    if booking is None:
        raise NotFound(gettext("该停机时段内没有您的这项预约"))
    return bookings.cancel(booking, user, FULL_REFUND_REASON, full_refund=True)
