"""Settings choose database, search, payments and tasks from the environment alone."""

import json
import subprocess
import sys

import pytest

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "db": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "search": settings.SEARCH_ENGINE,
    "payments": settings.PAYMENT_METHODS,
    "tasks": settings.TASKS["default"]["BACKEND"],
    "stripe_base": settings.STRIPE_API_BASE,
    "email": settings.EMAIL_BACKEND,
    "debug": settings.DEBUG,
}))
"""


def probe(settings_module: str, **env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": settings_module, **env}
    return subprocess.run(
        [sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, timeout=60
    )


def settings_for(settings_module: str = "config.settings.dev", **env: str) -> dict:
    result = probe(settings_module, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_nothing_set_means_the_embedded_defaults():
    values = settings_for()
    assert values["db"] == "django.db.backends.sqlite3"
    assert values["db_name"].endswith("db.sqlite3")
    assert values["search"] == "database"
    assert values["payments"] == ["offline"]
    assert values["tasks"] == "django_tasks.backends.immediate.ImmediateBackend"


def test_service_urls_switch_every_engine():
    values = settings_for(
        DATABASE_URL="postgres://app:secret@db.internal:5432/shuangchuang",
        ELASTICSEARCH_URL="http://search.internal:9200",
        STRIPE_SECRET_KEY="sk_test_123",
        STRIPE_API_BASE="http://127.0.0.1:12111",
        TASK_BACKEND="database",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    assert values["db"] == "django.db.backends.postgresql"
    assert values["db_name"] == "shuangchuang"
    assert values["search"] == "elasticsearch"
    assert values["payments"] == ["stripe", "offline"]
    assert values["stripe_base"] == "http://127.0.0.1:12111"
    assert values["tasks"] == "django_tasks_db.DatabaseBackend"
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"


def test_an_unknown_task_backend_is_refused_with_its_name():
    result = probe("config.settings.dev", TASK_BACKEND="carrier-pigeon")
    assert result.returncode != 0
    assert "TASK_BACKEND must be one of" in result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_secret_key_or_hosts(missing):
    env = {"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "example.org"}
    del env[missing]
    result = probe("config.settings.production", **env)
    assert result.returncode != 0
    assert f"{missing} is required" in result.stderr


def test_production_passes_the_deploy_check_without_warnings():
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "a-long-random-production-secret-key-for-the-check-" + "k9" * 20,
        "ALLOWED_HOSTS": "shuangchuang.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
