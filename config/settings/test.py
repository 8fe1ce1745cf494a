"""pytest settings: the same environment switches as production, fast hashing, captured mail."""

from config.env import env_bool, env_str

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY", "test-only-key-not-secret-3b1f2e8d9c")
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Each test gets its own media folder (tests/conftest.py); this is only the fallback.
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_AUTOREFRESH = True
# Tests read search results inside a transaction that is never committed, which only the
# embedded engine sees; tests about Elasticsearch opt in with override_settings.
SEARCH_ENGINE = env_str("SEARCH_ENGINE", "database")
# The anonymous page cache is off by default in tests: most tests change rows and read a page in
# one transaction that never commits, where purges (on commit) cannot run. Its own tests
# (tests/test_page_cache.py) turn it on and run the commit callbacks; PAGE_CACHE=1 turns it on
# for every test.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE", False)
# The lists' cached totals likewise (purged on commit); tests/test_catalogue_counts_cached.py.
CATALOGUE_COUNT_CACHE = env_bool("CATALOGUE_COUNT_CACHE", False)
# The CMS pages' kept lists likewise (purged on commit); tests/test_cms_kept_lists.py.
CMS_KEPT_LISTS = env_bool("CMS_KEPT_LISTS", False)
