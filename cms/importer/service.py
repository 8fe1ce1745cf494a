"""Import a policy text file as a structured PolicyPage (draft, or published on request)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from .parser import ParsedMeasure, ParsedPolicy, PolicyParseError, parse_policy

MAX_FILE_BYTES = 2 * 1024 * 1024
DISCLOSURE_WORDS = {"公开发布": "proactive", "主动公开": "proactive", "依申请公开": "on_request"}


class PolicyImportError(Exception):
    """Nothing could be imported; the message says why, in words an editor understands."""


@dataclass
class ImportResult:
    page: object
    created: bool
    parsed: ParsedPolicy


def read_policy_file(path: str | Path) -> str:
    """The text of a policy file: UTF-8 (with or without BOM) or GB18030, at most 2 MB."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise PolicyImportError(
            _("无法读取文件 %(path)s：%(error)s") % {"path": path, "error": error.strerror}
        ) from error
    if not path.is_file():
        raise PolicyImportError(_("%(path)s 不是一个文件。") % {"path": path})
    if size > MAX_FILE_BYTES:
        raise PolicyImportError(
            _("文件过大（%(size)s 字节），超过 %(limit)s 字节的上限；政策文件的纯文本不会这么大。")
            % {"size": size, "limit": MAX_FILE_BYTES}
        )
    data = path.read_bytes()
    if not data.strip():
        raise PolicyImportError(_("文件为空，没有可导入的内容。"))
    if b"\x00" in data:
        raise PolicyImportError(_("文件含有二进制内容，不是纯文本。"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PolicyImportError(_("文件既不是 UTF-8 也不是 GB18030 编码的文本。"))


def text_digest(text: str) -> str:
    return hashlib.sha256("".join(text.split()).encode("utf-8")).hexdigest()


def _measure_value(measure: ParsedMeasure, departments: dict) -> dict:
    def ids(names):
        return [
            {"type": "item", "value": departments[name].pk, "id": str(uuid.uuid4())}
            for name in names
            if name in departments
        ]

    return {
        "type": "item",
        "id": str(uuid.uuid4()),
        "value": {
            "title": measure.title or measure.derived_title,
            "title_derived": not measure.title and bool(measure.derived_title),
            "text": measure.text,
            "lead_departments": ids(measure.lead),
            "co_departments": ids(measure.co),
            "note": f"（{measure.note}）" if measure.note else "",
        },
    }


def structure_data(parsed: ParsedPolicy, departments: dict) -> list[dict]:
    """The parsed sections as raw StreamField data for PolicyPage.structure."""
    blocks = []
    for section in parsed.sections:
        blocks.append(
            {
                "type": "section",
                "id": str(uuid.uuid4()),
                "value": {
                    "label": section.label,
                    "heading": section.heading,
                    "measures": [_measure_value(m, departments) for m in section.measures],
                    "subsections": [
                        {
                            "type": "item",
                            "id": str(uuid.uuid4()),
                            "value": {
                                "label": sub.label,
                                "heading": sub.heading,
                                "measures": [_measure_value(m, departments) for m in sub.measures],
                            },
                        }
                        for sub in section.subsections
                    ],
                },
            }
        )
    return blocks


def import_policy(
    text: str,
    *,
    title: str | None = None,
    publish: bool = False,
    allow_duplicate: bool = False,
    parent=None,
    user=None,
) -> ImportResult:
    """Parse `text` and save it as a PolicyPage under `parent` (the first policy index).

    Importing text that was imported before returns the existing page (created=False) unless
    `allow_duplicate` is set. Nothing is written when parsing fails.
    """
    from cms.models import Department, PolicyIndexPage, PolicyPage

    resolver = Department.objects.resolver()
    try:
        parsed = parse_policy(text, resolver)
    except PolicyParseError as error:
        raise PolicyImportError(str(error)) from error

    digest = text_digest(text)
    if not allow_duplicate:
        existing = PolicyPage.objects.filter(source_digest=digest).first()
        if existing is not None:
            return ImportResult(existing, False, parsed)

    if parent is None:
        parent = PolicyIndexPage.objects.order_by("path").first()
    if parent is None:
        raise PolicyImportError(
            _(
                "站点中还没有“政策文件”栏目页，无法放置导入的文件；请先运行 migrate（它会建立站点栏目），或在管理后台创建该栏目。"
            )
        )

    names = set(parsed.departments)
    if parsed.issuer:
        issuer_name = resolver.resolve(parsed.issuer)
        if issuer_name:
            names.add(issuer_name)
    else:
        issuer_name = None
    departments = {d.name: d for d in Department.objects.filter(name__in=names)}

    page_title = (title or parsed.title or "").strip()[:255]
    if not page_title:
        raise PolicyImportError(_("没有识别出文件标题，请用 --title 指定。"))
    stamp = parsed.published.strftime("%Y%m%d") if parsed.published else "undated"
    slug = base_slug = f"policy-{stamp}-{digest[:6]}"
    copies = 1
    while parent.get_children().filter(slug=slug).exists():
        copies += 1
        slug = f"{base_slug}-{copies}"
    page = PolicyPage(
        title=page_title,
        slug=slug,
        issuer=departments.get(issuer_name) if issuer_name else None,
        document_number=parsed.document_number,
        date_written=parsed.written,
        date_published=parsed.published,
        disclosure=DISCLOSURE_WORDS.get(parsed.disclosure, "proactive"),
        source=parsed.source,
        addressee=parsed.addressee,
        notice_text=parsed.notice_text,
        plan_title=parsed.plan_title,
        preamble=parsed.preamble,
        summary=parsed.preamble[:500],
        closing=parsed.closing,
        structure=structure_data(parsed, departments),
        import_report="\n".join(str(item) for item in parsed.report),
        source_digest=digest,
        live=False,
    )
    with transaction.atomic():
        parent.add_child(instance=page)
        revision = page.save_revision(user=user, log_action=True)
        if publish:
            revision.publish(user=user)
            page.refresh_from_db()
    return ImportResult(page, True, parsed)
