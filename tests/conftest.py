"""Shared fixtures, and the switches for tests that need a real service.

A test marked `postgres`, `elasticsearch`, `stripe` or `browser` runs when its service is
configured in the environment and is skipped otherwise; the run ends with one line per
missing service. REQUIRE_SERVICES=1 turns a missing service into a failure.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter

import pytest

SERVICES = {
    "postgres": (
        lambda: os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        "DATABASE_URL is not a postgres:// URL",
    ),
    "elasticsearch": (
        lambda: bool(os.environ.get("ELASTICSEARCH_URL")),
        "ELASTICSEARCH_URL is not set",
    ),
    "stripe": (
        lambda: bool(os.environ.get("STRIPE_API_BASE") and os.environ.get("STRIPE_SECRET_KEY")),
        "STRIPE_API_BASE / STRIPE_SECRET_KEY are not set (stripe-mock)",
    ),
    "browser": (
        lambda: bool(shutil.which("chromium") or shutil.which("chromium-browser")),
        "no chromium on PATH",
    ),
}
_skipped: Counter = Counter()


def _require_services() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") not in ("", "0")


def pytest_collection_modifyitems(config, items):
    missing = {name: reason for name, (available, reason) in SERVICES.items() if not available()}
    for item in items:
        for name, reason in missing.items():
            if item.get_closest_marker(name):
                if _require_services():
                    item.add_marker(
                        pytest.mark.usefixtures("_fail_missing_service"),
                    )
                    item.user_properties.append(("missing_service", f"{name}: {reason}"))
                else:
                    _skipped[f"{name} ({reason})"] += 1
                    item.add_marker(pytest.mark.skip(reason=f"needs {name}: {reason}"))


@pytest.fixture
def _fail_missing_service(request):
    missing = [value for key, value in request.node.user_properties if key == "missing_service"]
    pytest.fail(f"REQUIRE_SERVICES=1 but a service is missing: {'; '.join(missing)}")


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        parts = ", ".join(f"{count} need {what}" for what, count in sorted(_skipped.items()))
        terminalreporter.write_line(f"service tests skipped: {parts}", yellow=True)
    else:
        terminalreporter.write_line("service tests skipped: none")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a change's on-commit callbacks (cache purges, figures, index updates) as a real
    commit would, and give back what the change returned."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def site_tree(db):
    """The 双创专区 home page as `migrate` leaves it (cms.0007): the default site's root, with
    the news, notices and policy columns and nothing in them."""
    from cms.models import HomePage

    if not HomePage.objects.exists():
        _rebuild_site_tree()
    return HomePage.objects.get()


def _rebuild_site_tree():
    """A transactional test (live_server) before this one flushed what `migrate` made: make
    it again as migrate does — Wagtail's locales and root page, then cms.0007's tree."""
    from importlib import import_module

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from wagtail.models import Locale, Page

    for code in ("zh-hans", "en"):
        Locale.objects.get_or_create(language_code=code)
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(
            instance=Page(
                title="Root", slug="root", locale=Locale.objects.get(language_code="zh-hans")
            )
        )
    state = MigrationLoader(connection).project_state(("cms", "0007_create_site_tree"))
    import_module("cms.migrations.0007_create_site_tree").create_site_tree(state.apps, None)


@pytest.fixture
def site_pages(site_tree):
    """The front page and news index with the demo content `load_demo` adds to the tree."""
    from cms.demo import load_demo_pages
    from cms.models import NewsIndexPage

    load_demo_pages()
    return site_tree, NewsIndexPage.objects.get()


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Each test starts with an empty cache (the home-page figures …): a value cached by an
    earlier test would describe rows its rollback removed.

    The site identity every footer shows is then loaded once, as a running server has it in its
    cache: pinned query counts measure that steady state, whichever test runs first.
    """
    from django.core.cache import cache, caches

    caches["local"].clear()
    _clear_local_pages()
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif marker or "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        # No database for this test, so no database cache either: only the local one.
        yield
        caches["local"].clear()
        return
    cache.clear()
    caches["pages"].clear()
    from cms.models import site_identity

    site_identity()
    yield
    cache.clear()
    caches["pages"].clear()
    caches["local"].clear()
    _clear_local_pages()


def _clear_local_pages() -> None:
    """This process's copies of pages (config/page_cache.py), when it keeps any."""
    from django.conf import settings
    from django.core.cache import caches

    if settings.PAGE_CACHE_LOCAL_ALIAS:
        caches[settings.PAGE_CACHE_LOCAL_ALIAS].clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test land in its own temporary folder, removed by pytest."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """A fully migrated SQLite file, made once; tests that run manage.py copy it."""
    import subprocess
    import sys

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": f"sqlite:///{path}",
        },
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture
def cli_env(migrated_sqlite, tmp_path):
    """Environment for running manage.py in a subprocess against a fresh copy of the DB."""
    import shutil

    database = tmp_path / "cli.sqlite3"
    shutil.copy(migrated_sqlite, database)
    return {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{database}",
    }


@pytest.fixture
def booking_world():
    """An instrument open on weekdays with a lunch break, refund tiers, a startup user and the
    instrument's institution manager, and a Wednesday at least three days ahead."""
    import datetime as dt
    from decimal import Decimal

    from marketplace.catalogue.models import RefundTier
    from tests.booking_fixtures import next_weekday
    from tests.factories import (
        InstitutionFactory,
        InstrumentFactory,
        MembershipFactory,
        OpeningIntervalFactory,
        UserFactory,
    )

    institution = InstitutionFactory(code="YLU", name="云岭理工大学")
    instrument = InstrumentFactory(
        institution=institution,
        code="YLU-SEM",
        name="扫描电镜",
        slot_minutes=30,
        min_minutes=60,
        max_minutes=240,
        min_notice_hours=24,
        max_advance_days=30,
        approval_required=True,
        price_hourly=Decimal("450.00"),
        price_internal_hourly=Decimal("260.00"),
    )
    for weekday in range(5):
        OpeningIntervalFactory(
            instrument=instrument, weekday=weekday, start=dt.time(8, 30), end=dt.time(12, 0)
        )
        OpeningIntervalFactory(
            instrument=instrument, weekday=weekday, start=dt.time(14, 0), end=dt.time(17, 30)
        )
    RefundTier.objects.create(instrument=instrument, hours_before=48, refund_percent=100)
    RefundTier.objects.create(instrument=instrument, hours_before=24, refund_percent=50)
    startup = UserFactory(username="founder", email="founder@startup.example")
    manager = UserFactory(username="manager", email="lab@ylu.example")
    MembershipFactory(user=manager, institution=institution, role="manager")
    day = next_weekday(2)  # a Wednesday at least three days ahead
    return instrument, startup, manager, day
