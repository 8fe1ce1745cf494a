"""Pages: the public statistics (/statistics/), the institution dashboard with its exports and
usage form, rating a completed service, answering and moderating ratings, and the downtime
page where a booking's holder cancels with a full refund. Every POST calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cms.page_cache import CATALOGUE
from marketplace.accounts import permissions
from marketplace.accounts.models import Institution
from marketplace.workflow import NotFound, WorkflowError

from . import charts, exports, freshness, indicators, services
from .forms import RatingForm, ReplyForm, UsageForm
from .models import Rating, Scope, UsageKind, UsageRecord, hours

# Instrument rows per page of the members' dashboard.
DASHBOARD_ROWS = 50


def statistics(request: HttpRequest) -> HttpResponse:
    """The province's open-sharing figures for a year: totals, monthly trend, categories,
    州/市 on the map, institution rankings. Read from the summary tables only (nine queries);
    the rendered body stays in the shared cache until a figure moves (freshness.py), and
    anonymous visitors get the whole page from the page cache (config/page_cache.py)."""
    year = indicators.year_of(request.GET.get("year"))
    body = freshness.cached(
        f"statistics-body:{year}:{indicators.current_year()}:{get_language()}",
        (freshness.FIGURES, CATALOGUE),
        lambda: render_to_string("sharing/_statistics_body.html", _statistics_context(year)),
    )
    return render(request, "sharing/statistics.html", {"year": year, "body": body})


def _statistics_context(year: int) -> dict:
    total = indicators.year_tally(Scope.PROVINCE, "", year)
    months = indicators.monthly(Scope.PROVINCE, "", year)
    categories = indicators.categories(year)
    regions = indicators.regions(year)
    region_items = [
        {"code": r["code"], "name": r["name"], "hours": r["tally"].effective_hours} for r in regions
    ]
    return {
        "year": year,
        "years": indicators.years_with_data(),
        "total": total,
        "months": months,
        "month_chart": charts.bar_chart(
            [(_("%(month)s月") % {"month": t.month}, t.effective_hours) for t in months]
        ),
        "categories": categories,
        "category_chart": charts.hbar_chart(
            [(c["name"], c["tally"].effective_hours) for c in categories]
        ),
        "regions": regions,
        "region_map": charts.region_map(region_items),
        "by_hours": indicators.ranking(year),
        "by_external": indicators.ranking(year, order="external_minutes"),
    }


def _member_institutions(user) -> list[Institution]:
    if permissions.is_platform_moderator(user) and not permissions.member_institution_ids(user):
        return list(Institution.objects.order_by("code")[:200])
    return list(
        Institution.objects.filter(pk__in=permissions.member_institution_ids(user)).order_by("code")
    )


def _institution_for(user, value) -> Institution:
    """An institution the user is a member of (a moderator: any); 404 otherwise."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = None
    if pk is not None and (
        permissions.is_member_of(user, pk) or permissions.is_platform_moderator(user)
    ):
        institution = Institution.objects.filter(pk=pk).first()
        if institution is not None:
            return institution
    if pk is None:
        mine = _member_institutions(user)
        if mine:
            return mine[0]
    raise Http404(_("机构不存在"))


@login_required
@require_http_methods(["GET", "POST"])
def dashboard(request: HttpRequest) -> HttpResponse:
    """A member's view of their institution: indicators, instruments against the province
    median (underused flagged), the usage form, ratings to answer, the yearly exports."""
    institution = _institution_for(request.user, request.GET.get("institution"))
    year = indicators.year_of(request.GET.get("year"))
    member = permissions.is_member_of(request.user, institution.pk)
    instruments = indicators.dashboard_instruments(institution)
    # Rendering a row costs more than reading it: the table shows a page of them, the usage
    # form's <select> offers them all (built in Python, ManyOptionsSelect).
    page = Paginator(instruments, DASHBOARD_ROWS).get_page(request.GET.get("page"))
    form = UsageForm(request.POST if request.method == "POST" else None, instruments=instruments)
    if request.method == "POST":
        if not member:
            raise Http404(_("机构不存在"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                instrument = services.instrument_for_member(request.user, data["instrument"])
                record = services.record_usage(
                    request.user,
                    instrument,
                    data["kind"],
                    data["start"],
                    data["end"],
                    data["note"],
                )
            except WorkflowError as error:
                form.add_error(getattr(error, "field", None), error.message)
            else:
                messages.success(
                    request,
                    _("已登记 %(hours)s 小时（%(kind)s）。")
                    % {"hours": record.hours, "kind": record.get_kind_display()},
                )
                return redirect(f"{request.path}?institution={institution.pk}&year={year}")
    panel = _institution_panel(institution, year)
    return render(
        request,
        "sharing/dashboard.html",
        {
            "institution": institution,
            "institutions": _member_institutions(request.user),
            "year": year,
            "years": indicators.years_with_data(),
            "member": member,
            "data": panel["data"],
            "board": indicators.dashboard(institution, year, page.object_list),
            "page": page,
            "page_query": f"institution={institution.pk}&year={year}",
            "form": form,
            "ratings": panel["ratings"],
            "reply_form": ReplyForm(),
            "recent": panel["recent"],
        },
    )


def _institution_panel(institution: Institution, year: int) -> dict:
    """The dashboard's indicators, latest ratings and recorded machine time, kept in the shared
    cache until the institution's figures, ratings or answers move (freshness.py): finding an
    institution's ratings joins every rating to its record (70 ms at 1,000,000 bookings)."""

    def compute() -> dict:
        return {
            "data": indicators.institution_indicators(institution, year),
            "ratings": list(
                Rating.objects.filter(record__institution=institution)
                .select_related("record__instrument", "user")
                .order_by("-created_at")[:20]
            ),
            "recent": list(
                UsageRecord.objects.filter(institution=institution)
                .exclude(kind=UsageKind.SERVICE)
                .select_related("instrument")[:10]
            ),
        }

    return freshness.cached(
        f"dashboard:{institution.pk}:{year}",
        (freshness.FIGURES, freshness.institution_tag(institution.pk)),
        compute,
    )


@login_required
def export(request: HttpRequest, pk: int, extension: str) -> HttpResponse:
    institution = _institution_for(request.user, pk)
    year = indicators.year_of(request.GET.get("year"))
    if extension == "xlsx":
        body = exports.as_xlsx(institution, year)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = exports.as_csv(institution, year)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    name = exports.filename(institution, year, extension)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _service(request, kind: str, pk: int):
    try:
        return services.service_for(
            request.user,
            booking_id=pk if kind == "booking" else None,
            order_id=pk if kind == "sample-order" else None,
        )
    except NotFound as error:
        raise Http404(error.message) from error


@login_required
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    item = _service(request, kind, pk)
    back = f"/bookings/{item.pk}/" if kind == "booking" else f"/sample-orders/{item.pk}/"
    form = RatingForm(request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.rate(request.user, item, **form.cleaned_data)
        except WorkflowError as refusal:
            error = refusal.message
        else:
            messages.success(request, _("感谢您的评价。"))
            return redirect(back)
    return render(
        request,
        "sharing/rate.html",
        {
            "item": item,
            "instrument": item.instrument,
            "form": form,
            "error": error,
            "back": back,
            "can_rate": services.can_rate(request.user, item),
        },
    )


@login_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        rating = services.rating_for_member(request.user, pk)
    except NotFound as error:
        raise Http404(error.message) from error
    form = ReplyForm(request.POST)
    try:
        if not form.is_valid():
            raise WorkflowError(" ".join(e for errs in form.errors.values() for e in errs))
        services.reply(rating, request.user, form.cleaned_data["reply"])
    except WorkflowError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("回复已提交，审核通过后公开。"))
    return redirect(f"/statistics/institution/?institution={rating.record.institution_id}")


@login_required
@require_http_methods(["GET", "POST"])
def moderation(request: HttpRequest) -> HttpResponse:
    """资源审核员: comments and replies waiting to be made public."""
    if not permissions.is_platform_moderator(request.user):
        raise Http404(_("页面不存在"))
    if request.method == "POST":
        try:
            rating = Rating.objects.get(pk=int(request.POST.get("rating", "")))
            services.review(
                rating,
                request.user,
                request.POST.get("part", ""),
                request.POST.get("approve") == "1",
            )
        except (ValueError, Rating.DoesNotExist):
            messages.error(request, _("评价不存在"))
        except WorkflowError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("已处理。"))
        return redirect(request.path)
    pending = (
        Rating.objects.awaiting_review()
        .select_related("record__instrument", "record__institution", "user")
        .order_by("created_at")[:100]
    )
    return render(request, "sharing/moderation.html", {"pending": pending})


@login_required
@require_http_methods(["GET", "POST"])
def downtime(request: HttpRequest, pk: int) -> HttpResponse:
    """The downtime and the reader's bookings it hits, each with 'cancel with full refund'."""
    try:
        record = services.downtime_for(request.user, pk)
    except NotFound as error:
        raise Http404(error.message) from error
    if request.method == "POST":
        try:
            booking_id = int(request.POST.get("booking", ""))
        except ValueError:
            booking_id = 0
        try:
            _booking, refund = services.cancel_for_downtime(request.user, record, booking_id)
        except WorkflowError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("预约已取消，退款 %(amount)s 元。") % {"amount": refund})
        return redirect(request.path)
    affected = services.affected_bookings(record)
    if not permissions.is_member_of(request.user, record.institution_id):
        affected = affected.filter(user=request.user)
    return render(
        request,
        "sharing/downtime.html",
        {"record": record, "affected": list(affected), "hours": hours(record.minutes)},
    )
