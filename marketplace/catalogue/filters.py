"""Filters of the catalogue lists, shared by the API, the pages and the CSV export.

Each filter validates its value against the vocabulary: an unknown value is a clear 400,
never an empty list that looks like "no results" and never a 500.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db.models import F, Lookup, Q, QuerySet, Subquery
from django.utils.translation import gettext

from marketplace.regions import Region

from .vocabularies import (
    IncubatorLevel,
    IncubatorType,
    InstrumentCategory,
    IpType,
    ServiceMode,
    TransferMode,
)


class FilterError(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Choice:
    name: str
    choices: type
    apply: callable
    # The stored values the filter takes: `choices.values` builds the whole choice table
    # (a lazy label per member) on every call, for every filter of every list request.
    allowed: frozenset[str]


def _choice(name, choices, apply):
    return Choice(name, choices, apply, frozenset(choices.values))


def _int_in(value: str, low: int, high: int) -> int | None:
    try:
        number = int(value)
    except ValueError:
        return None
    return number if low <= number <= high else None


class InIds(Lookup):
    """`column IN (…)` of a list of ids the caller already holds (ints), written without
    Django's per-value preparation; on PostgreSQL `column = ANY(%s)`, the list one array
    parameter. A region's 189 institution ids as 189 parameters cost every request of its
    list the `IN` lookup's preparation of each value and psycopg's splitting of a statement
    too long for its cache (about 1.5 ms of CPU together), and PostgreSQL 0.25 ms more to
    plan than the array (1.35 → 1.10 ms planning, the same plan and execution). SQLite gets
    the statement Django's `__in` writes."""

    lookup_name = "in_ids"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = ", ".join(["%s"] * len(self.rhs))
        return f"{lhs} IN ({values})", (*lhs_params, *self.rhs)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        array = f"{self.lhs.output_field.db_type(connection)}[]"
        return f"{lhs} = ANY(%s::{array})", (*lhs_params, list(self.rhs))


def search_condition(kind: str, value: str) -> Q:
    """What `q` matches: the value in any of the kind's SEARCH_FIELDS, case-insensitively."""
    condition = Q()
    for field in SEARCH_FIELDS[kind]:
        condition |= Q(**{f"{field}__icontains": value})
    return condition


def search_hit_condition(kind: str, value: str) -> Q:
    """`search_condition` as a walked row tests it (paging.StoredList.searched_page_ids): for
    a value with no character that has a case (Chinese, digits, punctuation, spaces), the
    same matches without UPPER() of every searched column of every row walked — a column's
    UPPER() holds the value exactly where the column itself does, since UPPER() changes only
    characters that have a case, one for one, and none of the value's is one. On PostgreSQL
    the UPPER()s were most of the walk: 225 technologies walked for 绿色能源 in 1.05 ms.
    Any other value keeps `search_condition`. Not a filter: the trigram indexes that serve
    `q` as a filter are on each field's UPPER()."""
    if not caseless(value):
        return search_condition(kind, value)
    condition = Q()
    for field in SEARCH_FIELDS[kind]:
        condition |= Q(**{f"{field}__contains": value})
    return condition


# Unicode categories without case: other letters (Han, kana, Hangul, Thai…), decimal digits,
# punctuation and spaces. Not symbols or marks (Ⓐ and U+0345 have case mappings), not
# modifier letters.
_CASELESS_CATEGORIES = frozenset({"Lo", "Nd", "Zs", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po"})


def caseless(value: str) -> bool:
    """Whether no character of `value` has a case: UPPER() and LOWER() leave it as it is."""
    return all(
        unicodedata.category(char) in _CASELESS_CATEGORIES and char.upper() == char == char.lower()
        for char in value
    )


def _institution_region(queryset: QuerySet, value: str) -> QuerySet:
    """Listings of the region's institutions: an IN over a few dozen institutions, which the
    listing indexes serve, instead of a join to every listing's institution."""
    from marketplace.accounts.models import Institution

    return queryset.filter(institution__in=Institution.objects.filter(region=value).values("pk"))


def _one_institution(queryset: QuerySet, code: str) -> QuerySet:
    """Listings of one institution: its id looked up inside the query, so the listing's
    (institution, code) index serves the list in order, instead of a join on every row.
    `= (SELECT id …)`, not `IN (SELECT …)`: with IN, SQLite read the institution's rows by
    the plain foreign-key index and sorted them all for each page. The code is unique, so
    the subquery has one row or none (NULL: no listing matches, as with IN)."""
    from marketplace.accounts.models import Institution

    return queryset.filter(
        institution=Subquery(Institution.objects.filter(code=code).values("pk")[:1])
    )


INSTRUMENT_FILTERS = {
    "region": _choice("region", Region, _institution_region),
    "category": _choice("category", InstrumentCategory, lambda qs, v: qs.filter(category=v)),
    "service_mode": _choice(
        "service_mode",
        ServiceMode,
        lambda qs, v: qs.filter(**{f"offers_{v}": True}),
    ),
}
INCUBATOR_FILTERS = {
    "region": _choice("region", Region, lambda qs, v: qs.filter(region=v)),
    "type": _choice("type", IncubatorType, lambda qs, v: qs.filter(type=v)),
    "level": _choice("level", IncubatorLevel, lambda qs, v: qs.filter(level=v)),
}
TECHNOLOGY_FILTERS = {
    "region": _choice("region", Region, _institution_region),
    "ip_type": _choice("ip_type", IpType, lambda qs, v: qs.filter(ip_type=v)),
    "transfer_mode": _choice(
        "transfer_mode", TransferMode, lambda qs, v: qs.filter(**{f"mode_{v}": True})
    ),
}
SEARCH_FIELDS = {
    "instrument": ["name", "model_number", "manufacturer", "description"],
    "incubator": ["name", "address", "description"],
    "technology": ["title", "summary", "field"],
}
CHOICE_FILTERS = {
    "instrument": INSTRUMENT_FILTERS,
    "incubator": INCUBATOR_FILTERS,
    "technology": TECHNOLOGY_FILTERS,
}


def parse_filters(kind: str, params) -> dict[str, str]:
    """The filters that apply, validated: name → value as given (stripped). Raises FilterError
    with every invalid value. What the list is depends on these alone (`filter_listings`)."""
    errors: dict[str, list[str]] = {}
    applied: dict[str, str] = {}
    for name, spec in CHOICE_FILTERS[kind].items():
        value = (params.get(name) or "").strip()
        if not value:
            continue
        if value not in spec.allowed:
            errors[name] = [
                gettext("未知取值 %(value)s；可选：%(allowed)s")
                % {"value": repr(value[:50]), "allowed": ", ".join(spec.choices.values)}
            ]
            continue
        applied[name] = value
    institution = (params.get("institution") or "").strip()
    if institution:
        applied["institution"] = institution
    query = (params.get("q") or "").strip()
    if query:
        if len(query) > 100:
            errors["q"] = [gettext("搜索词最长 100 个字符")]
        else:
            applied["q"] = query
    if kind == "technology":
        for name in ("trl_min", "trl_max"):
            value = (params.get(name) or "").strip()
            if not value:
                continue
            if _int_in(value, 1, 9) is None:
                errors[name] = [gettext("应为 1–9 的整数")]
            else:
                applied[name] = value
        field = (params.get("field") or "").strip()
        if field:
            applied["field"] = field
    if kind == "incubator" and (params.get("vacant") or "") in {"1", "true"}:
        applied["vacant"] = "1"
    if errors:
        raise FilterError(errors)
    return applied


# The kinds whose `region` is their institution's (instruments and technologies carry none).
REGION_BY_INSTITUTION = frozenset(
    kind
    for kind, filters in CHOICE_FILTERS.items()
    if filters["region"].apply is _institution_region
)


def filter_listings(
    kind: str,
    queryset: QuerySet,
    applied: dict[str, str],
    region_institutions: list[int] | None = None,
) -> QuerySet:
    """`queryset` filtered by `applied` (from `parse_filters`).

    `region_institutions`: the ids of the region's institutions when the caller has them
    (kept with the list's total, paging.StoredList), written into the query as a list. With
    `IN (SELECT id FROM institution WHERE region = …)` an ANALYZEd SQLite read the region's
    listings by the plain institution index and sorted them (technologies of a region with an
    IP type and a TRL: 38 ms) instead of seeking the filter's partial index (5 ms); the
    subquery stays when the ids are not at hand, and when there are none (`IN ()` would make
    the query empty before it reaches the database, with no SQL to name it by)."""
    for name, spec in CHOICE_FILTERS[kind].items():
        value = applied.get(name)
        if value is None:
            continue
        if name == "region" and kind in REGION_BY_INSTITUTION and region_institutions:
            queryset = queryset.filter(InIds(F("institution_id"), region_institutions))
        else:
            queryset = spec.apply(queryset, value)
    if "institution" in applied:
        queryset = _one_institution(queryset, applied["institution"])
    if "q" in applied:
        queryset = queryset.filter(search_condition(kind, applied["q"]))
    if "trl_min" in applied or "trl_max" in applied:
        # The levels of the range as a list (the column holds 1–9 or NULL: its check
        # constraint), not `trl >= 3 AND trl <= 6`: for a range an ANALYZEd SQLite read every
        # technology of those levels by the plain trl index and sorted them (290 ms for
        # software copyrights of TRL 3–6), where the IP type's partial index in code order
        # tests the level in each entry and stops at the page's last match (0.2 ms).
        levels = range(int(applied.get("trl_min", 1)), int(applied.get("trl_max", 9)) + 1)
        # No level (a minimum above the maximum): `.none()`, which the counts know as empty.
        queryset = queryset.filter(trl__in=levels) if levels else queryset.none()
    if "field" in applied:
        queryset = queryset.filter(field=applied["field"])
    if "vacant" in applied:
        queryset = queryset.filter(capacity__workstations_vacant__gt=0)
    return queryset


def region_institution_ids(region: str) -> list[int]:
    """The ids of the region's institutions, in id order (for `filter_listings`)."""
    from marketplace.accounts.models import Institution

    return list(
        Institution.objects.filter(region=region).order_by("pk").values_list("pk", flat=True)
    )


def apply_filters(kind: str, queryset: QuerySet, params) -> tuple[QuerySet, dict[str, str]]:
    """Filter `queryset` by the query parameters; returns it with the values that applied."""
    applied = parse_filters(kind, params)
    return filter_listings(kind, queryset, applied), applied
