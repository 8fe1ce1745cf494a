"""Wagtail's site lookups without a query on every public page (issue 17).

Each Wagtail page asked the database for the request's Site (and its root page) and read the
site root paths from the shared cache (one more query on the database cache) before any of
its content. Both are a handful of rows that change when an administrator edits a Site or
moves a page: they are kept in the per-process cache for a minute, like the locales
(cms/locales.py), and forgotten in this process at once when a Site or a page is saved or
deleted (cms/signals.py). The per-process cache pickles values, so every request gets its
own copy of the Site and its root page; the page's content is still read fresh by `.specific`.
"""

from __future__ import annotations

from django.core.cache import caches
from django.http.request import split_domain_port
from wagtail.models import Site

_KEY = "cms:site:v1:{host}:{port}"
_ROOT_PATHS = "cms:site-root-paths:v1"
_SECONDS = 60
_HOSTS = "cms:site-hosts:v1"
_ALTERNATES = "cms:translations:v2:{generation}:{key}:{host}"
_GENERATION = "cms:alternates-generation:v1"


def _site_key(request) -> str:
    return _KEY.format(host=split_domain_port(request._get_raw_host())[0], port=request.get_port())


def _remember_site(key: str, site: Site | None) -> None:
    local = caches["local"]
    local.set(key, site or False, _SECONDS)
    local.set(_HOSTS, (local.get(_HOSTS) or set()) | {key}, _SECONDS)


def alternates_key(page, request) -> str:
    """The per-process cache key of a page's hreflang links (cms_tags._alternates)."""
    local = caches["local"]
    generation = local.get(_GENERATION)
    if generation is None:
        generation = id(object())
        local.set(_GENERATION, generation, None)
    host = request.get_host() if request is not None else ""
    return _ALTERNATES.format(generation=generation, key=page.translation_key, host=host)


def forget_sites(sender=None, instance=None, **kwargs) -> None:
    from wagtail.models import Page

    if sender is not Site and not isinstance(instance, Page):
        return
    local = caches["local"]
    local.delete_many([*(local.get(_HOSTS) or ()), _HOSTS, _ROOT_PATHS, _GENERATION])


class SiteLookupMiddleware:
    """Gives the request its Site and site root paths before Wagtail asks the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(("/admin/", "/django-admin/", "/api/", "/static/")):
            return self.get_response(request)
        # Both only when cached: a page that never needs them (the catalogue's and the
        # workflows' own views) pays nothing; what Wagtail read during the request is kept after.
        local = caches["local"]
        key = _site_key(request)
        site = local.get(key)
        if site is not None:
            request._wagtail_site = site or None
        paths = local.get(_ROOT_PATHS)
        if paths is not None:
            request._wagtail_cached_site_root_paths = paths
        response = self.get_response(request)
        if site is None and hasattr(request, "_wagtail_site"):
            _remember_site(key, request._wagtail_site)
        if paths is None and hasattr(request, "_wagtail_cached_site_root_paths"):
            local.set(_ROOT_PATHS, request._wagtail_cached_site_root_paths, _SECONDS)
        return response
