"""A settlement batch for the finance office, as XLSX (openpyxl) and CSV (UTF-8 with a BOM, so
Excel reads the Chinese). Every text cell passes `marketplace.csv_safety.neutralise` in both:
a provider's or a service's name starting with = is shown, never run. Amounts stay numbers."""

from __future__ import annotations

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from marketplace.csv_safety import neutralise

from .models import ClaimLine, LineStatus, SettlementBatch


def header() -> list[str]:
    """The column names in the language of the person exporting."""
    return [
        _("结算批次"),
        _("服务机构"),
        _("统一社会信用代码"),
        _("月份"),
        _("明细"),
        _("服务"),
        _("企业"),
        _("服务完成"),
        _("兑付金额（元）"),
    ]


def rows(batch: SettlementBatch) -> list[list]:
    """One row per approved line of the batch (rejected lines are not paid)."""
    lines = (
        ClaimLine.objects.filter(claim__batch=batch)
        .filter(status__in=[LineStatus.APPROVED, LineStatus.PAID])
        .select_related("claim", "institution", "use__balance__enterprise")
        .order_by("institution__name", "claim__month", "pk")
    )
    return [
        [
            batch.pk,
            line.institution.name,
            line.institution.credit_code,
            f"{line.claim.month:%Y-%m}",
            line.pk,
            line.use.description,
            line.use.balance.enterprise.name,
            f"{timezone.localtime(line.use.spent_at):%Y-%m-%d %H:%M}" if line.use.spent_at else "",
            line.amount,
        ]
        for line in lines
    ]


def _safe(row: list) -> list:
    return [neutralise(value) for value in row]


def as_csv(batch: SettlementBatch) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header())
    for row in rows(batch):
        writer.writerow(_safe(row))
    return out.getvalue().encode("utf-8")


def as_xlsx(batch: SettlementBatch) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = f"batch-{batch.pk}"
    sheet.append(header())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(batch):
        # openpyxl would store a text starting with = as a formula: every text is disarmed.
        sheet.append(_safe(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filename(batch: SettlementBatch, extension: str) -> str:
    return f"voucher-settlement-{batch.pk}.{extension}"
