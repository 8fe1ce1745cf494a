"""import_catalogue: validate a whole catalogue file, then write it all or nothing, in bulk.

Validation collects every error (schema, then the rules a schema cannot express) before
anything is written; the write is one transaction of bulk inserts and updates, so 100,000
listings cost a few hundred queries, not a few per field. A record whose content is unchanged
since the last import is not written at all (its fingerprint is stored in `import_hash`).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import multiprocessing
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from jsonschema import Draft202012Validator, FormatChecker

from marketplace.accounts.models import INSTITUTION_DETAILS, Institution
from marketplace.accounts.validators import is_valid_credit_code
from marketplace.gc_pause import collector_paused
from search.bulk import insert_values

from .capacity import clamp_to_totals
from .counts import recount_instruments
from .models import (
    Incubator,
    IncubatorCapacity,
    Instrument,
    OpeningInterval,
    RefundTier,
    Technology,
)
from .moves import instruments_moved

logger = logging.getLogger(__name__)
SCHEMA_PATH = Path(settings.BASE_DIR) / "data" / "catalogue.schema.json"
KINDS = ("institutions", "instruments", "incubators", "technologies")
LISTING_KINDS = ("instruments", "incubators", "technologies")
MAX_MONEY = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)
MAX_INT = 2_147_483_647
BATCH = 2000
# From this many listings in a file, the index rows of the new ones are built in a second
# process while this one writes the next batch (docs/performance.md, "Import speed").
PARALLEL_FROM = 4000


@dataclass(frozen=True)
class RecordError:
    """One error, located as API.md fixes it (`record <kind>[<index>] (<code>): <field>:`, in
    the file's own words whatever the language), with its message in the language active when
    it was found: the command's, or the caller's."""

    kind: str
    index: int | None
    code: str | None
    field: str
    message: str

    def __str__(self) -> str:
        if self.index is None:
            return f"file: {self.field or '(top level)'}: {self.message}"
        return (
            f"record {self.kind}[{self.index}] ({self.code or '?'}): {self.field}: {self.message}"
        )


@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    errors: list[RecordError] = field(default_factory=list)
    dry_run: bool = False
    # "instrument:12"-style keys of every listing written, for the search index.
    changed_keys: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary_lines(self) -> list[str]:
        return [
            gettext("%(kind)s：新建 %(created)s，更新 %(updated)s，未变 %(unchanged)s")
            % {
                "kind": kind,
                "created": self.created[kind],
                "updated": self.updated[kind],
                "unchanged": self.unchanged[kind],
            }
            for kind in KINDS
        ]


class CatalogueFileError(Exception):
    """The file cannot be read as a catalogue at all (missing, not UTF-8, not JSON)."""


def read_catalogue_file(path: str | Path) -> object:
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise CatalogueFileError(gettext("文件不存在：%(path)s") % {"path": path}) from None
    except IsADirectoryError:
        raise CatalogueFileError(gettext("这是一个目录：%(path)s") % {"path": path}) from None
    except PermissionError:
        raise CatalogueFileError(gettext("无权读取：%(path)s") % {"path": path}) from None
    # Parsing makes no cycles, and the collector went through every container parsed so
    # far each time their number grew by a quarter (the 112 MB catalogue: 3–5 s, 1.3 s
    # without).
    with collector_paused():
        return _parse(raw)


def _parse(raw: bytes) -> object:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogueFileError(
            gettext("文件不是 UTF-8 编码（第 %(byte)s 字节）") % {"byte": exc.start}
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # exc.msg is the json module's own English words ("Expecting value"): the position
        # is what points at the fault.
        raise CatalogueFileError(
            gettext("JSON 格式错误：第 %(line)s 行第 %(column)s 列")
            % {"line": exc.lineno, "column": exc.colno}
        ) from None


# --- Validation --------------------------------------------------------------------------------

# Lazy: each is read in the language active when an error is found.
_MESSAGES = {
    "required": _("缺少必填字段"),
    "enum": _("取值不在允许范围内，可选：%(allowed)s"),
    "const": _("取值必须是 %(allowed)s"),
    "maxLength": _("过长（最多 %(limit)s 个字符）"),
    "minLength": _("不能为空"),
    "pattern": _("格式不正确"),
    "format": _("不是有效的%(what)s"),
    "type": _("类型错误，应为 %(what)s"),
    "minimum": _("不能小于 %(limit)s"),
    "maximum": _("不能大于 %(limit)s"),
    "maxItems": _("条目过多（最多 %(limit)s 条）"),
    "minItems": _("至少需要 %(limit)s 条"),
    "uniqueItems": _("含有重复条目"),
    "additionalProperties": _("不允许的字段"),
    "dependentRequired": _("须同时提供 %(what)s"),
    "anyOf": _("取值无效"),
}
_FORMAT_NAMES = {
    "date": pgettext_lazy("import format", "日期"),
    "email": pgettext_lazy("import format", "邮箱地址"),
    "uri": pgettext_lazy("import format", "网址"),
}


def _schema_message(error) -> tuple[str, str]:
    """(extra path suffix, message) for one jsonschema error."""
    validator = error.validator
    suffix = ""
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        suffix = missing
        message = _MESSAGES["required"]
    elif validator == "additionalProperties":
        extras = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        suffix = ",".join(extras)
        message = _MESSAGES["additionalProperties"]
    elif validator == "dependentRequired":
        message = _MESSAGES["dependentRequired"] % {"what": ", ".join(error.validator_value)}
    elif validator in ("enum", "const"):
        allowed = error.validator_value
        allowed = ", ".join(map(str, allowed)) if isinstance(allowed, list) else str(allowed)
        message = _MESSAGES[validator] % {"allowed": allowed}
    elif validator in ("maxLength", "minimum", "maximum", "maxItems", "minItems"):
        message = _MESSAGES[validator] % {"limit": error.validator_value}
    elif validator == "format":
        what = _FORMAT_NAMES.get(error.validator_value, error.validator_value)
        message = _MESSAGES["format"] % {"what": what}
    elif validator == "type":
        what = error.validator_value
        message = _MESSAGES["type"] % {"what": what if isinstance(what, str) else "/".join(what)}
    elif validator == "pattern" and error.schema.get("description", "").startswith("Decimal"):
        message = gettext("金额格式不正确（最多两位小数的非负数字字符串）")
    elif validator in _MESSAGES:
        message = str(_MESSAGES[validator])
    else:
        # A keyword the schema may gain later: jsonschema's own (English) words beat nothing.
        message = error.message
    return suffix, message


def _path_text(parts: Iterable) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class _Collector:
    def __init__(self, data: dict) -> None:
        self.data = data
        self.errors: list[RecordError] = []
        # Today once per file, not per record (100,000 zone look-ups on a large import).
        self.today = timezone.localdate()

    def add(self, kind: str, index: int | None, field_path: str, message: str) -> None:
        code = None
        if index is not None:
            record = self.data.get(kind, [])[index]
            if isinstance(record, dict) and isinstance(record.get("code"), str):
                code = record["code"]
        self.errors.append(RecordError(kind, index, code, field_path, message))


@cache
def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _fast_validator():
    import jsonschema_rs

    return jsonschema_rs.validator_for(_schema(), validate_formats=True)


def _schema_errors(data: object, collector: _Collector) -> None:
    # The compiled validator answers "valid?" for 100,000 records in about a second; only a
    # file it refuses is walked again by jsonschema, whose errors carry paths to report.
    if _fast_validator().is_valid(data):
        return
    validator = Draft202012Validator(_schema(), format_checker=FormatChecker())
    for error in validator.iter_errors(data):
        path = list(error.absolute_path)
        suffix, message = _schema_message(error)
        if len(path) >= 2 and path[0] in KINDS and isinstance(path[1], int):
            field_path = _path_text(path[2:])
            if suffix:
                field_path = f"{field_path}.{suffix}" if field_path else suffix
            collector.add(path[0], path[1], field_path or "(record)", message)
        else:
            field_path = _path_text(path)
            if suffix:
                field_path = f"{field_path}.{suffix}" if field_path else suffix
            collector.add(path[0] if path else "", None, field_path, message)


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _semantic_errors(data: dict, collector: _Collector, schema_failed: set) -> None:
    """Rules the schema cannot express. Records that failed the schema are still checked
    for what can be checked, so one run lists as much as possible."""
    seen_codes: dict[str, tuple[str, int]] = {}
    for kind in KINDS:
        for index, record in enumerate(data.get(kind, []) or []):
            if not isinstance(record, dict) or not isinstance(record.get("code"), str):
                continue
            code = record["code"]
            if code in seen_codes:
                other_kind, other_index = seen_codes[code]
                collector.add(
                    kind,
                    index,
                    "code",
                    gettext("编码重复（与 %(other)s 相同）")
                    % {"other": f"{other_kind}[{other_index}]"},
                )
            else:
                seen_codes[code] = (kind, index)

    institutions = [r for r in data.get("institutions", []) or [] if isinstance(r, dict)]
    file_institutions = {r.get("code") for r in institutions}
    referenced = {
        record.get("institution")
        for kind in LISTING_KINDS
        for record in data.get(kind, []) or []
        if isinstance(record, dict) and isinstance(record.get("institution"), str)
    }
    known = file_institutions | set(
        Institution.objects.filter(code__in=referenced - file_institutions).values_list(
            "code", flat=True
        )
    )
    for kind in LISTING_KINDS:
        for index, record in enumerate(data.get(kind, []) or []):
            if not isinstance(record, dict):
                continue
            ref = record.get("institution")
            if isinstance(ref, str) and ref not in known:
                collector.add(
                    kind,
                    index,
                    "institution",
                    gettext("机构“%(code)s”不存在（文件和数据库中都没有）") % {"code": ref},
                )

    credit_codes: dict[str, int] = {}
    for index, record in enumerate(data.get("institutions", []) or []):
        if not isinstance(record, dict):
            continue
        credit = record.get("credit_code")
        if (
            isinstance(credit, str)
            and len(credit) == 18
            and ("institutions", index) not in schema_failed
        ):
            if not is_valid_credit_code(credit):
                collector.add(
                    "institutions",
                    index,
                    "credit_code",
                    gettext("统一社会信用代码校验位错误（GB 32100-2015）"),
                )
            elif credit in credit_codes:
                collector.add(
                    "institutions",
                    index,
                    "credit_code",
                    gettext("统一社会信用代码与 %(other)s 重复")
                    % {"other": f"institutions[{credit_codes[credit]}]"},
                )
            else:
                credit_codes[credit] = index
    if credit_codes:
        taken = Institution.objects.filter(credit_code__in=credit_codes).exclude(
            code__in=file_institutions
        )
        for code, credit in taken.values_list("code", "credit_code"):
            collector.add(
                "institutions",
                credit_codes[credit],
                "credit_code",
                gettext("统一社会信用代码已被机构“%(code)s”使用") % {"code": code},
            )

    for index, record in enumerate(data.get("instruments", []) or []):
        if isinstance(record, dict):
            _check_instrument(record, index, collector)
    for index, record in enumerate(data.get("incubators", []) or []):
        if isinstance(record, dict):
            _check_incubator(record, index, collector)
    for index, record in enumerate(data.get("technologies", []) or []):
        if isinstance(record, dict):
            _check_money(
                record.get("asking_price"), "technologies", index, "asking_price", collector
            )


def _too_large(limit) -> str:
    return gettext("数值过大，最大为 %(limit)s") % {"limit": limit}


def _check_money(value, kind, index, field_path, collector) -> None:
    if isinstance(value, str):
        try:
            amount = Decimal(value)
        except ArithmeticError:
            return  # the schema's pattern already reported it
        if amount.is_finite() and amount > MAX_MONEY:
            collector.add(kind, index, field_path, _too_large(MAX_MONEY))


def _check_instrument(record: dict, index: int, collector: _Collector) -> None:
    _check_money(record.get("original_value"), "instruments", index, "original_value", collector)
    pricing = record.get("pricing")
    if isinstance(pricing, dict):
        for key in ("hourly", "internal_hourly", "per_sample", "internal_per_sample"):
            _check_money(pricing.get(key), "instruments", index, f"pricing.{key}", collector)
    commissioned = record.get("commissioned_on")
    if isinstance(commissioned, str):
        try:
            day = datetime.date.fromisoformat(commissioned)
        except ValueError:
            day = None
        if day and day > collector.today:
            collector.add(
                "instruments",
                index,
                "commissioned_on",
                gettext("启用日期不能晚于今天"),
            )
    booking = record.get("booking")
    if not isinstance(booking, dict):
        return
    intervals = booking.get("opening_hours")
    per_day: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    if isinstance(intervals, list):
        for position, interval in enumerate(intervals):
            if not isinstance(interval, dict):
                continue
            start, end, weekday = (
                interval.get("start"),
                interval.get("end"),
                interval.get("weekday"),
            )
            try:
                start_min, end_min = _minutes(start), _minutes(end)
            except (AttributeError, ValueError, TypeError):
                continue
            if end_min <= start_min:
                collector.add(
                    "instruments",
                    index,
                    f"booking.opening_hours[{position}].end",
                    gettext("结束时间必须晚于开始时间"),
                )
                continue
            if isinstance(weekday, int):
                per_day[weekday].append((start_min, end_min, position))
    for weekday, spans in per_day.items():
        spans.sort()
        for (_s1, e1, p1), (s2, _e2, p2) in zip(spans, spans[1:], strict=False):
            if s2 < e1:
                collector.add(
                    "instruments",
                    index,
                    f"booking.opening_hours[{p2}]",
                    gettext("与 %(other)s 在同一天（weekday %(weekday)s）重叠")
                    % {"other": f"opening_hours[{p1}]", "weekday": weekday},
                )
    slot, low, high = (
        booking.get("slot_minutes"),
        booking.get("min_minutes"),
        booking.get("max_minutes"),
    )
    if all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (slot, low, high)):
        if low > high:
            collector.add(
                "instruments",
                index,
                "booking.min_minutes",
                gettext("最短预约时长不能大于最长预约时长 max_minutes"),
            )
        for name, value in (("min_minutes", low), ("max_minutes", high)):
            if value % slot:
                collector.add(
                    "instruments",
                    index,
                    f"booking.{name}",
                    gettext("须为时段粒度 slot_minutes（%(slot)s 分钟）的整数倍") % {"slot": slot},
                )
    tiers = booking.get("refund_policy")
    if isinstance(tiers, list):
        hours = [t.get("hours_before") for t in tiers if isinstance(t, dict)]
        duplicates = {h for h in hours if hours.count(h) > 1}
        if duplicates:
            collector.add(
                "instruments",
                index,
                "booking.refund_policy",
                gettext("提前小时数 hours_before 重复：%(values)s")
                % {"values": ", ".join(map(str, sorted(duplicates)))},
            )


def _check_incubator(record: dict, index: int, collector: _Collector) -> None:
    for vacant, total in (
        ("workstations_vacant", "workstations_total"),
        ("offices_vacant", "offices_total"),
    ):
        v, t = record.get(vacant), record.get(total)
        if isinstance(v, int) and v > MAX_INT:
            collector.add("incubators", index, vacant, _too_large(MAX_INT))
        if isinstance(t, int) and t > MAX_INT:
            collector.add("incubators", index, total, _too_large(MAX_INT))
        if isinstance(v, int) and v > (t if isinstance(t, int) else 0):
            collector.add(
                "incubators", index, vacant, gettext("不能多于 %(total)s") % {"total": total}
            )
    companies = record.get("incubated_companies")
    if isinstance(companies, int) and companies > MAX_INT:
        collector.add("incubators", index, "incubated_companies", _too_large(MAX_INT))
    area = record.get("floor_area_m2")
    if isinstance(area, int | float) and not isinstance(area, bool) and area >= 10**10:
        collector.add("incubators", index, "floor_area_m2", _too_large(10**10 - 1))


def validate_catalogue(data: object) -> list[RecordError]:
    if not isinstance(data, dict):
        return [RecordError("", None, None, "", gettext("文件顶层必须是 JSON 对象"))]
    collector = _Collector(data)
    _schema_errors(data, collector)
    for kind in KINDS:
        if not isinstance(data.get(kind, []), list):
            return collector.errors  # the schema said so; nothing below can run
    schema_failed = {(e.kind, e.index) for e in collector.errors if e.index is not None}
    _semantic_errors(data, collector, schema_failed)
    collector.errors.sort(
        key=lambda e: (KINDS.index(e.kind) if e.kind in KINDS else -1, e.index or 0)
    )
    return collector.errors


# --- Writing -----------------------------------------------------------------------------------


def _fingerprint(record: dict) -> str:
    return hashlib.sha256(
        json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(value)


INSTITUTION_FIELDS = ["name", "type", "region", *INSTITUTION_DETAILS]


def _institution_values(record: dict) -> dict:
    return {name: record.get(name, "") for name in INSTITUTION_FIELDS}


def _instrument_values(record: dict) -> dict:
    pricing = record.get("pricing") or {}
    booking = record.get("booking") or {}
    modes = set(record.get("service_modes", []))
    values = {
        "name": record["name"],
        "name_en": record.get("name_en", ""),
        "category": record["category"],
        "model_number": record.get("model", ""),
        "manufacturer": record.get("manufacturer", ""),
        "origin_country": record.get("origin_country", ""),
        "original_value": Decimal(record["original_value"]),
        "commissioned_on": (
            datetime.date.fromisoformat(record["commissioned_on"])
            if record.get("commissioned_on")
            else None
        ),
        "location": record.get("location", ""),
        "description": record.get("description", ""),
        "capabilities": record.get("capabilities", []),
        "offers_machine_time": "machine_time" in modes,
        "offers_sample_testing": "sample_testing" in modes,
        "price_hourly": _dec(pricing.get("hourly")),
        "price_internal_hourly": _dec(pricing.get("internal_hourly")),
        "price_per_sample": _dec(pricing.get("per_sample")),
        "price_internal_per_sample": _dec(pricing.get("internal_per_sample")),
        "status": record.get("status", "in_service"),
        "contact_name": record.get("contact_name", ""),
        "contact_email": record.get("contact_email", ""),
        "contact_phone": record.get("contact_phone", ""),
    }
    if booking:
        values.update(
            timezone=booking.get("timezone", "Asia/Shanghai"),
            slot_minutes=booking["slot_minutes"],
            min_minutes=booking["min_minutes"],
            max_minutes=booking["max_minutes"],
            min_notice_hours=booking["min_notice_hours"],
            max_advance_days=booking["max_advance_days"],
            approval_required=booking["approval_required"],
            training_required=booking.get("training_required", False),
            max_active_bookings=booking.get("max_active_bookings"),
            max_hours_per_week=booking.get("max_hours_per_week"),
        )
    return values


def _incubator_values(record: dict) -> dict:
    area = record.get("floor_area_m2")
    return {
        "name": record["name"],
        "type": record["type"],
        "level": record["level"],
        "region": record["region"],
        "county": record.get("county", ""),
        "address": record.get("address", ""),
        "lat": record.get("lat"),
        "lng": record.get("lng"),
        "operator": record.get("operator", ""),
        "established_on": (
            datetime.date.fromisoformat(record["established_on"])
            if record.get("established_on")
            else None
        ),
        "floor_area_m2": None if area is None else Decimal(str(area)).quantize(Decimal("0.01")),
        "workstations_total": record.get("workstations_total", 0),
        "offices_total": record.get("offices_total", 0),
        "incubated_companies": record.get("incubated_companies", 0),
        "services": record.get("services", []),
        "focus_industries": record.get("focus_industries", []),
        "description": record.get("description", ""),
        "website": record.get("website", ""),
        "contact_name": record.get("contact_name", ""),
        "contact_email": record.get("contact_email", ""),
        "contact_phone": record.get("contact_phone", ""),
    }


def _technology_values(record: dict) -> dict:
    modes = set(record.get("transfer_modes", []))
    return {
        "title": record["title"],
        "summary": record["summary"],
        "description": record.get("description", ""),
        "field": record["field"],
        "ip_type": record["ip_type"],
        "ip_numbers": record.get("ip_numbers", []),
        "ip_status": record.get("ip_status", ""),
        "trl": record.get("trl"),
        "mode_transfer": "transfer" in modes,
        "mode_license": "license" in modes,
        "mode_equity": "equity" in modes,
        "mode_joint_development": "joint_development" in modes,
        "asking_price": _dec(record.get("asking_price")),
        "inventors": record.get("inventors", []),
        "contact_name": record.get("contact_name", ""),
        "contact_email": record.get("contact_email", ""),
        "contact_phone": record.get("contact_phone", ""),
    }


def _listing_row(to_values, record: dict, institution_id: int, fingerprint: str, now) -> dict:
    """A listing's columns as the import writes them ({attname: value}, less created_at)."""
    published = bool(record.get("published", False))
    values = {
        "code": record["code"],
        "institution_id": institution_id,
        "import_hash": fingerprint,
        "live": published,
        "updated_at": now,
        **to_values(record),
    }
    if published:
        values["first_published_at"] = values["last_published_at"] = now
        values["live_revision_id"] = None
    return values


LISTINGS = {
    "instruments": (Instrument, _instrument_values),
    "incubators": (Incubator, _incubator_values),
    "technologies": (Technology, _technology_values),
}


def _write_institutions(records: list[dict], report: ImportReport) -> None:
    existing = {
        i.code: i for i in Institution.objects.filter(code__in=[r["code"] for r in records])
    }
    to_create, to_update = [], []
    for record in records:
        values = _institution_values(record)
        current = existing.get(record["code"])
        if current is None:
            to_create.append(Institution(code=record["code"], **values))
        elif any(getattr(current, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(current, name, value)
            to_update.append(current)
        else:
            report.unchanged["institutions"] += 1
    Institution.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        now = timezone.now()
        for institution in to_update:
            institution.updated_at = now
        Institution.objects.bulk_update(
            to_update, [*INSTITUTION_FIELDS, "updated_at"], batch_size=BATCH
        )
    report.created["institutions"] += len(to_create)
    report.updated["institutions"] += len(to_update)


def _write_listings(
    kind: str,
    records: list[dict],
    institution_ids: dict[str, int],
    report: ImportReport,
    tick: Callable[[int], None],
    written: dict[str, tuple] | None = None,
    builder: _DocumentBuilder | None = None,
) -> None:
    """`written` hears each new listing as key → (kind, id, record, institution id, time),
    from which its search document is built without reading it back (`_new_documents`);
    `builder` gets each batch of them to build their index rows in a second process."""
    model, to_values = LISTINGS[kind]
    now = timezone.now()
    for start in range(0, len(records), BATCH):
        batch = records[start : start + BATCH]
        existing = {
            code: (pk, fingerprint, live)
            for code, pk, fingerprint, live in model.objects.filter(
                code__in=[r["code"] for r in batch]
            ).values_list("code", "pk", "import_hash", "live")
        }
        # New rows go in as plain values (search.bulk.insert_values): no model object each.
        to_create: list[tuple[dict, dict]] = []
        to_update: list[tuple[object, dict]] = []
        positions: list[int] = []  # of each new record in `records`
        for position, record in enumerate(batch, start):
            fingerprint = _fingerprint(record)
            current = existing.get(record["code"])
            if current is not None and current[1] == fingerprint:
                report.unchanged[kind] += 1
                continue
            values = _listing_row(
                to_values, record, institution_ids[record["institution"]], fingerprint, now
            )
            if current is None:
                values["created_at"] = now
                to_create.append((values, record))
                positions.append(position)
            else:
                obj = model(**values)
                obj.pk = current[0]
                to_update.append((obj, record))
        created: list[tuple[int, dict]] = []
        if to_create:
            insert_values(model, [values for values, _ in to_create], batch_size=BATCH)
            ids = dict(
                model.objects.filter(code__in=[v["code"] for v, _ in to_create]).values_list(
                    "code", "pk"
                )
            )
            created = [(ids[values["code"]], record) for values, record in to_create]
            if written is not None:
                name = model._meta.model_name
                for (values, record), (pk, _record) in zip(to_create, created, strict=True):
                    written[f"{name}:{pk}"] = (kind, pk, record, values["institution_id"], now)
                if builder is not None:
                    builder.submit(
                        kind,
                        [
                            (position, pk)
                            for position, (pk, _) in zip(positions, created, strict=True)
                        ],
                        now,
                    )
        updated = [(obj.pk, record) for obj, record in to_update]
        if to_update:
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if not f.primary_key
                and f.name
                not in {
                    "created_at",
                    "latest_revision",
                    "live_revision",
                    "locked",
                    "locked_at",
                    "locked_by",
                    "has_unpublished_changes",
                    "first_published_at",
                    "go_live_at",
                    "expire_at",
                    "expired",
                    "latest_revision_created_at",
                }
            ]
            model.objects.bulk_update([obj for obj, _ in to_update], fields, batch_size=BATCH)
            if model is Instrument:
                instruments_moved(obj.pk for obj, _ in to_update)
        if model is Instrument:
            _write_booking_children(created, updated)
        if model is Incubator:
            _write_capacities(created, updated)
        report.created[kind] += len(created)
        report.updated[kind] += len(updated)
        report.changed_keys += [
            f"{model._meta.model_name}:{pk}" for pk, _ in (*created, *updated) if pk
        ]
        tick(len(batch))


def _write_booking_children(created: list, updated: list) -> None:
    """(id, record) pairs: an updated instrument's hours and refund tiers are replaced."""
    if updated:
        ids = [pk for pk, _ in updated]
        OpeningInterval.objects.filter(instrument_id__in=ids).delete()
        RefundTier.objects.filter(instrument_id__in=ids).delete()
    intervals, tiers = [], []
    for pk, record in [*created, *updated]:
        booking = record.get("booking") or {}
        for order, interval in enumerate(booking.get("opening_hours", [])):
            intervals.append(
                {
                    "instrument_id": pk,
                    "sort_order": order,
                    "weekday": interval["weekday"],
                    "start": datetime.time.fromisoformat(interval["start"]),
                    "end": datetime.time.fromisoformat(interval["end"]),
                }
            )
        for order, tier in enumerate(booking.get("refund_policy", [])):
            tiers.append(
                {
                    "instrument_id": pk,
                    "sort_order": order,
                    "hours_before": tier["hours_before"],
                    "refund_percent": tier["refund_percent"],
                }
            )
    insert_values(OpeningInterval, intervals, batch_size=BATCH)
    insert_values(RefundTier, tiers, batch_size=BATCH)


def _write_capacities(created: list, updated: list) -> None:
    """The vacancies are live counters (IncubatorCapacity), not listing content: the file sets
    them for the incubators it creates; for existing ones the live figures are kept (residency
    acceptances changed them since), only capped at a total the file lowered."""
    IncubatorCapacity.objects.bulk_create(
        [
            IncubatorCapacity(
                incubator_id=pk,
                workstations_vacant=record.get("workstations_vacant", 0),
                offices_vacant=record.get("offices_vacant", 0),
            )
            for pk, record in created
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    if updated:
        ids = [pk for pk, _ in updated]
        # An incubator from before the counters existed gets its row from the file.
        missing = set(ids) - set(
            IncubatorCapacity.objects.filter(incubator_id__in=ids).values_list(
                "incubator_id", flat=True
            )
        )
        IncubatorCapacity.objects.bulk_create(
            [
                IncubatorCapacity(
                    incubator_id=pk,
                    workstations_vacant=record.get("workstations_vacant", 0),
                    offices_vacant=record.get("offices_vacant", 0),
                )
                for pk, record in updated
                if pk in missing
            ],
            batch_size=BATCH,
        )
        clamp_to_totals(ids)


class _DryRunRollback(Exception):
    pass


def import_catalogue(
    data: object,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    index_progress: Callable[[int], Callable[[int], None]] | None = None,
) -> ImportReport:
    """Validate everything; if valid, write everything in one transaction (nothing if dry_run).
    `index_progress(total)` is asked for a tick function when indexing the written rows begins."""
    # The collector's full passes went through every object alive, the parsed file's
    # millions of dicts, lists and strings above all: 15 passes and 11.8 s of the CPU of a
    # 100,000-listing import (3 s of an unchanged re-import), and freezing the file out of
    # them (gc.freeze) made the passes cheaper but more frequent. An import makes few cycles
    # (a few per statement), collected once it ends; the forked builder inherits the pause.
    with collector_paused():
        return _import_catalogue(data, dry_run, progress, index_progress)


def _import_catalogue(data, dry_run, progress, index_progress) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    report.errors = validate_catalogue(data)
    if report.errors:
        return report
    tick = progress or (lambda n: None)
    written: dict[str, tuple] = {}
    builder = None
    try:
        with transaction.atomic():
            institutions = data.get("institutions", [])
            _write_institutions(institutions, report)
            tick(len(institutions))
            refs = {r["institution"] for kind in LISTING_KINDS for r in data.get(kind, [])}
            institution_ids = dict(
                Institution.objects.filter(code__in=refs).values_list("code", "pk")
            )
            listings = sum(len(data.get(kind, [])) for kind in LISTING_KINDS)
            if (
                not dry_run
                and listings >= PARALLEL_FROM
                # the builder inherits the parsed file by fork (Linux, the BSDs)
                and "fork" in multiprocessing.get_all_start_methods()
            ):
                builder = _DocumentBuilder(data, institution_ids)
            for kind in LISTING_KINDS:
                _write_listings(
                    kind, data.get(kind, []), institution_ids, report, tick, written, builder
                )
            if builder is not None:
                builder.submit_vectors()
            if report.created["instruments"] or report.updated["instruments"]:
                # Bulk writes send no post_save: every institution's count, in one statement
                # (an updated instrument may have left an institution the file does not name).
                recount_instruments()
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        report.changed_keys = []
        written = {}
    except BaseException:
        if builder is not None:
            builder.close()
        raise
    try:
        _index(report.changed_keys, index_progress, written, builder)
    finally:
        if builder is not None:
            builder.close()
    if not dry_run and (sum(report.created.values()) or sum(report.updated.values())):
        from .signals import catalogue_imported

        catalogue_imported.send(sender=ImportReport, report=report)
    return report


def _index(
    keys: list[str],
    index_progress=None,
    written: dict | None = None,
    builder: _DocumentBuilder | None = None,
) -> None:
    """Make what was written searchable, in bulk: every document is built once, a batch at a
    time, after the commit (search.indexing.index_in_bulk); what an engine cannot take now
    goes to the search outbox and is retried by the drain. A new listing's document is
    built from the values just written (`_new_documents`), by the `builder`'s second process
    when there is one; an updated one is read back."""
    from search.indexing import index_in_bulk, prepare, wants_sources

    try:
        tick = index_progress(len(keys)) if index_progress and keys else None
        load = _new_documents(written) if written else None
        prepared, expected = (), 0
        if builder is not None:
            sources = wants_sources()
            prepared = builder.batches(lambda batch: prepare(load(batch), sources, builder.vectors))
            keys = [key for key in keys if key not in builder.keys]
            expected = len(builder.keys)
        index_in_bulk(
            keys, batch_size=BATCH, progress=tick, load=load, prepared=prepared, expected=expected
        )
    except Exception:  # noqa: BLE001 — the import is committed; `rebuild_search_index` repairs
        logger.exception("import: search index update failed for %d records", len(keys))


def _written_document(kind: str, pk: int, record: dict, institution, now, capacity=None):
    """The search document of a listing this import created (None if not published), built
    from the values it wrote (documents.from_written); `capacity` is a new incubator's
    IncubatorCapacity."""
    from search import documents

    model, to_values = LISTINGS[kind]
    values = _listing_row(to_values, record, institution.pk, "", now)
    if not values["live"]:
        return None
    values["created_at"] = now
    return documents.from_written(
        model,
        pk,
        values,
        institution=institution,
        related={"capacity": capacity} if model is Incubator else None,
    )


def _new_documents(written: dict[str, tuple]) -> Callable:
    """documents.load for a batch of keys, where the listings this import created are built
    from the values it wrote instead of re-read as model objects (re-reading was a third
    of the time to make 100,000 new listings searchable: docs/performance.md, "Import
    speed"). Their institution is read once and their vacancies once per batch; a key the
    import did not create (an updated listing) is read back by documents.load as before."""
    from search import documents

    institutions = {
        institution.pk: institution
        for institution in Institution.objects.filter(
            pk__in={entry[3] for entry in written.values()}
        )
    }

    def load(keys: list[str]) -> dict:
        found: dict = {}
        rest = []
        incubators = [
            written[key][1] for key in keys if key in written and key.startswith("incubator:")
        ]
        capacities = {
            capacity.incubator_id: capacity
            for capacity in IncubatorCapacity.objects.filter(incubator_id__in=incubators)
        }
        for key in keys:
            entry = written.get(key)
            if entry is None:
                rest.append(key)
                continue
            kind, pk, record, institution_id, now = entry
            found[key] = _written_document(
                kind, pk, record, institutions[institution_id], now, capacities.get(pk)
            )
        if rest:
            found.update(documents.load(rest))
        return found

    return load


class _DocumentBuilder:
    """Builds the index rows of the listings an import creates (search.indexing.prepare), a
    batch at a time, in a second process while this one writes the next batch: the machine's
    other core (docs/performance.md, "Import speed"). The process is forked once the
    institutions are written, so the file's records are already there: only (position, id)
    pairs go to it, and the built rows come back, to be written after the commit as before.
    It never uses the database: it inherits this process's connection and ends without
    closing it (a forked worker leaves by os._exit). A batch it cannot build is built here."""

    def __init__(self, data: dict, institution_ids: dict[str, int]) -> None:
        from search.indexing import fills_empty_index, wants_sources

        institutions = {
            institution.code: institution
            for institution in Institution.objects.filter(pk__in=institution_ids.values())
        }
        listings = sum(len(data.get(kind, [])) for kind in LISTING_KINDS)
        # filling an empty PostgreSQL index, the rows bring their vectors (search.indexing)
        self.vectors = fills_empty_index(listings)
        state = (data, institutions, wants_sources(), self.vectors, translation.get_language())
        self.pool = ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_builder_start,
            initargs=(state,),
        )
        self.jobs: list[tuple[list[str], object]] = []
        self.vector_jobs: list[object] = []
        self.keys: set[str] = set()

    def submit(self, kind: str, created: list[tuple[int, int]], now) -> None:
        """Build the rows of these new listings: (position in the file's `kind` list, id)."""
        name = LISTINGS[kind][0]._meta.model_name
        keys = [f"{name}:{pk}" for _position, pk in created]
        self.keys.update(keys)
        number = len(self.jobs)
        self.jobs.append((keys, self.pool.submit(_build_rows, kind, created, now, number)))

    def submit_vectors(self) -> None:
        """Filling an empty PostgreSQL index: once every batch's rows are asked for, ask for
        their vectors too (search.backends.pg_vectors), batch by batch. They come after all
        the rows, so the rows are ready as soon as before; the vectors are built while this
        process commits and the server writes the first batches — instead of the server's
        `to_tsvector` per row after the commit (docs/performance.md, "Import speed")."""
        if self.vectors:
            self.vector_jobs = [
                self.pool.submit(_build_vectors, number) for number in range(len(self.jobs))
            ]

    def batches(self, fallback: Callable[[list[str]], dict]):
        """Each batch's {key: prepared entry}, in the order submitted, the rows bringing
        their vectors when they were asked for."""
        from search.backends.database import PG_VECTORS_KEY

        for number, (keys, job) in enumerate(self.jobs):
            try:
                entries = job.result()
            except Exception:  # noqa: BLE001 — a lost worker costs time, not documents
                logger.exception("import: building %d index rows here instead", len(keys))
                yield fallback(keys)
                continue
            if number < len(self.vector_jobs):
                try:
                    vectors = self.vector_jobs[number].result()
                except Exception:  # noqa: BLE001 — the server computes what is missing
                    logger.exception("import: %d vectors left to the database", len(keys))
                    vectors = {}
                for key, entry in entries.items():
                    if entry is not None:
                        entry[0][PG_VECTORS_KEY] = vectors.get(key)
            yield entries

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


_builder_state: tuple | None = None


def _builder_start(state: tuple) -> None:
    """In the builder's process: keep what the fork brought, and draw other random stamps
    than the ones this process's parent goes on drawing."""
    global _builder_state
    _builder_state = state
    random.seed()


# In the builder's process: the rows of each batch it built, kept for their vectors.
_built_rows: dict[int, dict[str, dict]] = {}


def _build_rows(kind: str, created: list[tuple[int, int]], now, number: int) -> dict:
    from search.indexing import prepare

    data, institutions, sources, vectors, language = _builder_state
    records = data[kind]
    docs = {}
    name = LISTINGS[kind][0]._meta.model_name
    with translation.override(language):
        for position, pk in created:
            record = records[position]
            capacity = None
            if kind == "incubators":
                # as _write_capacities wrote it for a new incubator
                capacity = IncubatorCapacity(
                    incubator_id=pk,
                    workstations_vacant=record.get("workstations_vacant", 0),
                    offices_vacant=record.get("offices_vacant", 0),
                )
            docs[f"{name}:{pk}"] = _written_document(
                kind, pk, record, institutions[record["institution"]], now, capacity
            )
        entries = prepare(docs, sources)
    if vectors:
        _built_rows[number] = {key: entry[0] for key, entry in entries.items() if entry}
    return entries


def _build_vectors(number: int) -> dict[str, tuple[str, str, str] | None]:
    """In the builder's process: the vectors of a batch it built (pg_vectors.vectors)."""
    from search.backends.pg_vectors import vectors

    return {key: vectors(row) for key, row in _built_rows.pop(number).items()}


def count_records(data: object) -> int:
    if not isinstance(data, dict):
        return 0
    return sum(len(data.get(kind) or []) for kind in KINDS if isinstance(data.get(kind), list))
