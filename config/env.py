"""Small, typed readers for settings taken from the environment."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} is required in this setting.")
    return value


def cache_config(url: str | None) -> dict:
    """One Django CACHES entry from a URL.

    Unset → the database cache (table `django_cache`, created by a migration), shared by every
    worker and every machine that shares the database, so throttles count once for the site.
    `redis://host:6379/0` (or `rediss://`) → Django's Redis cache (needs the `redis` package);
    `locmem://` → per-process memory (tests, one-process setups only); `dummy://` → no cache.
    """
    if not url or url.startswith("db://"):
        table = url[len("db://") :] if url else ""
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": table or "django_cache",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    if url.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url.startswith("locmem://"):
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": url[len("locmem://") :] or "default",
        }
    if url.startswith("dummy://"):
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL must start with db://, redis://, rediss://, locmem:// or dummy://, got {url!r}"
    )
