"""Business plans: only real, size-limited PDFs with plain names are stored, privately, and only
the applicant and the incubator's institution can download them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketplace.residency.models import Application
from marketplace.uploads import validate_pdf
from marketplace.workflow import RuleError
from tests.residency_fixtures import (
    VALID_BODY,
    _world,  # noqa: F401 — the `world` fixture
    pdf_bytes,
    pdf_upload,
    raw_multipart,
    text_upload,
)  # noqa: F401

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list:
    root = settings.PRIVATE_MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def api_apply(api_client, world, upload):
    api_client.force_authenticate(world.founder)
    return api_client.post(
        f"/api/v1/incubators/{world.incubator.code}/applications/",
        {**VALID_BODY, "business_plan": upload},
        format="multipart",
    )


BAD_FILES = [
    ("a text file renamed .pdf", lambda: text_upload("plan.pdf"), "attachment_not_pdf", "PDF"),
    ("a .docx", lambda: SimpleUploadedFile("plan.docx", pdf_bytes()), "attachment_not_pdf", "PDF"),
    (
        "a PDF header with garbage after it",
        lambda: SimpleUploadedFile("plan.pdf", b"%PDF-1.7\nnot really\n"),
        "attachment_not_pdf",
        "PDF",
    ),
]


@pytest.mark.parametrize(
    ("label", "make", "code", "words"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_a_bad_business_plan_is_refused_with_400_and_nothing_is_stored(
    api_client, world, settings, label, make, code, words
):
    response = api_apply(api_client, world, make())
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert words in response.json()["errors"]["non_field_errors"][0]
    assert not Application.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize("name", ["../../x.pdf", "..\\..\\x.pdf", "dir/x.pdf", "..x.pdf"])
def test_a_path_in_the_file_name_is_refused_with_400_and_nothing_is_stored(
    api_client, world, settings, name
):
    api_client.force_authenticate(world.founder)
    body, content_type = raw_multipart(VALID_BODY, "business_plan", name, pdf_bytes())
    response = api_client.post(
        f"/api/v1/incubators/{world.incubator.code}/applications/",
        body,
        content_type=content_type,
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "attachment_bad_name"
    assert "文件名不能包含路径" in response.json()["errors"]["non_field_errors"][0]
    assert not Application.objects.exists()
    assert stored_files(settings) == []


def test_an_oversized_pdf_is_refused_before_it_is_read(api_client, world, settings):
    settings.ATTACHMENT_MAX_BYTES = 200
    response = api_apply(api_client, world, pdf_upload())
    assert response.status_code == 400
    assert response.json()["code"] == "attachment_too_large"
    assert "200" in response.json()["errors"]["non_field_errors"][0]
    assert not Application.objects.exists()
    assert stored_files(settings) == []


def test_validate_pdf_checks_the_size_before_reading_the_bytes(settings):
    settings.ATTACHMENT_MAX_BYTES = 10

    class Unreadable:
        name = "big.pdf"
        size = 11

        def read(self, *args):  # pragma: no cover — must not be reached
            raise AssertionError("read before the size check")

    with pytest.raises(RuleError) as refusal:
        validate_pdf(Unreadable())
    assert refusal.value.code == "attachment_too_large"


def test_a_real_pdf_is_stored_outside_the_public_media_root(api_client, world, settings):
    response = api_apply(api_client, world, pdf_upload("商业计划书.pdf"))
    assert response.status_code == 201, response.content
    assert response.json()["has_business_plan"] is True
    assert response.json()["business_plan_name"] == "商业计划书.pdf"
    files = stored_files(settings)
    assert len(files) == 1
    assert files[0].read_bytes().startswith(b"%PDF-")
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_the_business_plan_downloads_for_applicant_and_members_only(api_client, world):
    application_id = api_apply(api_client, world, pdf_upload()).json()["id"]
    url = f"/api/v1/applications/{application_id}/business-plan/"
    for who in (world.founder, world.manager, world.staff):
        api_client.force_authenticate(who)
        response = api_client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    for who in (world.stranger, world.other_manager):
        api_client.force_authenticate(who)
        assert api_client.get(url).status_code == 404
    api_client.force_authenticate(None)
    assert api_client.get(url).status_code == 401


def test_the_business_plan_page_download_is_404_for_others(client, api_client, world):
    application_id = api_apply(api_client, world, pdf_upload()).json()["id"]
    url = reverse("residency:business_plan", args=[application_id])
    client.force_login(world.staff)
    assert client.get(url).status_code == 200
    client.force_login(world.other_manager)
    assert client.get(url).status_code == 404


def test_an_application_without_a_business_plan_has_nothing_to_download(api_client, world):
    api_client.force_authenticate(world.founder)
    response = api_client.post(
        f"/api/v1/incubators/{world.incubator.code}/applications/", VALID_BODY, format="json"
    )
    assert response.status_code == 201
    url = f"/api/v1/applications/{response.json()['id']}/business-plan/"
    assert api_client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["../../x.pdf", "..\\..\\x.pdf", "dir/x.pdf"])
def test_the_apply_page_refuses_a_path_in_the_file_name_clearly(client, world, settings, name):
    client.force_login(world.founder)
    body, content_type = raw_multipart(VALID_BODY, "business_plan", name, pdf_bytes())
    response = client.post(
        reverse("residency:apply", args=[world.incubator.code]), body, content_type=content_type
    )
    assert response.status_code == 400
    assert "文件名不能包含路径" in response.content.decode()
    assert not Application.objects.exists()
    assert stored_files(settings) == []


def test_the_apply_page_refuses_a_text_file_renamed_pdf_and_keeps_what_was_typed(
    client, world, settings
):
    client.force_login(world.founder)
    response = client.post(
        reverse("residency:apply", args=[world.incubator.code]),
        {**VALID_BODY, "business_plan": text_upload()},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "文件不是有效的 PDF 文档" in page
    assert 'value="昆明星火科技有限公司"' in page
    assert "面向高原特色农业的智能灌溉设备。" in page
    assert not Application.objects.exists()
    assert stored_files(settings) == []


def test_with_real_csrf_checks_the_apply_page_still_sees_the_raw_name_and_needs_the_token(
    world, settings
):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.founder)
    url = reverse("residency:apply", args=[world.incubator.code])
    token = browser.get(url).context["csrf_token"]
    body, content_type = raw_multipart(VALID_BODY, "business_plan", "../../x.pdf", pdf_bytes())
    assert browser.post(url, body, content_type=content_type).status_code == 403
    fields = {**VALID_BODY, "csrfmiddlewaretoken": str(token)}
    body, content_type = raw_multipart(fields, "business_plan", "../../x.pdf", pdf_bytes())
    response = browser.post(url, body, content_type=content_type)
    assert response.status_code == 400
    assert "文件名不能包含路径" in response.content.decode()
    assert stored_files(settings) == []
