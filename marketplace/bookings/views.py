"""Booking pages for people: pick a slot, confirm, pay offline, follow the booking, and the
institution's queue. Each POST calls one service; permissions live in the services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from marketplace.accounts.permissions import member_institution_ids
from marketplace.catalogue.models import Instrument, OpeningInterval, RefundTier
from marketplace.payments.providers import online_payment_enabled
from marketplace.workflow import NotFound, WorkflowError
from marketplace.workflow_pages import act_view

from . import services
from .actions import BOOKING_ACTIONS
from .models import ACTIVE_STATUSES, Booking, BookingTransition

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
        except WorkflowError as exc:
            error = exc.message
    if request.method == "POST" and error is None:
        try:
            booking = services.request_booking(
                request.user, instrument, start, end, request.POST.get("purpose", "")
            )
        except WorkflowError as exc:
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
    mine = Booking.objects.filter(user=request.user)
    services.expire_visible_overdue(mine)
    bookings = mine.select_related("instrument").order_by("-start")[:200]
    return render(request, "bookings/my_bookings.html", {"bookings": bookings})


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Requests on the member's institutions' instruments that need someone to act."""
    ids = member_institution_ids(request.user)
    if not ids:
        raise Http404
    services.expire_visible_overdue(Booking.objects.filter(instrument__institution_id__in=ids))
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
    except NotFound:
        raise Http404 from None
    transitions = (
        BookingTransition.objects.filter(booking=booking).select_related("by").order_by("at", "pk")
    )
    return render(
        request,
        "bookings/detail.html",
        {
            "booking": booking,
            "transitions": transitions,
            "payments": booking.payments.all(),
            "can": BOOKING_ACTIONS.flags(booking, request.user),
            "online_payment": online_payment_enabled(),
        },
    )


act = act_view(BOOKING_ACTIONS, detail="bookings:detail", queue="bookings:queue")
