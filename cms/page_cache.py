"""The anonymous page cache's tags: what a cached public page depends on, and how it is purged.

Every cached page (config/page_cache.py stores them) is filed under a few tags, derived from
its URL alone, and remembers the version each tag had when it was rendered. A change bumps the
version of the tags it affects (a new random token in the shared cache, after the transaction
commits); every page filed under such a tag is stale from then on, on every app server at
once, because the versions live in the same shared cache as the pages. Nothing is deleted: a
stale entry is simply never served again and ages out.

Tags:

- ``site``: every page (site identity in the footer, site records).
- ``cms``: Wagtail pages, department pages, feeds, search, sitemap — a page published or
  unpublished, a department renamed.
- ``listings``: every page that lists or counts listings: the catalogue lists, institutions,
  home (figures), search, sitemap — a listing approved, changed, unpublished or deleted.
- ``catalogue``: every catalogue page, lists and details — an institution changed (its name is
  on every listing of it).
- ``sharing-figures``: the open-sharing figures (/statistics/, the home page's 数据概览) — a
  usage record or rating applied, the nightly rebuild (marketplace/sharing/freshness.py).
- ``instrument:CODE`` / ``incubator:CODE`` / ``technology:CODE`` / ``institution:CODE``: one
  detail page — that listing changed, or (instruments) a booking or blackout changed its free
  time.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

SITE = "site"
CMS = "cms"
LISTINGS = "listings"
CATALOGUE = "catalogue"
FIGURES = "sharing-figures"

_TAG_PREFIX = "pagecache:tag:"

T = TypeVar("T")


def page_cache():
    """The cache that holds pages and tag versions (settings.PAGE_CACHE_ALIAS, shared)."""
    return caches[settings.PAGE_CACHE_ALIAS]


def tag_key(tag: str) -> str:
    return _TAG_PREFIX + tag


def object_tag(kind: str, code: str) -> str:
    return f"{kind}:{code}"


def new_version() -> str:
    return secrets.token_hex(6)


def bump_now(*tags: str) -> None:
    """Give each tag a new version: every page filed under one of them is stale from now on."""
    if tags:
        page_cache().set_many({tag_key(tag): new_version() for tag in set(tags)}, timeout=None)


# What this process keeps of the rows the ``site`` and ``cms`` tags cover, in its own memory
# for a minute (the "local" cache: the site identity, Sites and root paths, locales, hreflang
# links), is dropped when it sees one of those tags' versions change. A purge made on another
# server reaches this one through the shared versions; without this, the first page this
# server rendered after that purge would carry its old copy into the shared cache, and every
# server would serve it until the page expired.
_LOCAL_TAGS = (SITE, CMS)
_seen_versions: dict[str, str] = {}


def forget_local_copies_if_purged(versions: dict[str, str | None]) -> None:
    """Call before rendering a page filed under `versions` (tag → current version)."""
    changed = False
    for tag in _LOCAL_TAGS:
        version = versions.get(tag)
        if version is not None and _seen_versions.get(tag) != version:
            _seen_versions[tag] = version
            changed = True
    if changed:
        caches["local"].clear()


def purge(*tags: str) -> None:
    """Bump `tags` once the current transaction commits (at once outside a transaction).

    After the commit, not before: a request rendering between a bump and the commit would
    read the old rows and file them under the new version.
    """
    if tags:
        transaction.on_commit(lambda: bump_now(*tags))


class TagVersioned:
    """Small values kept in the page cache's store while `tag` keeps its version: the
    catalogue lists' totals (marketplace/catalogue/paging.py) under `listings`, registered by
    `cms.signals.connect_page_cache_purges`. A change that bumps the tag makes them stale on
    every app server at once, as it does the pages."""

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def get(self, key: str) -> tuple[str, object | None]:
        """(the tag's version now, the value filed under it or None); one cache read."""
        cache = page_cache()
        version_key = tag_key(self.tag)
        found = cache.get_many([version_key, key])
        version = found.get(version_key)
        if version is None:
            cache.add(version_key, new_version(), timeout=None)
            return cache.get(version_key), None
        entry = found.get(key)
        return version, (entry[1] if entry is not None and entry[0] == version else None)

    def set(self, key: str, version: str, value: object) -> None:
        """File `value` under the version read before it was computed: if the tag moved on
        meanwhile, it is never served."""
        page_cache().set(key, (version, value), settings.PAGE_CACHE_SECONDS)


def current_version(tag: str) -> str:
    """The tag's version now (one read of the shared cache); a first one if it has none."""
    cache = page_cache()
    version_key = tag_key(tag)
    version = cache.get(version_key)
    if version is None:
        cache.add(version_key, new_version(), timeout=None)
        version = cache.get(version_key)
    return version


_KEPT_PREFIX = "pagecache:kept:"


def version_for(tag: str, request=None) -> str:
    """The tag's version, read once per request: the page cache's middleware leaves the
    versions it read on a miss on the request (`page_cache_versions`), and what one read here
    is left there for the next."""
    versions = getattr(request, "page_cache_versions", None) if request is not None else None
    version = versions.get(tag) if versions is not None else None
    if version is None:
        version = current_version(tag)
        if request is not None:
            if versions is None:
                versions = request.page_cache_versions = {}
            versions[tag] = version
    return version


class KeptHints:
    """Small immutable values (which page a path routes to) kept in this process while `tag`
    keeps its version, in a plain dict: one per path would churn the per-process cache that
    `kept` uses. At most `limit` of them; all are dropped when the version moves on."""

    def __init__(self, tag: str, limit: int = 4096) -> None:
        self.tag, self.limit = tag, limit
        self._version: str | None = None
        self._values: dict = {}

    def get(self, key, compute: Callable[[], T], request=None) -> T:
        if not settings.CMS_KEPT_LISTS:
            return compute()
        version = version_for(self.tag, request)
        if version != self._version:
            self._version, self._values = version, {}
        values = self._values  # a value computed while the version moves on lands in the old dict
        if key in values:
            return values[key]
        value = compute()
        if len(values) >= self.limit:
            values.clear()
        values[key] = value
        return value


def kept(tag: str, name: str, compute: Callable[[], T], request=None) -> T:
    """What `compute()` returns, kept in this process while `tag` keeps its version (issue 17).

    For what a CMS page reads from rows that change only when its tag is purged (the home
    page's latest news, the filter menus of the policy library): one read of the tag's version
    instead of building and running the queries. The value lives in the per-process cache
    (pickled: each request gets its own copy of the pages in it) under the version read
    *before* computing, so a value that raced a change is filed under the old version and never
    served after the change's purge; it ages out after PAGE_CACHE_SECONDS. `name` must say
    everything the value depends on besides the tag (the page, the language, the filters).
    CMS_KEPT_LISTS=0 computes on every request.

    With the `request`, the version is read once per request (`version_for`).
    """
    if not settings.CMS_KEPT_LISTS:
        return compute()
    version = version_for(tag, request)
    digest = hashlib.sha256(name.encode()).hexdigest()[:32]
    key = f"{_KEPT_PREFIX}{tag}:{version}:{digest}"
    local = caches["local"]
    found = local.get(key)
    if found is None:
        found = compute()
        local.set(key, found, settings.PAGE_CACHE_SECONDS)
    return found
