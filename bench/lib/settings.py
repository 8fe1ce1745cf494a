"""Settings for the benchmark server: the dev settings as production would run them (no DEBUG),
plus the floor view's URLconf and a response header carrying each request's query count."""

from config.settings.dev import *  # noqa: F403

DEBUG = False  # DEBUG keeps every query in memory and renders technical error pages
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "bench.lib.floor_urls"
# Outermost, so queries made by other middleware (sessions, redirects) are counted too.
MIDDLEWARE = ["bench.lib.query_count.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
# Server errors go to gunicorn's log, where the benchmark picks up the exception it reports.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False}},
}
