"""The public search page: one box, kind tabs, facets with counts, highlighted results."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from marketplace.accounts.models import Institution

from .engines import get_engine
from .facets import FACETS, KIND_LABELS, KIND_NAMES, labelled
from .query import SearchError, SearchRequest, parse_request, run
from .results import result_line

SIDEBAR_FACETS = [name for name in FACETS if name != "kind"]


def _link(params: dict[str, list[str]], **changes) -> str:
    merged = {key: list(values) for key, values in params.items() if key != "page"}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value if isinstance(value, list) else [value]
    pairs = [(key, value) for key, values in merged.items() for value in values if value != ""]
    return "?" + urlencode(pairs)


def site_search(request: HttpRequest) -> HttpResponse:
    """Search page; works without JavaScript (suggestions as you type are an extra)."""
    errors: dict[str, list[str]] = {}
    try:
        search_request = parse_request(request.GET)
    except SearchError as error:
        errors = error.errors
        search_request = SearchRequest(q=request.GET.get("q", "")[:200].replace("\x00", ""))
    params = {
        key: request.GET.getlist(key)
        for key in ("q", "sort", *FACETS)
        if request.GET.getlist(key) and key not in errors
    }
    result = run(get_engine(), search_request)
    for hit in result.hits:
        hit.summary = result_line(hit.kind, hit.details)
    facets = labelled(result.facets)

    kind_counts = {item["value"]: item["count"] for item in facets["kind"]}
    selected_kinds = search_request.filters.get("kind", [])
    tabs = [
        {
            "label": "",
            "all": True,
            "count": sum(kind_counts.values()),
            "url": _link(params, kind=None),
            "active": not selected_kinds,
        }
    ]
    for kind, label in KIND_LABELS.items():
        tabs.append(
            {
                "label": label,
                "count": kind_counts.get(kind, 0),
                "url": _link(params, kind=kind),
                "active": selected_kinds == [kind],
            }
        )
    sidebar = []
    for name in SIDEBAR_FACETS:
        chosen = set(search_request.filters.get(name, []))
        values = []
        for item in facets[name]:
            toggled = sorted(chosen ^ {item["value"]})
            values.append(
                {
                    **item,
                    "selected": item["value"] in chosen,
                    "url": _link(params, **{name: toggled or None}),
                }
            )
        if values:
            sidebar.append({"name": name, "label": FACETS[name].label, "values": values})

    pages = -(-result.count // search_request.page_size) if result.count else 0
    page = search_request.page
    institutions = []
    if search_request.q.strip():
        # institutions are not a search kind, but people look for them by name
        institutions = list(
            Institution.objects.filter(name__icontains=search_request.q.strip()[:50]).order_by(
                "code"
            )[:5]
        )
    suggestions = []
    if search_request.q.strip() and not result.count:
        suggestions = get_engine().suggest(search_request.q[:20])
    return render(
        request,
        "search/results.html",
        {
            "query": search_request.q[:200],
            "result": result,
            "tabs": tabs,
            "sidebar": sidebar,
            "errors": errors,
            "sort": search_request.sort,
            "sort_links": {
                sort: _link(params, sort=sort) for sort in ("relevance", "newest", "price")
            },
            # a price sort compares like with like: only within instruments or technologies
            "price_sort": selected_kinds in (["instrument"], ["technology"]),
            "page": page,
            "pages": pages,
            "previous_url": _link(params, page=str(page - 1)) if page > 1 else "",
            "next_url": _link(params, page=str(page + 1)) if page < pages else "",
            "suggestions": suggestions,
            "institutions": institutions,
            "kind_names": KIND_NAMES,
        },
    )
