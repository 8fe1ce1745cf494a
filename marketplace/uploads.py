"""Private PDF attachments (business plans, test reports): checked, stored out of public reach,
served only through views that have checked who is asking.

- `validate_pdf(uploaded, user=…)` refuses anything that is not a real, size-limited PDF with a
  plain file name, before a byte is stored, and returns the name to store it under. The cheap
  checks come first; the PDF itself is parsed in a child process with CPU, memory and page
  limits (marketplace/pdf_probe.py), so a crafted file costs seconds, not minutes and
  gigabytes; the verdict on a file is remembered by its digest, and each user may have only
  UPLOADS_PER_USER_PER_HOUR files checked an hour.
- `private_storage` keeps files under settings.PRIVATE_MEDIA_ROOT (never MEDIA_ROOT, which the
  web server publishes); the location is read at call time, so tests can point it elsewhere.
- `serve_private(field_file, name)` streams one file as a download.
- Django's multipart parser silently turns `../../x.pdf` into `x.pdf`. To refuse such a name
  with a clear message rather than store it under another name, API views use the DRF parser
  `RawNameMultiPartParser` and page views call `keep_raw_upload_names(request)` (or wrap the
  view in `raw_upload_names`) before the form data is first read.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import os
import subprocess
import sys
import time
import types
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from django.utils.deconstruct import deconstructible
from django.utils.text import get_valid_filename
from django.utils.translation import gettext
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles, JSONParser, get_encoding
from rest_framework.parsers import MultiPartParser as DRFMultiPartParser

from marketplace.quota import claim
from marketplace.workflow import RuleError

PDF_MAGIC = b"%PDF-"
MAX_NAME_LENGTH = 100


# --- Checking ------------------------------------------------------------------------------


def _bad_name(name: str) -> bool:
    return "/" in name or "\\" in name or ".." in name or "\x00" in name


class TooManyUploads(RuleError):
    """The user has had too many files checked in the last hour (HTTP 429)."""

    http_status = 429


def check_size(uploaded, field: str | None = None) -> None:
    """Refuses an upload larger than ATTACHMENT_MAX_BYTES, or of unknown size (400, naming
    `field` if given)."""
    limit = settings.ATTACHMENT_MAX_BYTES
    size = getattr(uploaded, "size", None)
    if size is None or size > limit:
        raise RuleError(
            gettext("文件不能超过 %(megabytes)s MB（%(limit)s 字节）")
            % {"megabytes": limit // (1024 * 1024) or 1, "limit": limit},
            "attachment_too_large",
            field=field,
        )


def validate_pdf(uploaded, *, user=None) -> str:
    """Return a safe file name for `uploaded`, or raise RuleError if it is not an acceptable PDF.

    Checks, cheapest first: a plain `.pdf` name with no path in it, the size limit (from
    `.size`, before reading anything), the `%PDF-` signature, the user's hourly upload quota
    (when `user` is given), a verdict remembered for the same bytes, and only then the parse:
    pypdf in a child process with hard CPU/memory limits must find between one and
    PDF_MAX_PAGES pages — a text file renamed `.pdf` fails here, and so does a page-tree bomb.

    Callers should run their own cheap refusals (permissions, "already applied", status) before
    calling this.
    """
    name = str(getattr(uploaded, "name", "") or "")
    if _bad_name(name):
        raise RuleError(
            gettext("文件名不能包含路径（/、\\ 或 ..）"),
            "attachment_bad_name",
        )
    if not name.lower().endswith(".pdf"):
        raise RuleError(
            gettext("只接受 PDF 文件（.pdf）"),
            "attachment_not_pdf",
        )
    check_size(uploaded)
    if not _has_pdf_signature(uploaded):
        raise _not_a_pdf()
    if user is not None and getattr(user, "is_authenticated", False):
        _count_upload(user)
    verdict = _checked_verdict(uploaded)
    if verdict == "too_many":
        raise RuleError(
            gettext("PDF 页数不能超过 %(PDF_MAX_PAGES)s 页")
            % {"PDF_MAX_PAGES": settings.PDF_MAX_PAGES},
            "attachment_too_many_pages",
        )
    if verdict == "too_complex":
        raise RuleError(
            gettext("PDF 结构过于复杂，无法在限定时间内检查，请另存为普通 PDF 后重新上传"),
            "attachment_too_complex",
        )
    if verdict != "ok":
        raise _not_a_pdf()
    stem = name[: -len(".pdf")]
    try:
        safe = get_valid_filename(stem[:MAX_NAME_LENGTH])
    except SuspiciousFileOperation:
        safe = "document"
    return f"{safe}.pdf"


def _not_a_pdf() -> RuleError:
    return RuleError(
        gettext("文件不是有效的 PDF 文档"),
        "attachment_not_pdf",
    )


def _has_pdf_signature(uploaded) -> bool:
    try:
        uploaded.seek(0)
        return uploaded.read(len(PDF_MAGIC)) == PDF_MAGIC
    except Exception:  # noqa: BLE001 — an unreadable upload is not a PDF we accept
        return False
    finally:
        with contextlib.suppress(Exception):
            uploaded.seek(0)


def _count_upload(user) -> None:
    """One more checked file for `user` this hour; refuse past UPLOADS_PER_USER_PER_HOUR.
    Counted with marketplace.quota.claim: exact when uploads arrive at once on several servers."""
    allowed = settings.UPLOADS_PER_USER_PER_HOUR
    if claim(cache, f"uploads:{user.pk}:{int(time.time() // 3600)}", allowed, timeout=3600):
        return
    raise TooManyUploads(
        gettext("上传过于频繁：每小时最多检查 %(allowed)s 个文件，请稍后再试")
        % {"allowed": allowed},
        "upload_rate_limited",
    )


def _read_all(uploaded) -> bytes:
    uploaded.seek(0)
    try:
        return uploaded.read()
    finally:
        with contextlib.suppress(Exception):
            uploaded.seek(0)


def _checked_verdict(uploaded) -> str:
    """ "ok", "invalid", "too_many" or "too_complex"; remembered a day per file digest."""
    try:
        data = _read_all(uploaded)
    except Exception:  # noqa: BLE001
        return "invalid"
    key = "pdfcheck:" + hashlib.sha256(data).hexdigest()
    verdict = cache.get(key)
    if verdict is None:
        verdict = probe_pdf(data)
        cache.set(key, verdict, timeout=24 * 3600)
    return verdict


PROBE = Path(__file__).with_name("pdf_probe.py")


def probe_pdf(data: bytes) -> str:
    """Parse `data` in a child process bounded by PDF_CHECK_SECONDS of CPU (and as much wall
    time plus one second) and PDF_CHECK_MEMORY_MB of address space."""
    seconds = settings.PDF_CHECK_SECONDS
    try:
        result = subprocess.run(  # noqa: S603 — our own interpreter and script, no shell
            [
                sys.executable,
                "-I",
                str(PROBE),
                str(seconds),
                str(settings.PDF_CHECK_MEMORY_MB),
                str(settings.PDF_MAX_PAGES),
            ],
            input=data,
            capture_output=True,
            timeout=seconds + 1,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "too_complex"
    words = result.stdout.decode("ascii", "replace").split()
    if result.returncode != 0 or not words:
        # Killed by the CPU limit (SIGXCPU/SIGKILL) or out of memory.
        return "too_complex"
    return words[0] if words[0] in ("ok", "too_many", "invalid") else "invalid"


# --- Storing and serving -------------------------------------------------------------------


@deconstructible(path="marketplace.uploads.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """FileSystemStorage under settings.PRIVATE_MEDIA_ROOT, read whenever it is used; no URL."""

    def __init__(self):
        super().__init__()

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("private files have no public URL; serve them with serve_private")


_PRIVATE = PrivateStorage()


def private_storage() -> PrivateStorage:
    """The storage for private attachments (a callable, so migrations record only its path)."""
    return _PRIVATE


def serve_private(
    field_file, download_name: str, content_type: str = "application/pdf"
) -> FileResponse:
    """The file as a download (a PDF unless said otherwise). Callers have already checked
    that the user may have it."""
    response = FileResponse(
        field_file.open("rb"),
        as_attachment=True,
        filename=download_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Keeping the raw upload name -----------------------------------------------------------


class _RawNameDjangoParser(DjangoMultiPartParser):
    """Django's parser, except that a name with a path in it reaches validate_pdf unchanged."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._raw_names: list[str] = []

    def sanitize_file_name(self, file_name):
        raw = "".join(char for char in html.unescape(file_name) if char.isprintable())
        if not _bad_name(raw):
            return super().sanitize_file_name(file_name)
        self._raw_names.append(raw)
        return raw

    def parse(self):
        post, files = super().parse()
        # UploadedFile's name setter keeps only the basename; put the raw name back.
        pending = list(self._raw_names)
        for _field, uploads in files.lists():
            for uploaded in uploads:
                for raw in pending:
                    if os.path.basename(raw) == uploaded.name:
                        uploaded._name = raw
                        pending.remove(raw)
                        break
        return post, files


class RawNameMultiPartParser(DRFMultiPartParser):
    """DRF multipart parser that keeps path-like file names so they can be refused clearly."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        try:
            parser = _RawNameDjangoParser(
                meta, stream, request.upload_handlers, get_encoding(parser_context)
            )
            data, files = parser.parse()
        except MultiPartParserError as exc:
            raise ParseError(gettext("multipart 表单无法解析")) from exc
        return DataAndFiles(data, files)


# The parsers of an API view that takes a file: multipart (raw names kept) or JSON.
UPLOAD_PARSERS = (RawNameMultiPartParser, JSONParser)


def _parse_file_upload(self, META, post_data):  # noqa: N803 — Django's signature
    from django.utils.datastructures import ImmutableList

    self.upload_handlers = ImmutableList(
        self.upload_handlers,
        warning="You cannot alter upload handlers after the upload has been processed.",
    )
    return _RawNameDjangoParser(META, post_data, self.upload_handlers, self.encoding).parse()


def keep_raw_upload_names(request) -> None:
    """Make this request's multipart parsing keep path-like file names (see module docstring).

    Must run before request.POST / request.FILES is first read. CsrfViewMiddleware reads
    request.POST before the view runs, so wrap such views in `raw_upload_names`, which exempts
    them from the middleware and performs the same CSRF check after this call.
    """
    request.parse_file_upload = types.MethodType(_parse_file_upload, request)


def raw_upload_names(view):
    """Decorator for a page view that accepts uploads: raw names kept, CSRF still enforced."""
    from django.views.decorators.csrf import csrf_exempt, csrf_protect

    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        keep_raw_upload_names(request)
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapper)
