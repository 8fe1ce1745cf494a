"""Listing photos go through Wagtail images: type, size and pixel count are checked, never trusted."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image as PILImage
from wagtail.images import get_image_model

from tests.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db


def png_bytes(width: int, height: int, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    PILImage.new(mode, (width, height)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@pytest.fixture
def member_client(client):
    institution = InstitutionFactory(code="YLU")
    UserFactory(username="uploader")
    call_command("grant_role", "uploader", institution.code, "staff")
    from marketplace.accounts.models import User

    client.force_login(User.objects.get(username="uploader"))
    return client


def upload(client, name: str, content: bytes, content_type: str = "image/png"):
    return client.post(
        "/admin/images/add/",
        {
            "title": name,
            "file": SimpleUploadedFile(name, content, content_type=content_type),
            "collection": "1",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_a_real_photo_is_accepted_and_renditions_are_made(member_client):
    response = upload(member_client, "sem.png", png_bytes(640, 480))
    assert response.status_code == 302, response.content.decode()[:1000]
    image = get_image_model().objects.get(title="sem.png")
    assert (image.width, image.height) == (640, 480)
    rendition = image.get_rendition("max-320x240")
    assert (rendition.width, rendition.height) == (320, 240)


def test_a_decompression_bomb_is_refused_with_a_message(member_client):
    bomb = png_bytes(20_000, 20_000, mode="1")  # 400 megapixels in a few dozen kilobytes
    assert len(bomb) < 200_000
    response = upload(member_client, "bomb.png", bomb)
    assert response.status_code == 200
    assert "pixels" in response.content.decode()
    assert not get_image_model().objects.filter(title="bomb.png").exists()


def test_a_text_file_named_png_is_refused(member_client):
    response = upload(member_client, "fake.png", b"not an image at all\n" * 10)
    assert response.status_code == 200
    assert not get_image_model().objects.filter(title="fake.png").exists()


def test_an_oversized_file_is_refused(member_client, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 50_000
    response = upload(member_client, "big.png", png_bytes(1200, 1200, mode="RGB") + b"\0" * 60_000)
    assert response.status_code == 200
    assert not get_image_model().objects.filter(title="big.png").exists()
