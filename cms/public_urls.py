"""The public address of the site: what canonical links, feeds and the sitemap are built on.

Wagtail's default site is created as `localhost:80`; until an operator gives it the real
hostname, public links use SITE_URL instead, so no page, feed or sitemap ever tells a reader or
a crawler to go to localhost.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})  # noqa: S104 - a name, not a bind


def is_local_root(root_url: str | None) -> bool:
    """True when a site root URL names this machine rather than a public host."""
    if not root_url:
        return True
    host = (urlsplit(root_url).hostname or "").lower()
    return not host or host in LOCAL_HOSTS or host.endswith(".localhost")


def public_root_url(site_root_url: str | None = None) -> str:
    """scheme://host[:port] without a trailing slash: the site's own if public, else SITE_URL."""
    if site_root_url and not is_local_root(site_root_url):
        return site_root_url.rstrip("/")
    return settings.SITE_URL.rstrip("/")


def absolute(path: str, site_root_url: str | None = None) -> str:
    """An absolute public URL for a path ("/feeds/news.rss"); absolute URLs pass unchanged."""
    if path.startswith(("http://", "https://")):
        return path
    return public_root_url(site_root_url) + "/" + path.lstrip("/")
