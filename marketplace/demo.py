"""Demo catalogue for `make run`: data/demo-catalogue.json through the real importer."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from marketplace.catalogue.importer import ImportReport, import_catalogue, read_catalogue_file

DEMO_CATALOGUE = Path(settings.BASE_DIR) / "data" / "demo-catalogue.json"


def load_demo_catalogue(path: Path = DEMO_CATALOGUE) -> ImportReport:
    """Import (or re-import, idempotently) the demo catalogue; raises if it is invalid."""
    report = import_catalogue(read_catalogue_file(path))
    if not report.ok:
        raise ValueError("\n".join(str(error) for error in report.errors))
    return report
