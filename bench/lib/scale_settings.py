"""Settings for the multi-server run (bench/scale.py): production's, unchanged, plus the floor
view's URL (/bench/floor, a constant JSON answer through the same proxy, server and
middleware) and server errors on stderr, where the run picks them up from gunicorn's log.

Everything production requires comes from the environment the script sets: SECRET_KEY (one for
all servers), ALLOWED_HOSTS, TASK_BACKEND=database, the shared database caches (CACHE_URL and
PAGE_CACHE_URL unset), NUM_PROXIES=1 behind nginx, HTTPS at nginx (secure cookies, HSTS).
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.lib.floor_urls"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False}},
}
