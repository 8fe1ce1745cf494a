"""The indicators, read from the summary tables (and, per institution or instrument, from its
own bounded rows for medians and booking rates): what the pages, the API and the exports show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.page_cache import object_tag
from marketplace.accounts.models import Institution
from marketplace.bookings.models import Booking
from marketplace.bookings.models import Status as BookingStatus
from marketplace.catalogue.models import Instrument
from marketplace.catalogue.vocabularies import InstrumentCategory
from marketplace.regions import Region

from . import freshness
from .ledger import SHANGHAI
from .models import Scope, Tally, UsageRecord, hours, percent

# An instrument is flagged underused below this share of the province's median hours.
UNDERUSED_SHARE = Decimal("0.5")


def current_year() -> int:
    return timezone.now().astimezone(SHANGHAI).year


def year_of(request_value, default: int | None = None) -> int:
    """?year= as a year between 2000 and next year; anything else is the current year."""
    try:
        year = int(request_value)
    except (TypeError, ValueError):
        return default or current_year()
    return year if 2000 <= year <= current_year() + 1 else (default or current_year())


def year_tally(scope: str, key: str, year: int) -> Tally:
    tally = Tally.objects.filter(scope=scope, key=key, year=year, month=0).first()
    return tally or Tally(scope=scope, key=key, year=year, month=0)


def monthly(scope: str, key: str, year: int) -> list[Tally]:
    rows = {
        t.month: t
        for t in Tally.objects.filter(scope=scope, key=key, year=year, month__gte=1, month__lte=12)
    }
    return [rows.get(m) or Tally(scope=scope, key=key, year=year, month=m) for m in range(1, 13)]


def breakdown(scope: str, year: int) -> list[Tally]:
    return list(
        Tally.objects.filter(scope=scope, year=year, month=0).order_by("-effective_minutes", "key")
    )


def years_with_data() -> list[int]:
    years = set(Tally.objects.filter(scope=Scope.PROVINCE, month=0).values_list("year", flat=True))
    years.add(current_year())
    return sorted(years, reverse=True)


@dataclass
class RankedInstitution:
    institution: Institution
    tally: Tally


def ranking(year: int, *, order: str = "effective_minutes", limit: int = 20):
    rows = list(
        Tally.objects.filter(scope=Scope.INSTITUTION, year=year, month=0).order_by(
            f"-{order}", "key"
        )[:limit]
    )
    names = Institution.objects.in_bulk([int(t.key) for t in rows])
    return [RankedInstitution(names[int(t.key)], t) for t in rows if int(t.key) in names]


def regions(year: int) -> list[dict]:
    """Every 州/市 with its year's sums (zero where nothing was recorded)."""
    tallies = {t.key: t for t in breakdown(Scope.REGION, year)}
    return [
        {"code": code, "name": label, "tally": tallies.get(code) or Tally(key=code, year=year)}
        for code, label in Region.choices
    ]


def categories(year: int, limit: int = 10) -> list[dict]:
    labels = dict(InstrumentCategory.choices)
    return [
        {"code": t.key, "name": labels.get(t.key, t.key), "tally": t}
        for t in breakdown(Scope.CATEGORY, year)[:limit]
    ]


def instrument_median_minutes(year: int) -> int:
    """The province's median of instruments' effective minutes in the year (among the
    instruments that recorded any usage that year). It costs a walk over every instrument's
    row (100,000 at scale): kept in the shared cache until a figure moves (freshness.py)."""
    return freshness.cached(
        f"instrument-median:{year}",
        (freshness.FIGURES,),
        lambda: _instrument_median_minutes(year),
    )


def _instrument_median_minutes(year: int) -> int:
    rows = Tally.objects.filter(scope=Scope.INSTRUMENT, year=year, month=0)
    count = rows.count()
    if not count:
        return 0
    ordered = rows.order_by("effective_minutes").values_list("effective_minutes", flat=True)
    if count % 2:
        return ordered[count // 2]
    low, high = ordered[count // 2 - 1 : count // 2 + 1]
    return (low + high) // 2


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime(year, 1, 1, tzinfo=SHANGHAI),
        dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI),
    )


def booking_rates(year: int, **scope) -> dict:
    """Cancellation rate: cancelled of the bookings that started in the year and were not
    rejected or expired; no-show rate: no-shows of those that reached their slot (completed or
    no-show). `scope`: instrument_id=… or instrument__institution_id=…"""
    start, end = _year_bounds(year)
    counts = Booking.objects.filter(start__gte=start, start__lt=end, **scope).aggregate(
        held=Count("pk", filter=~Q(status__in=[BookingStatus.REJECTED, BookingStatus.EXPIRED])),
        cancelled=Count("pk", filter=Q(status=BookingStatus.CANCELLED)),
        reached=Count("pk", filter=Q(status__in=[BookingStatus.COMPLETED, BookingStatus.NO_SHOW])),
        no_show=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
    )
    return {
        "cancellation_rate": percent(counts["cancelled"], counts["held"]),
        "no_show_rate": percent(counts["no_show"], counts["reached"]),
        "bookings": counts["held"],
    }


def median_response_hours(year: int, **scope) -> Decimal | None:
    values = list(
        UsageRecord.objects.services()
        .filter(year=year, response_minutes__isnull=False, **scope)
        .values_list("response_minutes", flat=True)
    )
    return hours(median(values)) if values else None


def indicators(tally: Tally, *, rates: dict, response: Decimal | None) -> dict:
    return {
        "effective_hours": tally.effective_hours,
        "external_hours": tally.external_hours,
        "internal_hours": hours(tally.internal_minutes),
        "research_hours": hours(tally.research_minutes),
        "maintenance_hours": hours(tally.maintenance_minutes),
        "downtime_hours": hours(tally.downtime_minutes),
        "share_rate": tally.share_rate,
        "services": tally.services,
        "external_services": tally.external_services,
        "users_served": tally.users_served,
        "external_users_served": tally.external_users_served,
        "income_internal": tally.income_internal,
        "income_external": tally.income_external,
        "median_response_hours": response,
        "cancellation_rate": rates["cancellation_rate"],
        "no_show_rate": rates["no_show_rate"],
        "average_rating": tally.average_rating,
        "ratings": tally.ratings,
    }


def institution_indicators(institution: Institution, year: int) -> dict:
    return indicators(
        year_tally(Scope.INSTITUTION, str(institution.pk), year),
        rates=booking_rates(year, instrument__institution_id=institution.pk),
        response=median_response_hours(year, institution_id=institution.pk),
    )


def institution_figures(institution: Institution, year: int) -> dict:
    """`institution_indicators`, kept in the shared cache until its figures or its bookings
    move (freshness.py): the bookings' rates and the median response read the year's rows."""
    return freshness.cached(
        f"institution-indicators:{institution.pk}:{year}",
        (freshness.FIGURES, freshness.institution_tag(institution.pk)),
        lambda: institution_indicators(institution, year),
    )


def instrument_figures(instrument: Instrument, year: int) -> dict:
    """`instrument_indicators`, kept until its figures or its bookings move (freshness.py)."""
    return freshness.cached(
        f"instrument-indicators:{instrument.pk}:{year}",
        (freshness.FIGURES, object_tag("instrument", instrument.code)),
        lambda: instrument_indicators(instrument, year),
    )


def instrument_indicators(instrument: Instrument, year: int) -> dict:
    return indicators(
        year_tally(Scope.INSTRUMENT, str(instrument.pk), year),
        rates=booking_rates(year, instrument_id=instrument.pk),
        response=median_response_hours(year, instrument_id=instrument.pk),
    )


def dashboard_instruments(institution: Institution) -> list:
    """The institution's instruments in code order, as (pk, code, name) rows: a dashboard
    lists hundreds, and a full listing model costs far more to build than these three."""
    return list(
        Instrument.objects.filter(institution=institution)
        .order_by("code")
        .values_list("pk", "code", "name", named=True)
    )


def dashboard(institution: Institution, year: int, instruments: list | None = None) -> dict:
    """The institution's instruments against the province median; underused ones flagged.
    `instruments`: `dashboard_instruments(institution)`, if the caller read them."""
    province_median = instrument_median_minutes(year)
    threshold = Decimal(province_median) * UNDERUSED_SHARE
    if instruments is None:
        instruments = dashboard_instruments(institution)
    # One reverse() for all rows: codes are URL-safe (validate_code), so the path is a pattern.
    url = reverse("catalogue:instrument_detail", args=["CODE"]).removesuffix("CODE/")
    tallies = {
        t.key: t
        for t in Tally.objects.filter(
            scope=Scope.INSTRUMENT, year=year, month=0, key__in=[str(i.pk) for i in instruments]
        )
    }
    rows = []
    for instrument in instruments:
        tally = tallies.get(str(instrument.pk)) or Tally(key=str(instrument.pk), year=year)
        rows.append(
            {
                "instrument": instrument,
                "url": f"{url}{instrument.code}/",
                "tally": tally,
                "vs_median": percent(tally.effective_minutes, province_median),
                "underused": province_median > 0 and tally.effective_minutes < threshold,
            }
        )
    return {"median_hours": hours(province_median), "rows": rows}


# --- The ministries' evaluation structure (开放共享评价考核) --------------------------------


def evaluation(institution: Institution, year: int) -> list[tuple[str, str, object, str]]:
    """(一级指标, 二级指标, value, unit) rows for the yearly export of an institution."""
    data = institution_figures(institution, year)
    instruments = Instrument.objects.filter(institution=institution).count()
    per_instrument = (
        (data["effective_hours"] / instruments).quantize(Decimal("0.1"), ROUND_HALF_UP)
        if instruments
        else None
    )
    running = str(_("运行使用"))
    sharing = str(_("共享服务"))
    results = str(_("管理与服务成效"))
    h, pct, n, yuan = str(_("小时")), "%", str(_("次")), str(_("元"))
    return [
        (running, str(_("仪器数量")), instruments, str(_("台（套）"))),
        (running, str(_("有效工作机时")), data["effective_hours"], h),
        (running, str(_("台均有效工作机时")), per_instrument, h),
        (running, str(_("内部科研使用机时")), data["research_hours"], h),
        (running, str(_("维护保养机时")), data["maintenance_hours"], h),
        (running, str(_("故障停机机时")), data["downtime_hours"], h),
        (sharing, str(_("对外服务机时")), data["external_hours"], h),
        (sharing, str(_("共享率")), data["share_rate"], pct),
        (sharing, str(_("服务次数")), data["services"], n),
        (sharing, str(_("对外服务次数")), data["external_services"], n),
        (sharing, str(_("服务用户数")), data["users_served"], str(_("人"))),
        (sharing, str(_("对外服务用户数")), data["external_users_served"], str(_("人"))),
        (results, str(_("校内/院内服务收入")), data["income_internal"], yuan),
        (results, str(_("对外服务收入")), data["income_external"], yuan),
        (results, str(_("预约响应时间中位数")), data["median_response_hours"], h),
        (results, str(_("预约取消率")), data["cancellation_rate"], pct),
        (results, str(_("爽约率")), data["no_show_rate"], pct),
        (results, str(_("用户评价平均分")), data["average_rating"], str(_("分（满分 5）"))),
        (results, str(_("评价数")), data["ratings"], n),
    ]
