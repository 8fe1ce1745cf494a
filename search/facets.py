"""The facets of search: names, allowed values, labels and the buckets of ranged values.

Both engines count the same facet values; a request filters by them with the same names
(`?region=530100&category=analytical`), several values of one facet meaning "any of".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from django.core.signals import setting_changed
from django.db import connection
from django.dispatch import receiver
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from marketplace.catalogue.vocabularies import (
    IncubatorLevel,
    IncubatorType,
    InstrumentCategory,
    IpType,
    ServiceMode,
    TransferMode,
)
from marketplace.regions import Region

# The kinds as tabs and facets: a class of results ("Instruments").
KIND_LABELS = {
    "instrument": pgettext_lazy("plural", "仪器"),
    "incubator": _("孵化载体"),
    "technology": _("科技成果"),
    "news": _("新闻动态"),
    "policy": _("政策文件"),
}
# The kind of one result, beside its title ("Instrument").
KIND_NAMES = {
    "instrument": _("仪器"),
    "incubator": pgettext_lazy("one item", "孵化载体"),
    "technology": pgettext_lazy("one item", "科技成果"),
    "news": pgettext_lazy("one item", "新闻动态"),
    "policy": pgettext_lazy("one item", "政策文件"),
}

# (upper bound exclusive or None, value, label); prices in CNY yuan, each kind its own price:
# the external machine-time fee per hour for instruments, the asking price for technologies.
HOURLY_PRICE_BUCKETS = [
    (Decimal("100"), "0-100", _("100元/小时以下")),
    (Decimal("300"), "100-300", _("100–300元/小时")),
    (Decimal("600"), "300-600", _("300–600元/小时")),
    (Decimal("1000"), "600-1000", _("600–1000元/小时")),
    (None, "1000-", _("1000元/小时以上")),
]
ASKING_PRICE_BUCKETS = [
    (Decimal("100000"), "0-100000", _("10万元以下")),
    (Decimal("500000"), "100000-500000", _("10万–50万元")),
    (Decimal("1000000"), "500000-1000000", _("50万–100万元")),
    (Decimal("5000000"), "1000000-5000000", _("100万–500万元")),
    (None, "5000000-", _("500万元以上")),
]
TRL_BUCKETS = {
    "1-3": _("TRL 1–3 基础研究"),
    "4-6": _("TRL 4–6 中试验证"),
    "7-9": _("TRL 7–9 产业化"),
}


def _bucket(buckets, price: Decimal) -> str:
    for upper, value, _label in buckets:
        if upper is None or price < upper:
            return value
    return buckets[-1][1]


def hourly_price_bucket(price: Decimal) -> str:
    return _bucket(HOURLY_PRICE_BUCKETS, price)


def asking_price_bucket(price: Decimal) -> str:
    return _bucket(ASKING_PRICE_BUCKETS, price)


def trl_bucket(trl: int) -> str:
    return "1-3" if trl <= 3 else "4-6" if trl <= 6 else "7-9"


@dataclass(frozen=True)
class Facet:
    name: str
    label: object
    values: dict | None  # value → label for closed vocabularies; None for open ones
    pattern: str = r"^[A-Za-z0-9._-]{1,64}$"
    # How values are listed: "natural" (the vocabulary's own order: ranges low to high),
    # "count" (most frequent first) or "newest" (years, latest first).
    order: str = "natural"

    def label_for(self, value: str, names: dict[str, str] | None = None) -> str:
        if self.values is not None:
            return str(self.values.get(value, value))
        return (names or {}).get(value, value)

    def is_valid(self, value: str) -> bool:
        if self.values is not None:
            return value in self.values
        return bool(re.fullmatch(self.pattern, value))


def _choices(choices) -> dict:
    return dict(choices.choices)


FACETS: dict[str, Facet] = {
    facet.name: facet
    for facet in [
        Facet("kind", _("类型"), KIND_LABELS),
        Facet("region", _("地区"), _choices(Region)),
        Facet("category", _("仪器分类"), _choices(InstrumentCategory)),
        Facet("service_mode", _("服务方式"), _choices(ServiceMode)),
        Facet(
            "hourly_price",
            _("机时价格"),
            {value: label for _u, value, label in HOURLY_PRICE_BUCKETS},
        ),
        Facet("institution", _("机构"), None, order="count"),
        Facet("incubator_type", _("载体类型"), _choices(IncubatorType)),
        Facet("incubator_level", _("载体级别"), _choices(IncubatorLevel)),
        Facet("vacancy", _("空余工位"), {"yes": _("有空余工位或办公室")}),
        Facet("ip_type", _("知识产权类型"), _choices(IpType)),
        Facet("trl", _("技术成熟度"), TRL_BUCKETS),
        Facet("transfer_mode", _("转化方式"), _choices(TransferMode)),
        Facet(
            "asking_price",
            _("转让报价"),
            {value: label for _u, value, label in ASKING_PRICE_BUCKETS},
        ),
        Facet("year", _("年份"), None, pattern=r"^(19|20)[0-9]{2}$", order="newest"),
        Facet("department", _("发文机关"), None, pattern=r"^[\w-]{1,100}$", order="count"),
    ]
}
FACET_NAMES = tuple(FACETS)
FACET_SIZE = 30


@cache
def _ranks(name: str) -> dict[str, int]:
    """Each value's place in a closed vocabulary's own order (built once, not per search)."""
    return {value: index for index, value in enumerate(FACETS[name].values)}


def ordered(name: str, values: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """A facet's (value, count) pairs in the facet's own order (see Facet.order), at most
    FACET_SIZE of them; ties and open vocabularies fall back to the value itself."""
    facet = FACETS[name]
    if facet.order == "newest":
        return sorted(values, key=lambda item: item[0], reverse=True)[:FACET_SIZE]
    if facet.order == "natural" and facet.values is not None:
        rank = _ranks(name)
        return sorted(values, key=lambda item: (rank.get(item[0], len(rank)), item[0]))[:FACET_SIZE]
    return sorted(values, key=lambda item: (-item[1], item[0]))[:FACET_SIZE]


@lru_cache(maxsize=4096)
def _vocabulary_label(language, name: str, value: str) -> str:
    """A closed vocabulary's label in a language, translated once per process (a response
    listed up to 150 of them, each through gettext)."""
    return FACETS[name].label_for(value)


@receiver(setting_changed)
def _forget_labels(*, setting, **kwargs) -> None:
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"):
        _vocabulary_label.cache_clear()


def _names(model, column: str, values: list[str]) -> dict[str, str]:
    """{value: name} of the rows whose `column` is one of `values`: one statement, without
    the ORM's compilation (about a millisecond of each search)."""
    table = model._meta.db_table
    marks = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column}, name FROM {table} WHERE {column} IN ({marks})",  # noqa: S608
            values,
        )
        return dict(cursor.fetchall())


def labelled(facets: dict[str, list[tuple[str, int]]]) -> dict[str, list[dict]]:
    """Facet counts with display labels: {name: [{"value", "count", "label"}]}.

    Institution and department names come from the database (one query each, only when
    those facets have values); vocabulary labels are translated in the active language.
    """
    from cms.models import Department
    from marketplace.accounts.models import Institution

    names: dict[str, dict[str, str]] = {}
    if facets.get("institution"):
        codes = [value for value, _count in facets["institution"]]
        names["institution"] = _names(Institution, "code", codes)
    if facets.get("department"):
        slugs = [value for value, _count in facets["department"]]
        names["department"] = _names(Department, "slug", slugs)
    language = get_language()

    def label(name: str, value: str) -> str:
        if FACETS[name].values is not None:
            return _vocabulary_label(language, name, value)
        return FACETS[name].label_for(value, names.get(name))

    return {
        name: [
            {"value": value, "count": count, "label": label(name, value)} for value, count in values
        ]
        for name, values in facets.items()
    }
