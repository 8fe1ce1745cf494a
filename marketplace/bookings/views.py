"""Booking pages for people: pick a slot, confirm, pay offline, follow the booking, and the
institution's queue. Each POST calls one service; permissions live in the services."""

from __future__ import annotations

import datetime as dt
import html
from functools import partial
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Prefetch, Subquery, Value
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from marketplace import signed_in
from marketplace.accounts.api import calendar_url
from marketplace.accounts.permissions import is_member_of, member_institution_ids
from marketplace.accounts.profile import profile_required
from marketplace.catalogue.availability import free_intervals
from marketplace.catalogue.models import Instrument, OpeningInterval, RefundTier
from marketplace.catalogue.permissions import is_instrument_member
from marketplace.gc_pause import collector_paused
from marketplace.money import display
from marketplace.payments.providers import online_payment_enabled
from marketplace.statements import Statement
from marketplace.workflow import WorkflowError
from marketplace.workflow_pages import act_view, in_page, item_or_404, page_of, status_condition

from . import floor as floor_service
from . import services
from .actions import BOOKING_ACTIONS
from .models import ACTIVE_STATUSES, Booking, BookingTransition, Status

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAGE_SIZE = 50
# The characters reverse() leaves unquoted in a path argument (django.urls.resolvers).
URL_SAFE = RFC3986_SUBDELIMS + "/~:@"
MAX_MINUTES = 7 * 24 * 60  # no stay is longer; larger numbers are refused, not computed


def _moment(value: str | None) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _minutes(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def _start_options(instrument: Instrument, start: dt.datetime, now: dt.datetime) -> list[dict]:
    """Every slot boundary of the chosen day from which at least the shortest stay is free,
    with how many minutes (at most the longest stay) are free from there."""
    zone = ZoneInfo(instrument.timezone)
    day = start.astimezone(zone).date()
    slot = dt.timedelta(minutes=instrument.slot_minutes)
    shortest = dt.timedelta(minutes=instrument.min_minutes)
    options = []
    for interval in free_intervals(instrument, day, day, now=now):
        moment = interval.start.astimezone(zone)
        while moment + shortest <= interval.end:
            free = int((interval.end - moment).total_seconds() // 60)
            options.append({"start": moment, "free": min(free, instrument.max_minutes)})
            moment += slot
    return options


def _refund_deadlines(instrument: Instrument, start: dt.datetime) -> list[dict]:
    """The refund tiers as moments: cancel before `deadline` and get `percent` back."""
    return [
        {
            "hours": tier.hours_before,
            "percent": tier.refund_percent,
            "deadline": start - dt.timedelta(hours=tier.hours_before),
        }
        for tier in instrument.refund_tiers.all()
    ]


def _bookable_instrument(code: str, *, refunds: bool = True) -> Instrument:
    """A published instrument with its opening hours (and refund tiers): one query each."""
    prefetches = [
        Prefetch("opening_hours", queryset=OpeningInterval.objects.order_by("weekday", "start"))
    ]
    if refunds:
        prefetches.append(
            Prefetch("refund_tiers", queryset=RefundTier.objects.order_by("-hours_before"))
        )
    return get_object_or_404(
        Instrument.objects.published().select_related("institution").prefetch_related(*prefetches),
        code=code,
    )


@login_required
@require_http_methods(["GET", "POST"])
@profile_required
def book(request: HttpRequest, code: str) -> HttpResponse:
    """Choose a start and a duration, see the price and refund deadlines, request it.

    One form holds the start, the duration and the purpose: 计算 (step=preview) re-renders
    the page with the price of what is chosen, 提交预约 books exactly what the form shows (and
    static/bookings/book.js updates the price and deadlines as you choose, without a round trip).
    Links may give `end` instead of `minutes` (the catalogue's slot links do)."""
    instrument = _bookable_instrument(code)
    source = request.POST if request.method == "POST" else request.GET
    booking_step = request.method == "POST" and source.get("step", "book") != "preview"
    now = dt.datetime.now(dt.UTC)
    start = _moment(source.get("start"))
    minutes = _minutes(source.get("minutes"))
    end = _moment(source.get("end"))
    if start is not None and minutes is None and "minutes" not in source:
        minutes = (
            int((end - start).total_seconds() // 60) if end is not None else instrument.min_minutes
        )
    if start is not None and minutes is not None and 0 < minutes <= MAX_MINUTES:
        try:
            end = start + dt.timedelta(minutes=minutes)
        except OverflowError:
            end = None
    else:
        end = None
    error = None
    price = hourly = None
    options: list[dict] = []
    if start is None or end is None:
        error = _("请选择有效的时段。")
    else:
        if (
            now - dt.timedelta(days=1)
            <= start
            <= now + dt.timedelta(days=instrument.max_advance_days + 1)
        ):
            options = _start_options(instrument, start, now)
        chosen = next((o for o in options if o["start"] == start), None)
        try:
            if chosen is not None and minutes > chosen["free"] >= instrument.min_minutes:
                # Named before the rule it breaks (opening hours or a booking next to it).
                error = _("所选时长超出该时段的空闲时间，请缩短时长或另选开始时间。")
            services.check_rules(instrument, request.user, start, end, now)
            price, _internal = services.price_for(instrument, request.user, minutes)
            hourly, _internal = services.price_for(instrument, request.user, 60)
        except WorkflowError as exc:
            error = error or exc.message
        else:
            if chosen is None:
                error = _("所选开始时间已不可预约，请另选。")
    if booking_step and error is None:
        try:
            booking = services.request_booking(
                request.user, instrument, start, end, request.POST.get("purpose", "")
            )
        except WorkflowError as exc:
            error = exc.message
        else:
            messages.success(request, _("预约已提交。"))
            return redirect("bookings:detail", pk=booking.pk)
    if start is not None and not any(o["start"] == start for o in options):
        # What was asked for stays chosen (and explained above) even when it is not free.
        options.append({"start": start, "free": 0})
        options.sort(key=lambda option: option["start"])
    for option in options:
        option["refunds"] = _refund_deadlines(instrument, option["start"])
    durations = list(
        range(instrument.min_minutes, instrument.max_minutes + 1, instrument.slot_minutes)
    )
    if end is not None and minutes not in durations:
        durations = sorted({*durations, minutes})
    chosen_free = next((o["free"] for o in options if o["start"] == start), 0)
    return render(
        request,
        "bookings/book.html",
        {
            "durations": durations,
            "chosen_free": chosen_free,
            "options": options,
            "instrument": instrument,
            "start": start,
            "end": end,
            "minutes": minutes,
            "price": price,
            "rate_fen": int(hourly * 100) if hourly is not None else "",
            "refunds": _refund_deadlines(instrument, start) if start is not None else [],
            "error": error,
            "purpose": source.get("purpose", ""),
        },
        status=400 if error and booking_step else 200,
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    mine = services.HOLDS.shown(Booking.objects.filter(user=request.user))
    values = mine.order_by("-start").values_list(
        "pk", "instrument__name", "start", "end", "price", "status"
    )[:200]
    return render(
        request, "bookings/my_bookings.html", {"rows": _table_rows(values, show_user=False)}
    )


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Requests on the member's institutions' instruments: the active ones (those that need
    someone to act) unless a status is asked for, like the other queues."""
    institutions = _queue_institutions(request.user)
    bookings = Booking.objects.filter(institution_id__in=institutions)
    shown, filters = status_condition(request, Status, ACTIVE_STATUSES)
    # The statuses `shown` holds the rows to, for the count's compiled statement.
    statuses = (filters["wanted"],) if filters["wanted"] else tuple(ACTIVE_STATUSES)
    total = _count_after_expiring(bookings, statuses, institutions, request.user)
    # The page's ids first: the sort over an institution's 10,000 requests carries only
    # (start, id), and the joins to instruments and users see the 50 rows shown, not all of
    # them. The ids are asked inside the query of the rows, as an array PostgreSQL builds
    # once before reading the rows by key (`in_page`; as `IN (SELECT …)` it hashed the
    # subquery and read the whole table to find the 50): one round trip, not two.
    ordered = bookings.filter(shown).order_by("start", "pk").values_list("pk", flat=True)
    page = page_of(request, ordered, PAGE_SIZE, count=total)
    context = {"rows": _queue_rows(page.object_list), "show_user": True, "page": page}
    return render(request, "bookings/queue.html", {**context, **filters})


def _count_after_expiring(bookings, statuses: tuple[str, ...], institutions, user):
    """How many of `bookings` the queue shows (those in `statuses`), once the holds among them
    that ran out (in any status, as `HOLDS.shown` reads them: an overdue request must be
    expired before the page counts, lists or filters it) are expired; None when some were, for
    the paginator to count afresh.

    The count and whether any hold ran out are one query: the overdue one is asked for by a
    subquery the database runs once, on the holds' own index, beside a count that reads only
    its index (in SQLite a covering one; a count with an OR of both read every row). MAX over
    no rows is NULL whatever the subquery found, so an empty list asks on its own. The query
    is compiled once per process for each number of institutions and set of statuses
    (`Statement`): building it with the ORM cost as long as the database took to run it."""
    key = (len(institutions), statuses)
    statement = _QUEUE_COUNTS.get(key)
    if statement is None:
        statement = _QUEUE_COUNTS[key] = Statement(
            partial(_queue_count_query, statuses), *(int,) * len(institutions), dt.datetime
        )
    [(shown_count, overdue)] = statement.rows(*institutions, timezone.now())
    if overdue is None and shown_count:
        return shown_count
    expired = services.HOLDS.expire_listed(bookings)
    if expired:  # an expiry may have sent the person a notice: the header counts afresh
        signed_in.forget_unread(user)
    return None if expired or overdue is not None else shown_count


_QUEUE_COUNTS: dict[tuple[int, tuple[str, ...]], Statement] = {}


def _queue_count_query(statuses: tuple[str, ...], *values):
    """The queue's count and its first overdue hold (`_count_after_expiring`), for the bookings
    of the institutions `values[:-1]` in `statuses`, holds overdue at `values[-1]`."""
    *institutions, now = values
    bookings = Booking.objects.filter(institution_id__in=institutions)
    holds = services.HOLDS
    overdue = bookings.filter(status__in=holds.statuses, hold_expires_at__lte=now)
    return (
        bookings.filter(status__in=statuses)
        .order_by()
        .annotate(_all=Value(1))
        .values("_all")
        .annotate(shown=Count("pk"), overdue=Max(Subquery(overdue.order_by().values("pk")[:1])))
        .values_list("shown", "overdue")
    )


def _queue_institutions(user) -> list[int]:
    """The member's institutions (404 for someone who is no member), as a list the queue's
    queries name: each request is matched on the queue's index by its own institution
    (Booking.institution), with no look-up of its instrument and no list of instruments.
    Read with what the page's header and footer ask about the person, in one query
    (`marketplace.signed_in`)."""
    signed_in.read(user)
    institutions = sorted(member_institution_ids(user))
    if not institutions:
        raise Http404
    return institutions


def _table_rows(values, *, show_user: bool) -> SafeString:
    """The `<tbody>` rows of bookings/_table.html for `values` (pk, instrument name, start, end,
    [booker,] price, status), written here rather than by the template: 50–200 rows of seven
    cells cost more in the engine's per-variable look-ups, escaping and per-row {% url %} than
    in this loop. What every row shares (the detail link's base, the status labels in the
    page's language) is worked out once. Every value is escaped as autoescape would; the markup
    and whitespace are those the template's loop wrote."""
    # page_urls puts an item's page at `<mine><pk>/`: one reverse() gives every row's link.
    base = escape(reverse("bookings:detail", args=[0]).removesuffix("0/"))
    # Plain strings, translated once: escape() of a lazy label stays lazy, and each row's
    # f-string and `or` would translate it again (two gettext calls a row).
    labels = {value: html.escape(str(label)) for value, label in Status.choices}
    # The page's time zone once (timezone.localtime looks it up for every value); html.escape
    # writes what django.utils.html.escape does without its lazy-string wrapper, per cell.
    zone = timezone.get_current_timezone()
    rows = []
    for pk, instrument, start, end, *user, price, status in values:
        start, end = start.astimezone(zone), end.astimezone(zone)
        booker = f"<td>{html.escape(user[0])}</td>" if show_user else ""
        rows.append(
            f'\n    <tr>\n      <td><a href="{base}{pk}/">{pk}</a></td>\n'
            f"      <td>{html.escape(instrument)}</td>\n"
            f"      <td>{start:%Y-%m-%d %H:%M}–{end:%H:%M}</td>\n"
            f"      {booker}\n"
            f"      <td>{html.escape(display(price))}</td>\n"
            f'      <td><span class="badge">{labels.get(status) or html.escape(status)}</span></td>\n'
            "    </tr>\n  "
        )
    return mark_safe("".join(rows))  # noqa: S308 — every value above is escaped


def _queue_rows(page_ids) -> SafeString:
    """The queue table's rows for the bookings `page_ids` (the page's slice of the ordered
    ids), in queue order: plain values read in one query with the ids (none when the page is
    empty; `in_page`)."""
    username = f"user__{get_user_model().USERNAME_FIELD}"
    values = (
        Booking.objects.filter(in_page(page_ids))
        .order_by("start", "pk")
        .values_list("pk", "instrument__name", "start", "end", username, "price", "status")
    )
    return _table_rows(values, show_user=True)


def _booker(booking: Booking) -> dict:
    """Who booked, for the institution deciding: what the account holds today (name, email,
    phone, and an organisation when the account has one)."""
    user = booking.user
    organisation = next(
        (
            value
            for name in ("organisation", "organization", "company", "company_name")
            if (
                value := getattr(user, name, "")
                or getattr(getattr(user, "profile", None), name, "")
            )
        ),
        "",
    )
    return {
        "username": user.get_username(),
        "name": user.get_full_name(),
        "email": user.email,
        "phone": getattr(user, "phone", ""),
        "organisation": str(organisation),
    }


def _detail_context(request: HttpRequest, booking: Booking) -> dict:
    can = BOOKING_ACTIONS.flags(booking, request.user)
    is_member = is_instrument_member(request.user, booking)
    return {
        "booking": booking,
        "can": can,
        "is_member": is_member,
        "booker": _booker(booking) if is_member or request.user.pk != booking.user_id else None,
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = item_or_404(BOOKING_ACTIONS, request, pk)
    transitions = (
        BookingTransition.objects.filter(booking=booking).select_related("by").order_by("at", "pk")
    )
    return render(
        request,
        "bookings/detail.html",
        {
            **_detail_context(request, booking),
            "transitions": transitions,
            "payments": booking.payments.all(),
            "online_payment": online_payment_enabled(),
        },
    )


@login_required
def cancel_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The step before cancelling: what will be refunded if the booking is cancelled now
    (the same rule the cancel service applies), and the button that does it."""
    booking = item_or_404(BOOKING_ACTIONS, request, pk)
    context = _detail_context(request, booking)
    if not context["can"].get("cancel"):
        messages.error(request, _("当前状态不能取消。"))
        return redirect("bookings:detail", pk=booking.pk)
    now = timezone.now()
    paid = booking.paid_amount
    if request.user.pk == booking.user_id:
        percent = services.refund_percent_for(booking, now)
        refund = services.refund_amount_for(booking, now)
    else:
        percent, refund = 100, paid
    return render(
        request,
        "bookings/cancel_confirm.html",
        {**context, "paid": paid, "refund": refund, "percent": percent},
    )


act = act_view(BOOKING_ACTIONS, detail="bookings:detail", queue="bookings:queue")


def _starts_within(interval, slot: dt.timedelta, shortest: dt.timedelta) -> list[dt.datetime]:
    """Every slot boundary of a free interval from which the shortest stay still fits."""
    starts, moment = [], interval.start
    while moment + shortest <= interval.end:
        starts.append(moment)
        moment += slot
    return starts


def _month_bounds(first: dt.date) -> tuple[dt.date, dt.date]:
    first = first.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def _calendar_url(code: str, week: dt.date, month: dt.date) -> str:
    query = urlencode({"week": week.isoformat(), "month": f"{month:%Y-%m}"})
    return f"{reverse('bookings:calendar', args=[code])}?{query}"


def _feeds(request: HttpRequest, instrument: Instrument) -> dict:
    """The person's own iCal feed and, for the institution's members, the instrument's."""
    user = request.user
    if not user.is_authenticated:
        return {}
    feeds = {"mine": request.build_absolute_uri(calendar_url(user))}
    if is_member_of(user, instrument.institution_id):
        path = reverse("api:instrument-calendar", args=[instrument.code])
        feeds["instrument"] = request.build_absolute_uri(f"{path}?token={user.calendar_token}")
    return feeds


def calendar(request: HttpRequest, code: str) -> HttpResponse:
    """The instrument's free time: a week (Monday to Sunday, this week by default) with every
    bookable start as a link to the booking form, previous/next weeks within the booking
    window, and a month overview marking the days with bookable time (each opens its week).
    Plain links and tables: it works without JavaScript. Dates are the instrument's own."""
    instrument = _bookable_instrument(code, refunds=False)
    zone = ZoneInfo(instrument.timezone)
    now = timezone.now()
    today = now.astimezone(zone).date()
    window_end = (now + dt.timedelta(days=instrument.max_advance_days)).astimezone(zone).date()
    error = None
    try:
        asked_week = dt.date.fromisoformat(request.GET["week"]) if "week" in request.GET else today
        asked_month = (
            dt.date.fromisoformat(request.GET["month"] + "-01") if "month" in request.GET else None
        )
    except ValueError:
        error = _("日期格式应为 YYYY-MM-DD（周）或 YYYY-MM（月），已显示本周。")
        asked_week, asked_month = today, None
    # Weeks start on Monday; none before this week, none after the one the window ends in.
    first_monday = today - dt.timedelta(days=today.weekday())
    last_monday = window_end - dt.timedelta(days=window_end.weekday())
    monday = min(
        max(asked_week - dt.timedelta(days=asked_week.weekday()), first_monday), last_monday
    )
    month_first, month_last = _month_bounds(
        min(max(asked_month or max(monday, today), today.replace(day=1)), window_end)
    )
    # One computation (two queries) covers the week and the month, within the window.
    first = max(min(monday, month_first), today)
    last = min(max(monday + dt.timedelta(days=6), month_last), window_end)
    free = free_intervals(instrument, first, last, now=now) if first <= last else []
    slot = dt.timedelta(minutes=instrument.slot_minutes)
    shortest = dt.timedelta(minutes=instrument.min_minutes)
    by_day: dict[dt.date, list[dict]] = {}
    for interval in free:
        starts = _starts_within(interval, slot, shortest)
        if starts:
            day = interval.start.astimezone(zone).date()
            by_day.setdefault(day, []).append(
                {"start": interval.start, "end": interval.end, "starts": starts}
            )
    week = [
        {
            "date": day,
            "intervals": by_day.get(day, []),
            "closed": not today <= day <= window_end,
        }
        for day in (monday + dt.timedelta(days=n) for n in range(7))
    ]
    grid_start = month_first - dt.timedelta(days=month_first.weekday())
    month_weeks = []
    for row in range(6):
        row_monday = grid_start + dt.timedelta(weeks=row)
        if row_monday > month_last:
            break
        cells = []
        for n in range(7):
            day = row_monday + dt.timedelta(days=n)
            in_month = month_first <= day <= month_last
            cells.append(
                {
                    "date": day if in_month else None,
                    "free": in_month and day in by_day,
                    "current": in_month and monday <= day <= monday + dt.timedelta(days=6),
                    "today": day == today,
                    "url": _calendar_url(code, day, month_first)
                    if in_month and today <= day <= window_end
                    else "",
                }
            )
        month_weeks.append(cells)
    previous_week = monday - dt.timedelta(weeks=1)
    next_week = monday + dt.timedelta(weeks=1)
    previous_month = _month_bounds(month_first - dt.timedelta(days=1))[0]
    next_month = month_last + dt.timedelta(days=1)
    return render(
        request,
        "bookings/calendar.html",
        {
            "instrument": instrument,
            "error": error,
            "week": week,
            "week_start": monday,
            "week_end": monday + dt.timedelta(days=6),
            "window_end": window_end,
            "previous_week_url": _calendar_url(code, previous_week, previous_week)
            if monday > first_monday
            else "",
            "next_week_url": _calendar_url(code, next_week, next_week)
            if monday < last_monday
            else "",
            "month": month_first,
            "month_weeks": month_weeks,
            "weekday_names": [WEEKDAYS_ABBR[n] for n in range(7)],
            "previous_month_url": _calendar_url(code, max(previous_month, today), previous_month)
            if month_first > today
            else "",
            "next_month_url": _calendar_url(code, next_month, next_month)
            if next_month <= window_end
            else "",
            "feeds": _feeds(request, instrument),
        },
        status=400 if error else 200,
    )


def _floor_cells(
    row: floor_service.FloorRow, days: list[dt.date], memo: dict | None = None
) -> list[str]:
    """A row of the floor table: each day's free intervals as "09:00–12:00" in the
    instrument's wall-clock time, joined, "—" for none. `memo` remembers each interval's day
    and text across the rows of one page (the intervals are shared between instruments)."""
    zone = ZoneInfo(row.instrument.timezone)
    memo = {} if memo is None else memo
    by_day: dict[dt.date, list[str]] = {}
    for interval in row.free:
        key = (id(interval), zone)
        known = memo.get(key)
        if known is None:
            start, end = interval.start.astimezone(zone), interval.end.astimezone(zone)
            known = memo[key] = (
                start.date(),
                f"{start.hour:02d}:{start.minute:02d}–{end.hour:02d}:{end.minute:02d}",
            )
        by_day.setdefault(known[0], []).append(known[1])
    return [" ".join(by_day.get(day, ())) or "—" for day in days]


def _floor_rows(floor: floor_service.Floor, days: list[dt.date]) -> list[SafeString]:
    """The floor table's rows as HTML, written here rather than by the template engine: a
    floor of 1,000 instruments has 9,000 cells, and the engine's per-variable look-ups,
    escaping and per-row {% url %} cost more than the arithmetic. Every value is escaped as
    the engine's autoescape would (django.utils.html.escape is html.escape of the text,
    called here directly: its lazy-text wrapper cost more than the escaping); the markup is
    the one bookings/floor.html had."""
    # One reverse() for every row's calendar link: the code is quoted as reverse() quotes it.
    prefix, suffix = reverse("bookings:calendar", args=["-"]).split("/-/")
    no_machine_time = html.escape(str(_("不提供机时")))
    intervals: dict = {}  # each shared interval's day and text, once
    hours_of: dict[int, str] = {}  # each distinct total, localized once
    rows = []
    for row in floor.rows:
        instrument = row.instrument
        code = html.escape(instrument.code)
        url = html.escape(f"{prefix}/{quote(instrument.code, safe=URL_SAFE)}/{suffix}")
        if not instrument.offers_machine_time:
            note = f' <span class="meta">{no_machine_time}</span>'
        elif instrument.status != "in_service":
            note = f' <span class="meta">{html.escape(instrument.status_label)}</span>'
        else:
            note = ""
        cells = "".join(
            f"<td>{html.escape(cell)}</td>" for cell in _floor_cells(row, days, intervals)
        )
        minutes = row.free_minutes
        hours = hours_of.get(minutes)
        if hours is None:
            hours = hours_of[minutes] = html.escape(str(localize(round(minutes / 60, 1))))
        rows.append(
            mark_safe(  # noqa: S308 — every value above is escaped
                f'<tr id="instrument-{code}"><th scope="row"><a href="{url}">'
                f'{html.escape(instrument.name)}</a> <span class="meta">{code}</span>{note}</th>'
                f"{cells}<td>{hours}</td></tr>"
            )
        )
    return rows


@login_required
def floor(request: HttpRequest, code: str) -> HttpResponse:
    """The institution's whole floor for its members (and moderators): a week of every
    instrument's free machine time, one row per instrument, previous/next week links."""
    now = timezone.now()
    error = None
    try:
        first, last = floor_service.floor_range(
            request.GET.get("start"), request.GET.get("end"), now=now
        )
    except WorkflowError as exc:
        error = exc.message
        first, last = floor_service.week_of(now.astimezone(SHANGHAI).date())
    with collector_paused():  # rendered inside: afterwards only the page
        try:
            floor = floor_service.floor_availability(request.user, code, first, last, now=now)
        except WorkflowError as exc:
            if exc.http_status == 404:
                raise Http404(exc.message) from None
            raise PermissionDenied(exc.message) from None
        days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
        week = dt.timedelta(weeks=1)
        here = reverse("bookings:floor", args=[code])
        return render(
            request,
            "bookings/floor.html",
            {
                "floor": floor,
                "error": error,
                "days": days,
                "rows": _floor_rows(floor, days),
                "previous_url": f"{here}?{urlencode({'start': first - week, 'end': last - week})}",
                "next_url": f"{here}?{urlencode({'start': first + week, 'end': last + week})}",
            },
            status=400 if error else 200,
        )
