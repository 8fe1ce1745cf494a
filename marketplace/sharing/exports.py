"""The yearly evaluation of one institution (开放共享评价) as XLSX (openpyxl) and CSV.

The CSV starts with a UTF-8 byte-order mark so Excel and WPS open the Chinese intact, and every
text cell passes `marketplace.csv_safety.neutralise`. The XLSX writes numbers (Decimal) as numbers.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from marketplace.accounts.models import Institution
from marketplace.csv_safety import neutralise

from .indicators import evaluation


def _header() -> list[str]:
    return [_("一级指标"), _("二级指标"), _("数值"), _("单位")]


def _title(institution: Institution, year: int) -> str:
    return _("%(name)s %(year)s 年度大型科研仪器开放共享评价") % {
        "name": institution.name,
        "year": year,
    }


def _cell(value):
    if value is None:
        return ""
    return value


def as_csv(institution: Institution, year: int) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([neutralise(_title(institution, year))])
    writer.writerow(_header())
    for first, second, value, unit in evaluation(institution, year):
        writer.writerow([neutralise(first), neutralise(second), _cell(value), neutralise(unit)])
    return out.getvalue().encode("utf-8")


def as_xlsx(institution: Institution, year: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = str(year)
    # openpyxl would store a text starting with = as a formula: the name is disarmed.
    sheet.append([neutralise(_title(institution, year))])
    sheet["A1"].font = Font(bold=True)
    sheet.append(_header())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for first, second, value, unit in evaluation(institution, year):
        sheet.append([first, second, _cell(value), unit])
    for column, width in zip("ABCD", (16, 24, 14, 14), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filename(institution: Institution, year: int, extension: str) -> str:
    return f"sharing-evaluation-{institution.code}-{year}.{extension}"
