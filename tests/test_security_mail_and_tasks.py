"""Finding 3 of issue 14 (the settings part): a mail server that never answers is given up on
after EMAIL_TIMEOUT, and production queues side effects for `manage.py db_worker` instead of
running them inside the request."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from django.core.mail import get_connection, send_mail

from tests.test_settings_from_environment import probe


@pytest.fixture
def silent_smtp_server():
    """Accepts connections and never says a word (no SMTP greeting)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    for connection in accepted:
        connection.close()
    server.close()


def test_a_silent_mail_server_is_given_up_on_after_email_timeout(settings, silent_smtp_server):
    settings.EMAIL_TIMEOUT = 1
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host="127.0.0.1",
        port=silent_smtp_server,
    )
    started = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout, OSError)):
        send_mail(
            "主题", "正文", "noreply@example.org", ["someone@example.org"], connection=connection
        )
    assert time.monotonic() - started < 5


def test_every_environment_has_a_mail_timeout(settings):
    assert 0 < settings.EMAIL_TIMEOUT <= 30


def _settings(module: str, **env: str) -> dict:
    import json

    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'tasks': settings.TASKS['default']['BACKEND'], "
        "'timeout': settings.EMAIL_TIMEOUT, 'cache': settings.CACHES['default']['BACKEND'], "
        "'hsts_sub': getattr(settings, 'SECURE_HSTS_INCLUDE_SUBDOMAINS', False), "
        "'hsts_preload': getattr(settings, 'SECURE_HSTS_PRELOAD', False)}))"
    )
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


PRODUCTION = {"SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "example.org"}


def test_production_queues_tasks_for_a_worker_by_default():
    values = _settings("config.settings.production", **PRODUCTION)
    assert values["tasks"] == "django_tasks_db.DatabaseBackend"
    assert values["timeout"] == 10
    assert values["cache"] == "django.core.cache.backends.db.DatabaseCache"
    assert values["hsts_sub"] is False and values["hsts_preload"] is False


def test_production_hsts_extras_only_when_asked_for():
    values = _settings(
        "config.settings.production",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        SECURE_HSTS_PRELOAD="1",
        **PRODUCTION,
    )
    assert values["hsts_sub"] is True and values["hsts_preload"] is True


def test_make_run_keeps_inline_tasks_and_a_redis_url_switches_the_cache():
    values = _settings("config.settings.dev", CACHE_URL="redis://cache.internal:6379/1")
    assert values["tasks"] == "django_tasks.backends.immediate.ImmediateBackend"
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_an_unknown_cache_url_is_refused_with_its_name():
    result = probe("config.settings.dev", CACHE_URL="memcached://somewhere")
    assert result.returncode != 0
    assert "CACHE_URL must start with" in result.stderr
