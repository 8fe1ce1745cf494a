"""Finding 1 of issue 14: a small crafted PDF must not cost a worker half a minute and half a
gigabyte, and a user must not be able to make the server parse PDFs without limit."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.uploads import TooManyUploads, _count_upload, validate_pdf
from marketplace.workflow import RuleError
from tests.pdf_bomb import page_tree_bomb
from tests.residency_fixtures import (
    VALID_BODY,
    _world,  # noqa: F401 — the `world` fixture
    pdf_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def upload(data: bytes, name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_the_bomb_is_small_enough_to_pass_the_size_limit(settings):
    bomb = page_tree_bomb()
    assert len(bomb) < 64 * 1024 < settings.ATTACHMENT_MAX_BYTES


def test_a_page_tree_bomb_is_refused_within_seconds_without_the_worker_growing(settings):
    settings.PDF_CHECK_SECONDS = 3
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with pytest.raises(RuleError) as refused:
        validate_pdf(upload(page_tree_bomb()))
    elapsed = time.monotonic() - started
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert refused.value.code == "attachment_too_complex"
    assert elapsed < settings.PDF_CHECK_SECONDS + 3, f"took {elapsed:.1f}s"
    # The parse ran in a child with a memory ceiling; this process never held the expansion.
    assert grown_mb < 100


MEASURE_CHILD = """
import json, resource, sys, django
django.setup()
from marketplace.uploads import probe_pdf
from tests.pdf_bomb import page_tree_bomb
verdict = probe_pdf(page_tree_bomb())
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"verdict": verdict, "child_peak_mb": peak}))
"""


def test_the_checking_child_never_exceeds_its_memory_ceiling():
    # A process of its own, so the peak measured is that of the PDF check's child alone.
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PDF_CHECK_SECONDS": "3",
        "PDF_CHECK_MEMORY_MB": "256",
    }
    result = subprocess.run(
        [sys.executable, "-c", MEASURE_CHILD],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["verdict"] == "too_complex"
    assert measured["child_peak_mb"] <= 256, measured


def test_sending_the_same_bomb_again_is_refused_at_once(settings):
    settings.PDF_CHECK_SECONDS = 3
    bomb = page_tree_bomb()
    with pytest.raises(RuleError):
        validate_pdf(upload(bomb))
    started = time.monotonic()
    with pytest.raises(RuleError):
        validate_pdf(upload(bomb, "again.pdf"))
    assert time.monotonic() - started < 0.5


def test_a_pdf_that_declares_too_many_pages_is_refused_without_walking_them(settings, monkeypatch):
    settings.PDF_MAX_PAGES = 50
    bomb = page_tree_bomb(repeats=200_000, declared_count=200_000)
    # Through the upload check (the child process): refused for its declared count.
    with pytest.raises(RuleError) as refused:
        validate_pdf(upload(bomb))
    assert refused.value.code == "attachment_too_many_pages"
    assert "50" in refused.value.message

    # The child's verdict in this process, with pypdf's walk of the page tree observed: the
    # declared count decides and the 200,000 /Kids are never walked. A count the tree
    # contradicts is only found by the walk, which visits each of its 2,000 references.
    from pypdf import PdfReader

    from marketplace import pdf_probe

    walks = []
    walk = PdfReader._flatten

    def observed(self, *args, **kwargs):
        walks.append(self)
        return walk(self, *args, **kwargs)

    monkeypatch.setattr(PdfReader, "_flatten", observed)
    assert pdf_probe.verdict(bomb, 50) == "too_many 200000"
    assert walks == []
    assert pdf_probe.verdict(page_tree_bomb(repeats=2_000, declared_count=1), 50) == "too_many 2000"
    assert len(walks) > 2_000


def test_a_real_pdf_is_still_accepted():
    assert validate_pdf(upload(pdf_bytes(pages=3), "商业计划书.pdf")) == "商业计划书.pdf"


def test_each_user_has_an_hourly_quota_of_checked_files(settings, django_user_model):
    settings.UPLOADS_PER_USER_PER_HOUR = 3
    user = django_user_model.objects.create_user("uploader", password="x-long-password")
    other = django_user_model.objects.create_user("someone-else", password="x-long-password")
    for n in range(3):
        validate_pdf(upload(pdf_bytes(), f"plan{n}.pdf"), user=user)
    with pytest.raises(TooManyUploads) as refused:
        validate_pdf(upload(pdf_bytes(), "plan4.pdf"), user=user)
    assert refused.value.http_status == 429
    assert refused.value.code == "upload_rate_limited"
    # Another user's quota is untouched.
    validate_pdf(upload(pdf_bytes(), "theirs.pdf"), user=other)


def test_a_file_without_the_pdf_signature_never_reaches_the_parser(monkeypatch):
    import marketplace.uploads as uploads

    def must_not_run(data):
        raise AssertionError("the parser ran for a file that is not even a PDF")

    monkeypatch.setattr(uploads, "probe_pdf", must_not_run)
    with pytest.raises(RuleError) as refused:
        validate_pdf(upload(b"MZ\x90\x00 an executable renamed", "plan.pdf"))
    assert refused.value.code == "attachment_not_pdf"


def test_the_bomb_through_the_application_api_is_a_400_and_nothing_is_stored(
    api_client, world, settings
):
    settings.PDF_CHECK_SECONDS = 3
    api_client.force_authenticate(world.founder)
    started = time.monotonic()
    response = api_client.post(
        f"/api/v1/incubators/{world.incubator.code}/applications/",
        {**VALID_BODY, "business_plan": upload(page_tree_bomb())},
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "attachment_too_complex"
    assert time.monotonic() - started < settings.PDF_CHECK_SECONDS + 5
    root = settings.PRIVATE_MEDIA_ROOT
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_hourly_quota_holds_when_uploads_arrive_at_once(settings, django_user_model):
    """Many app servers, one shared counter: simultaneous uploads (threads here, each with its
    own database connection, as separate servers would have) never get past the quota."""
    import threading

    from django.db import connection

    settings.UPLOADS_PER_USER_PER_HOUR = 5
    user = django_user_model.objects.create_user("uploader", password="x-long-password")
    start = threading.Barrier(16)
    outcomes = []

    def one_upload():
        try:
            start.wait()
            try:
                _count_upload(user)
                outcomes.append("counted")
            except TooManyUploads:
                outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=one_upload) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["counted"] * 5 + ["refused"] * 11
