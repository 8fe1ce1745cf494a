"""Wagtail locales without a query each time a page asks for one.

`Locale.get_default()`, `Locale.get_active()` and `page.locale` each run a query; the public
pages asked for them four to six times per request. The locales (a handful of rows that change
when an administrator adds a language) are read once into the per-process cache for a minute.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django.utils import translation
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale

_KEY = "cms:locales:v1"
_SECONDS = 60


def _locales() -> dict[str, Locale]:
    local = caches["local"]
    found = local.get(_KEY)
    if found is None:
        found = {locale.language_code: locale for locale in Locale.objects.all()}
        local.set(_KEY, found, _SECONDS)
    return found


def forget_locales(**kwargs) -> None:
    caches["local"].delete(_KEY)


def locale_for(language_code: str) -> Locale:
    """The Locale of a language (as Locale.objects.get_for_language); DoesNotExist if none."""
    try:
        code = get_supported_content_language_variant(language_code)
    except LookupError as exc:
        raise Locale.DoesNotExist(language_code) from exc
    try:
        return _locales()[code]
    except KeyError as exc:
        raise Locale.DoesNotExist(code) from exc


def default_locale() -> Locale:
    return locale_for(settings.LANGUAGE_CODE)


def active_locale() -> Locale:
    """As Locale.get_active(): the active language's locale, else the default one."""
    try:
        return locale_for(translation.get_language())
    except Locale.DoesNotExist:
        return default_locale()


def language_of(page) -> str:
    """A page's language code, without reading its locale row."""
    for locale in _locales().values():
        if locale.pk == page.locale_id:
            return locale.language_code
    return page.locale.language_code
