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

import secrets

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

SITE = "site"
CMS = "cms"
LISTINGS = "listings"
CATALOGUE = "catalogue"
FIGURES = "sharing-figures"

_TAG_PREFIX = "pagecache:tag:"


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


def purge(*tags: str) -> None:
    """Bump `tags` once the current transaction commits (at once outside a transaction).

    After the commit, not before: a request rendering between a bump and the commit would
    read the old rows and file them under the new version.
    """
    if tags:
        transaction.on_commit(lambda: bump_now(*tags))
