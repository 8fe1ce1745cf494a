"""Factories and helpers for the 入孵申请 tests: an incubator with its manager, a founder, PDFs."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import (  # noqa: F401 — ApplicationFactory is imported from here too
    ApplicationFactory,
    IncubatorFactory,
    MembershipFactory,
    UserFactory,
)


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_upload(name: str = "商业计划书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def text_upload(name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"this is only text pretending to be a PDF\n", "application/pdf"
    )


VALID_BODY = {
    "company_name": "昆明星火科技有限公司",
    "contact_name": "李明",
    "contact_phone": "13800000000",
    "team_size": 6,
    "business_summary": "面向高原特色农业的智能灌溉设备。",
}


@dataclass
class World:
    incubator: object
    founder: object
    manager: object
    staff: object
    stranger: object
    other_manager: object
    other_incubator: object


@pytest.fixture(name="world")
def _world(db) -> World:
    """An incubator (12 of 100 workstations free) with a manager and a staff member, a founder
    who applies, a stranger, and a second institution's incubator with its own manager."""
    incubator = IncubatorFactory(code="YN.KM-MAKER_01", name="滇池创客空间", workstations_vacant=12)
    manager = UserFactory(username="incubator-manager", email="manager@incubator.example")
    staff = UserFactory(username="incubator-staff", email="staff@incubator.example")
    MembershipFactory(user=manager, institution=incubator.institution, role="manager")
    MembershipFactory(user=staff, institution=incubator.institution, role="staff")
    other_incubator = IncubatorFactory(name="洱海孵化器")
    other_manager = UserFactory(username="other-manager", email="other@elsewhere.example")
    MembershipFactory(user=other_manager, institution=other_incubator.institution, role="manager")
    return World(
        incubator=incubator,
        founder=UserFactory(username="founder", email="founder@startup.example"),
        manager=manager,
        staff=staff,
        stranger=UserFactory(username="stranger", email="stranger@example.com"),
        other_manager=other_manager,
        other_incubator=other_incubator,
    )


def raw_multipart(fields: dict, file_field: str, filename: str, content: bytes) -> tuple:
    """A multipart body with the file name exactly as given: Django's test clients keep only
    the basename, but a hostile client can send `../../x.pdf`. Returns (body, content_type)."""
    boundary = "----residency-test-boundary"
    parts = []
    for key, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        (
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{file_field}"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
