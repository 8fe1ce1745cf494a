"""Country names in the reader's language from ISO 3166 codes (pycountry's data and its
translations), for values stored as codes such as 产地国别 "JP"."""

from __future__ import annotations

import functools
import gettext

import pycountry
from django.utils.translation import get_language

# Django's language codes → pycountry's catalogue names.
_CATALOGUES = {"zh-hans": "zh_CN", "zh": "zh_CN"}


@functools.cache
def _translation(language: str) -> gettext.NullTranslations:
    catalogue = _CATALOGUES.get(language)
    if catalogue is None:
        return gettext.NullTranslations()
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[catalogue])


def country_name(code: str, language: str | None = None) -> str:
    """The name of the country `code` ("JP") in `language` (default: the active one);
    an unknown code is returned as stored."""
    country = pycountry.countries.get(alpha_2=(code or "").upper()) if code else None
    if country is None:
        return code or ""
    translation = _translation((language or get_language() or "").lower())
    common = getattr(country, "common_name", None)
    if common and (translated := translation.gettext(common)) != common:
        return translated
    if isinstance(translation, gettext.GNUTranslations):
        return translation.gettext(country.name)  # the catalogue may only know the ISO name
    return common or country.name
