"""Anonymous page cache: public pages served from Django's cache to visitors who are not logged in.

Why not Django's own cache middleware: its keys include every header named in `Vary` (so a
`Cookie` header makes one entry per visitor) and it cannot purge "every page that lists
instruments" at once. Why not wagtail-cache: its releases require Wagtail < 8. So this is a
small middleware on Django's cache API with:

- **Which requests**: GET/HEAD of a public page (an allow-list of URL names below: Wagtail
  pages, catalogue lists and details, institutions, departments, search, feeds, sitemap, the
  open-sharing statistics) and of the public catalogue API (lists, details, an instrument's
  availability, institutions, the search API; an API request only when its Accept header
  takes DRF's plain JSON),
  with no session cookie, no messages cookie and no Authorization header — i.e. nobody logged
  in and nothing personal waiting. Everything else passes through untouched.
- **Which responses are kept**: 200, not streaming, setting no cookie (so no CSRF token, no
  session, no message was used), not marked private/no-cache/no-store, and varying on
  nothing but Cookie/Accept-Language/Accept-Encoding (both covered: no cookie that matters
  reaches here, and the language is part of the key).
- **Key**: scheme, host, the language the page is rendered in, and the full path with its
  query string.
- **Purging**: each page is filed under tags derived from its URL (cms/page_cache.py); the
  entry remembers the tags' versions and is served only while they are unchanged. The entry
  and the current versions come back in one `get_many`, so a hit is one cache round trip
  (the tags' versions alone, when this process holds a copy of the page).
- **Where entries live**: `settings.PAGE_CACHE_ALIAS` ("pages"), a shared cache (its own
  database table by default, Redis with PAGE_CACHE_URL): every app server sees one purge at
  once, a page rendered by one server serves all of them, and a flood of distinct search
  URLs culls other pages, never the throttle counters in "default".
- **A copy in each process** (settings.PAGE_CACHE_LOCAL_ALIAS, Django's per-process memory
  cache): a page this process rendered or read from the shared store is kept beside it until
  PAGE_CACHE_SECONDS after it was rendered (the entry's last item), as the shared entry. A hit on that copy still reads the tags' current
  versions from the shared store (the same one round trip, without the page's bytes) and is
  served only while they are the ones the copy was filed under, so a purge made on any
  server is seen at once. A copy whose versions moved on is dropped and the shared entry
  read (another server may have filed the page again); pages larger than
  PAGE_CACHE_LOCAL_MAX_BYTES are not copied.
- **Per-process copies of rows**: before rendering a miss, a server that sees a new version of the
  ``site`` or ``cms`` tag drops what it keeps of those rows in its own memory (the "local"
  cache), so a purge made on another server is not undone by this one rendering old values
  into the shared cache (cms/page_cache.forget_local_copies_if_purged).
- **Headers**: a kept page says `Cache-Control: public, max-age=0, s-maxage=N` and
  `Vary: Cookie, Accept-Language`, so a reverse proxy or CDN may keep it N seconds
  (PAGE_CACHE_PROXY_SECONDS) for cookie-less visitors while browsers always ask again; every
  other page this middleware sees gets `Cache-Control: private` unless it set its own.
"""

from __future__ import annotations

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, get_urlconf, resolve
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language_from_request

from cms import page_cache
from cms.page_cache import CATALOGUE, CMS, FIGURES, LISTINGS, SITE, object_tag

HEADER = "X-Page-Cache"
_KEY_PREFIX = "pagecache:page:"
_MAX_QUERY = 512
_SAFE_VARY = {"cookie", "accept-language", "accept-encoding"}
_CACHE_CONTROL_REFUSED = ("private", "no-cache", "no-store")
# Headers worth keeping with a page (the outer middlewares add the security ones again).
_DROPPED_HEADERS = {"set-cookie", "content-length", HEADER.lower()}
_API_PREFIX = "/api/"
_JSON_RANGES = {"*/*", "application/*", "application/json"}

_DETAIL_KINDS = {
    "catalogue:instrument_detail": "instrument",
    "catalogue:incubator_detail": "incubator",
    "catalogue:technology_detail": "technology",
    # The public catalogue API (API.md, "Catalogue"): the same rows as the pages. An
    # instrument's free time is its own object's too: a booking or blackout bumps its tag.
    "api:instrument-detail": "instrument",
    "api:instrument-availability": "instrument",
    "api:incubator-detail": "incubator",
    "api:technology-detail": "technology",
}
# An institution's page and API detail show its listings or their count: every listing
# change (`listings`) as well as the institution's own.
_INSTITUTION_DETAILS = {"catalogue:institution_detail", "api:institution-detail"}
_FIXED_TAGS = {
    "api:instrument-list": (CATALOGUE, LISTINGS),
    "api:incubator-list": (CATALOGUE, LISTINGS),
    "api:technology-list": (CATALOGUE, LISTINGS),
    "api:institution-list": (CATALOGUE, LISTINGS),
    "api:search": (CMS, LISTINGS),
    "catalogue:instruments": (CATALOGUE, LISTINGS),
    "catalogue:incubators": (CATALOGUE, LISTINGS),
    "catalogue:technologies": (CATALOGUE, LISTINGS),
    "catalogue:institution_list": (CATALOGUE, LISTINGS),
    "search:search": (CMS, LISTINGS),
    "cms:department_list": (CMS,),
    "cms:department": (CMS,),
    "cms:news_rss": (CMS,),
    "cms:news_atom": (CMS,),
    "cms:policies_rss": (CMS,),
    "cms:policies_atom": (CMS,),
    "sitemap": (CMS, LISTINGS),
    # The open-sharing figures and the institutions' names in its rankings.
    "sharing:statistics": (FIGURES, CATALOGUE),
}


def tags_for(path: str) -> tuple[str, ...] | None:
    """The tags a public page at `path` is filed under; None for a page that is never cached.

    Remembered per process for the last paths asked (the tags depend on the path and the
    URLconf alone): resolving walks every URL pattern, a third of a hit's time in-process."""
    return _tags_for(get_urlconf() or settings.ROOT_URLCONF, path)


@functools.lru_cache(maxsize=4096)
def _tags_for(urlconf: str, path: str) -> tuple[str, ...] | None:
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    name = match.view_name
    if name in _FIXED_TAGS:
        return (SITE, *_FIXED_TAGS[name])
    if name in _DETAIL_KINDS:
        code = match.kwargs.get("code", "")
        return (SITE, CATALOGUE, object_tag(_DETAIL_KINDS[name], code))
    if name in _INSTITUTION_DETAILS:
        code = match.kwargs.get("code", "")
        return (SITE, CATALOGUE, LISTINGS, object_tag("institution", code))
    if name == "wagtail_serve":
        # A home page ("/", or a locale's root) shows the catalogue's figures too.
        if path.count("/") <= 2:
            return (SITE, CMS, LISTINGS, FIGURES)
        return (SITE, CMS)
    return None


def _is_anonymous(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _accepts_plain_json(request: HttpRequest) -> bool:
    """An API request whose answer does not depend on its Accept header: none, or one that
    DRF's JSON renderer meets with its plain output. A client asking only for another type
    (DRF's 406) or with media parameters (`application/json; indent=4` changes the bytes)
    is passed through, so the key needs no Accept and a hit is what the view would answer."""
    accept = request.META.get("HTTP_ACCEPT", "")
    if not accept.strip():
        return True
    plain = False
    for media_range in accept.split(","):
        media_type, *params = (part.strip() for part in media_range.split(";"))
        if any(not param.lower().startswith("q=") for param in params if param):
            return False
        plain = plain or media_type.lower() in _JSON_RANGES
    return plain


def _key(request: HttpRequest, language: str) -> str:
    raw = f"{request.scheme}|{request.get_host()}|{language}|{request.get_full_path()}"
    return _KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in _CACHE_CONTROL_REFUSED):
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return vary <= _SAFE_VARY


def _public_headers(response: HttpResponse) -> None:
    patch_cache_control(
        response, public=True, max_age=0, s_maxage=settings.PAGE_CACHE_PROXY_SECONDS
    )
    patch_vary_headers(response, ("Cookie", "Accept-Language"))


def _mark_private(response: HttpResponse) -> HttpResponse:
    if not response.has_header("Cache-Control"):
        patch_cache_control(response, private=True)
    return response


def _local_pages():
    """This process's copies of pages (settings.PAGE_CACHE_LOCAL_ALIAS), or None."""
    alias = settings.PAGE_CACHE_LOCAL_ALIAS
    return caches[alias] if alias else None


def _keep_locally(local, key: str, entry: tuple) -> None:
    """Copy `entry` into this process for what is left of its PAGE_CACHE_SECONDS since it was
    rendered (its last item), so no copy is served longer than the shared entry would be."""
    if local is None or len(entry) < 5 or len(entry[3]) > settings.PAGE_CACHE_LOCAL_MAX_BYTES:
        return
    left = entry[4] + settings.PAGE_CACHE_SECONDS - time.time()
    if left >= 1:
        local.set(key, entry, left)


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tags = None
        if (
            settings.PAGE_CACHE_ENABLED
            and request.method in ("GET", "HEAD")
            and _is_anonymous(request)
            and len(request.META.get("QUERY_STRING", "")) <= _MAX_QUERY
        ):
            tags = tags_for(request.path_info)
            api = request.path_info.startswith(_API_PREFIX)
            if tags is not None and api and not _accepts_plain_json(request):
                tags = None
        if tags is None:
            response = self.get_response(request)
            if request.method in ("GET", "HEAD") and not request.path_info.startswith(
                ("/api/", "/static/", "/media/")
            ):
                _mark_private(response)
            return response

        cache = page_cache.page_cache()
        key = _key(request, get_language_from_request(request))
        tag_keys = [page_cache.tag_key(tag) for tag in tags]
        local = _local_pages()
        kept = local.get(key) if local is not None else None
        if kept is not None:
            # This process's copy: only the tags' versions are read from the shared store.
            found = cache.get_many(tag_keys)
            versions = tuple(found.get(tag_key) for tag_key in tag_keys)
            if None not in versions and kept[0] == versions:
                return self._from_entry(kept)
            local.delete(key)
            # Purged since: another server may have filed the page under the new versions.
            entry = cache.get(key)
        else:
            found = cache.get_many([key, *tag_keys])
            versions = tuple(found.get(tag_key) for tag_key in tag_keys)
            entry = found.get(key)
        if entry is not None and None not in versions and entry[0] == versions:
            _keep_locally(local, key, entry)
            return self._from_entry(entry)

        if None in versions:
            versions = self._start_versions(cache, tag_keys, versions)
        request.page_cache_versions = dict(zip(tags, versions, strict=True))
        page_cache.forget_local_copies_if_purged(request.page_cache_versions)
        response = self.get_response(request)
        if _storable(request, response):
            _public_headers(response)
            response[HEADER] = "miss"
            entry = self._entry(versions, response)
            cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
            _keep_locally(local, key, entry)
        else:
            response[HEADER] = "pass"
            if not request.path_info.startswith(_API_PREFIX):
                # (the API's answers keep the headers they always had: an error, a 404)
                _mark_private(response)
        return response

    @staticmethod
    def _start_versions(cache, tag_keys, versions):
        """Tags never bumped (or evicted) get a first version before the page is rendered."""
        missing = {
            k: page_cache.new_version()
            for k, v in zip(tag_keys, versions, strict=True)
            if v is None
        }
        for tag_key, version in missing.items():
            cache.add(tag_key, version, timeout=None)
        current = cache.get_many(tag_keys)
        return tuple(current.get(tag_key) for tag_key in tag_keys)

    @staticmethod
    def _entry(versions, response: HttpResponse) -> tuple:
        headers = [
            (name, value)
            for name, value in response.items()
            if name.lower() not in _DROPPED_HEADERS
        ]
        return (versions, response.status_code, headers, response.content, time.time())

    @staticmethod
    def _from_entry(entry) -> HttpResponse:
        # (An entry filed before the render time was part of it has four items.)
        _versions, status, headers, content = entry[:4]
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        response[HEADER] = "hit"
        return response
