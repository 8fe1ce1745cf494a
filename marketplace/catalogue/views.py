"""Public catalogue pages: lists with filters and paging, detail pages, institutions."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.models import Institution
from marketplace.catalogue.filters import (
    CHOICE_FILTERS,
    FilterError,
    parse_filters,
)
from marketplace.catalogue.models import (
    Incubator,
    Instrument,
    Technology,
)
from marketplace.catalogue.paging import DeferredJoinPaginator, stored_filtered_list
from marketplace.catalogue.vocabularies import TransferMode
from marketplace.regions import Region

PAGE_SIZE = 20
INSTITUTION_PAGE_ITEMS = 20
LIST_URL_NAMES = {
    "instrument": "catalogue:instruments",
    "incubator": "catalogue:incubators",
    "technology": "catalogue:technologies",
}
KINDS = {
    "instrument": {
        "model": Instrument,
        "title": _("仪器共享"),
        "lead": _(
            "高校、科研院所的大型科学仪器向社会开放共享：查看仪器参数与收费标准，"
            "在线预约机时或委托送样检测。"
        ),
        "export": "/api/v1/instruments/export/",
    },
    "incubator": {
        "model": Incubator,
        "title": _("孵化载体"),
        "lead": _(
            "众创空间、科技企业孵化器、加速器、科技园和双创示范基地：查看空余工位与服务，"
            "在线提交入孵申请。"
        ),
        "export": "/api/v1/incubators/export/",
    },
    "technology": {
        "model": Technology,
        "title": _("成果转化"),
        "lead": _(
            "高校院所的专利与技术成果：了解知识产权状态与技术成熟度，"
            "以转让、许可、作价投资或合作开发方式洽谈。"
        ),
        "export": "/api/v1/technologies/export/",
    },
}
# What each list's rows show (templates/catalogue/<kind>_list.html): only these columns are
# read and decoded for the page's rows, the institution's name and region among them, not
# every column of both tables (issue 17: about a third of the rows' query time on SQLite).
# A field the row template reads and this leaves out costs a query per row: the query pins
# in tests/test_public_page_queries.py say so. Incubators keep every column: their live
# vacancies come through `capacity`, which `published()` joins.
LIST_COLUMNS = {
    "instrument": (
        "code",
        "name",
        "category",
        "model_number",
        "offers_machine_time",
        "offers_sample_testing",
        "price_hourly",
        "status",
        "institution__name",
        "institution__region",
    ),
    "technology": (
        "code",
        "title",
        "field",
        "ip_type",
        "trl",
        *(f"mode_{mode}" for mode in TransferMode.values),  # transfer_mode_labels
        "asking_price",
        "institution__name",
    ),
}
INSTITUTION_LIST_COLUMNS = ("code", "name", "type", "region", "instrument_count")
FILTER_LABELS = {
    "region": _("州市"),
    "category": _("仪器分类"),
    "service_mode": _("服务方式"),
    "type": _("载体类型"),
    "level": _("级别"),
    "ip_type": _("知识产权类型"),
    "transfer_mode": _("转化方式"),
}


def listing_list(request: HttpRequest, kind: str) -> HttpResponse:
    info = KINDS[kind]
    queryset = info["model"].objects.published().select_related("institution").order_by("code")
    if kind in LIST_COLUMNS:
        queryset = queryset.only(*LIST_COLUMNS[kind])
    errors: dict[str, list[str]] = {}
    stored = None
    try:
        applied = parse_filters(kind, request.GET)
    except FilterError as exc:
        errors, applied = exc.errors, {}
        queryset = queryset.none()
    else:
        # The same list as the API's with these filters: the same total and region ids.
        queryset, stored = stored_filtered_list(kind, queryset, applied)
    page = DeferredJoinPaginator(queryset, PAGE_SIZE, stored=stored).get_page(
        request.GET.get("page")
    )
    filters = [
        {
            "name": name,
            "label": FILTER_LABELS[name],
            "choices": spec.choices.choices,
            "value": applied.get(name, ""),
        }
        for name, spec in CHOICE_FILTERS[kind].items()
    ]
    return render(
        request,
        f"catalogue/{kind}_list.html",
        {
            "info": info,
            "kind": kind,
            "page": page,
            "filters": filters,
            "applied": applied,
            "errors": errors,
            "query_prefix": urlencode(applied),
            "trl_range": range(1, 10),
        },
        status=400 if errors else 200,
    )


def instrument_detail(request: HttpRequest, code: str) -> HttpResponse:
    # The opening hours and refund tiers are read where the page shows them, in the booking
    # rules of an instrument that offers machine time (their models' orderings: weekday and
    # start, most hours first): one plain query each, none for an instrument without machine
    # time; a prefetch built the same two queries through modelcluster's prefetch machinery,
    # about a fifth of the page's query time (issue 17).
    instrument = get_object_or_404(
        Instrument.objects.published().select_related("institution", "photo", "manual"),
        code=code,
    )
    return render(
        request,
        "catalogue/instrument_detail.html",
        {"listing": instrument},
    )


def incubator_detail(request: HttpRequest, code: str) -> HttpResponse:
    incubator = get_object_or_404(
        Incubator.objects.published().select_related("institution", "photo"), code=code
    )
    return render(
        request,
        "catalogue/incubator_detail.html",
        {"listing": incubator, **incubator.detail_context()},
    )


def technology_detail(request: HttpRequest, code: str) -> HttpResponse:
    technology = get_object_or_404(
        Technology.objects.published().select_related("institution"), code=code
    )
    return render(request, "catalogue/technology_detail.html", {"listing": technology})


def institution_list(request: HttpRequest) -> HttpResponse:
    # Only what the rows show (`{% institution_rows %}`): not every column of the table.
    institutions = Institution.objects.only(*INSTITUTION_LIST_COLUMNS).order_by("region", "code")
    region = request.GET.get("region", "")
    if region in Region.values:
        institutions = institutions.filter(region=region)
    # Each institution's published instruments are its stored `instrument_count`
    # (marketplace.catalogue.counts), not counted per view: the count and the page.
    page = Paginator(institutions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "marketplace/institution_list.html",
        {"page": page, "regions": Region.choices, "region": region},
    )


def institution_detail(request: HttpRequest, code: str) -> HttpResponse:
    institution = get_object_or_404(Institution, code=code)
    return render(
        request,
        "marketplace/institution_detail.html",
        {
            "institution": institution,
            # The first few of each kind; the rest are one click away in the filtered list.
            "sections": [
                _institution_section(kind, manager, institution)
                for kind, manager in (
                    ("instrument", institution.instrument_listings),
                    ("incubator", institution.incubator_listings),
                    ("technology", institution.technology_listings),
                )
            ],
        },
    )


def _institution_section(kind: str, manager, institution: Institution) -> dict:
    """The first listings of one kind, with what the page shows of them (the name and the
    link), and how many there are — counted only when there are more than the page shows
    (issue 17)."""
    name = "title" if kind == "technology" else "name"
    first = (
        manager.published()
        .select_related(None)
        .only("id", "code", name, "institution")
        .order_by("code")
    )
    items = list(first[:INSTITUTION_PAGE_ITEMS])
    total = len(items) if len(items) < INSTITUTION_PAGE_ITEMS else manager.published().count()
    return {
        "kind": kind,
        "title": KINDS[kind]["title"],
        "items": items,
        "total": total,
        "list_url": f"{reverse(LIST_URL_NAMES[kind])}?institution={institution.code}",
    }
