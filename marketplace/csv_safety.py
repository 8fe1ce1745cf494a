"""CSV formula injection (OWASP "CSV Injection"): a cell a spreadsheet would run is disarmed.

A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a
single quote, so Excel, LibreOffice and WPS show it as text instead of evaluating
`=HYPERLINK(…)` or `@SUM(1+1)*cmd|' /C calc'!A0`. Numbers are left alone. Every CSV the site
writes goes through `neutralise`: the catalogue export (marketplace.catalogue.api) and, through
`guard_wagtail_exports`, every CSV export of the Wagtail admin (reports, listings, form
submissions) — Wagtail's own guard covers only its XLSX exports.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def guard_wagtail_exports() -> None:
    """Make Wagtail's SpreadsheetExportMixin neutralise every CSV cell (idempotent)."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin, "_csv_cells_neutralised", False):
        return
    original = SpreadsheetExportMixin.preprocess_field_value

    def preprocess_field_value(self, field, value, export_format):
        value = original(self, field, value, export_format)
        if export_format == self.FORMAT_CSV:
            value = neutralise(value)
        return value

    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
    SpreadsheetExportMixin._csv_cells_neutralised = True
