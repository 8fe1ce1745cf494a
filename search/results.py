"""What a result line shows besides its title and snippet, per kind: the facts people compare
(institution, city, prices, service modes; incubator level and free workstations; IP type,
TRL, transfer modes, asking price). Built from the `details` each document carries in the
index, so showing them costs no query; labels follow the active language."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import get_language, gettext

from marketplace.catalogue.vocabularies import IncubatorLevel, IpType, ServiceMode, TransferMode
from marketplace.regions import Region


# A page of 20 hits asked gettext for the same few labels and phrases about 150 times
# (a tenth of the search API's time at 100,000 listings): each (language, text) is
# translated once per process. The catalogues do not change while a process runs; when a
# test changes the language settings, Django reloads them and these are forgotten too.
@lru_cache(maxsize=4096)
def _label_in(language, choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


@lru_cache(maxsize=256)
def _text_in(language, message: str) -> str:
    return gettext(message)


@receiver(setting_changed)
def _forget_translations(*, setting, **kwargs) -> None:
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"):
        _label_in.cache_clear()
        _text_in.cache_clear()


def yuan(amount) -> str:
    """¥1,234 or ¥1,234.50 (whole yuan without decimals)."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return ""
    if value == value.to_integral_value():
        return f"¥{value:,.0f}"
    return f"¥{value:,.2f}"


def result_line(kind: str, details: dict) -> list[str]:
    """Short labelled facts for one hit, in display order; empty for news and policy."""
    details = details or {}
    language = get_language()

    def label(choices, value) -> str:
        return _label_in(language, choices, value)

    def _(message: str) -> str:  # gettext, remembered (and still what makemessages finds)
        return _text_in(language, message)

    parts: list[str] = []
    if kind in ("instrument", "incubator", "technology"):
        if details.get("institution"):
            parts.append(details["institution"])
        if details.get("region"):
            parts.append(label(Region, details["region"]))
    if kind == "instrument":
        if details.get("price_hourly") is not None:
            price = _("机时 %(price)s/小时") % {"price": yuan(details["price_hourly"])}
            if details.get("price_internal_hourly") is not None:
                price += _("（校内 %(price)s）") % {"price": yuan(details["price_internal_hourly"])}
            parts.append(price)
        if details.get("price_per_sample") is not None:
            parts.append(_("送样 %(price)s/样") % {"price": yuan(details["price_per_sample"])})
        modes = [label(ServiceMode, mode) for mode in details.get("service_modes") or []]
        if modes:
            parts.append(_("、").join(modes))
    elif kind == "incubator":
        if details.get("level"):
            parts.append(label(IncubatorLevel, details["level"]))
        vacant = details.get("workstations_vacant")
        if vacant is not None:
            parts.append(_("空余工位 %(count)s 个") % {"count": vacant})
    elif kind == "technology":
        if details.get("ip_type"):
            parts.append(label(IpType, details["ip_type"]))
        if details.get("trl"):
            parts.append(f"TRL {details['trl']}")
        modes = [label(TransferMode, mode) for mode in details.get("transfer_modes") or []]
        if modes:
            parts.append(_("、").join(modes))
        if details.get("asking_price") is not None:
            parts.append(_("报价 %(price)s") % {"price": yuan(details["asking_price"])})
        else:
            parts.append(_("报价面议"))
    return [part for part in parts if part]
