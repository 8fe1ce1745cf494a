"""Booking pages for people: pick a slot, confirm, pay offline, follow the booking, and the
institution's queue. Each POST calls one service; permissions live in the services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.catalogue.models import Instrument, OpeningInterval, RefundTier
from marketplace.catalogue.permissions import member_institution_ids

from . import services
from .models import ACTIVE_STATUSES, Booking, BookingTransition, Status

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAGE_SIZE = 50


def _moment(value: str | None) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, code: str) -> HttpResponse:
    """Confirm page for a chosen slot: price, rules and refund policy, then request it."""
    instrument = get_object_or_404(
        Instrument.objects.published()
        .select_related("institution")
        .prefetch_related(
            Prefetch(
                "opening_hours", queryset=OpeningInterval.objects.order_by("weekday", "start")
            ),
            Prefetch("refund_tiers", queryset=RefundTier.objects.order_by("-hours_before")),
        ),
        code=code,
    )
    source = request.POST if request.method == "POST" else request.GET
    start, end = _moment(source.get("start")), _moment(source.get("end"))
    error = None
    price = None
    if start is None or end is None:
        error = _("请选择有效的时段。")
    else:
        try:
            services.check_rules(instrument, request.user, start, end, dt.datetime.now(dt.UTC))
            price, internal = services.price_for(
                instrument, request.user, int((end - start).total_seconds() // 60)
            )
        except services.BookingError as exc:
            error = exc.message
    if request.method == "POST" and error is None:
        try:
            booking = services.request_booking(
                request.user, instrument, start, end, request.POST.get("purpose", "")
            )
        except services.BookingError as exc:
            error = exc.message
        else:
            messages.success(request, _("预约已提交。"))
            return redirect("bookings:detail", pk=booking.pk)
    durations = []
    if start is not None:
        for minutes in range(
            instrument.min_minutes, instrument.max_minutes + 1, instrument.slot_minutes
        ):
            durations.append(
                {"minutes": minutes, "end": (start + dt.timedelta(minutes=minutes)).isoformat()}
            )
    return render(
        request,
        "bookings/book.html",
        {
            "durations": durations,
            "instrument": instrument,
            "start": start,
            "end": end,
            "price": price,
            "error": error,
            "purpose": source.get("purpose", ""),
        },
        status=400 if error and request.method == "POST" else 200,
    )


@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    bookings = (
        Booking.objects.filter(user=request.user)
        .select_related("instrument")
        .order_by("-start")[:200]
    )
    return render(request, "bookings/my_bookings.html", {"bookings": bookings})


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Requests on the member's institutions' instruments that need someone to act."""
    ids = member_institution_ids(request.user)
    if not ids:
        raise Http404
    bookings = (
        Booking.objects.filter(instrument__institution_id__in=ids, status__in=ACTIVE_STATUSES)
        .select_related("instrument", "user")
        .order_by("start", "pk")
    )
    page = Paginator(bookings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "bookings/queue.html", {"bookings": page, "page": page})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        booking = services.get_booking_for(request.user, pk)
    except services.BookingNotFound:
        raise Http404 from None
    transitions = (
        BookingTransition.objects.filter(booking=booking).select_related("by").order_by("at", "pk")
    )
    is_owner = booking.user_id == request.user.pk
    is_member = services.is_member_of_instrument_institution(request.user, booking.instrument)
    return render(
        request,
        "bookings/detail.html",
        {
            "booking": booking,
            "transitions": transitions,
            "payments": booking.payments.all(),
            "is_owner": is_owner,
            "is_member": is_member,
            "can_cancel": booking.status in ACTIVE_STATUSES,
            "Status": Status,
            "stripe_enabled": "stripe" in settings.PAYMENT_METHODS,
        },
    )


def _whole_minutes(value: str | None) -> int:
    """A form's minutes as an int; anything else becomes -1, which the service refuses."""
    return int(value) if value and value.isdigit() and len(value) < 7 else -1


def _pay_stripe(request: HttpRequest, booking: Booking) -> HttpResponse:
    from .payments import start_stripe_checkout

    base = request.build_absolute_uri(f"/bookings/{booking.pk}/")
    result = start_stripe_checkout(
        booking, request.user, success_url=base + "?paid=1", cancel_url=base
    )
    return redirect(result["checkout_url"])


ACTIONS = {
    "approve": lambda request, booking: services.approve(booking, request.user),
    "reject": lambda request, booking: services.reject(
        booking, request.user, request.POST.get("reason", "")
    ),
    "pay_offline": lambda request, booking: services.choose_offline_payment(booking, request.user),
    "pay_stripe": _pay_stripe,
    "confirm_offline_payment": lambda request, booking: services.confirm_offline_payment(
        booking, request.user, request.POST.get("reference", "")
    ),
    "cancel": lambda request, booking: services.cancel(booking, request.user),
    "complete": lambda request, booking: services.complete(
        booking, request.user, _whole_minutes(request.POST.get("actual_minutes"))
    ),
    "no_show": lambda request, booking: services.mark_no_show(booking, request.user),
}


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    try:
        booking = services.get_booking_for(request.user, pk)
        result = ACTIONS[action](request, booking)
    except services.BookingNotFound:
        raise Http404 from None
    except services.BookingError as exc:
        messages.error(request, exc.message)
    else:
        if isinstance(result, HttpResponse):
            return result
        messages.success(request, _("操作成功。"))
    next_url = request.POST.get("next", "")
    if next_url == "queue":
        return redirect("bookings:queue")
    return redirect("bookings:detail", pk=pk)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's in-site notices, newest first; opening the page marks them read."""
    from django.utils import timezone

    from .models import Notification

    notices = Notification.objects.filter(user=request.user).order_by("-created_at", "-pk")
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    language = get_language() or "zh-hans"
    for notice in page:
        notice.text = notice.text_in(language)
    unread = [n.pk for n in page if n.read_at is None]
    response = render(request, "bookings/notifications.html", {"page": page, "unread": set(unread)})
    Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return response
