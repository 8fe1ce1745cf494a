"""Demo catalogue for `make run`: the institutions of data/demo-catalogue.json.

The full catalogue import (instruments, incubators, technologies) belongs to
`import_catalogue`; until it exists this loads the records whose models exist.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from marketplace.accounts.models import Institution

DEMO_CATALOGUE = Path(settings.BASE_DIR) / "data" / "demo-catalogue.json"
INSTITUTION_FIELDS = [
    "name",
    "type",
    "region",
    "credit_code",
    "address",
    "website",
    "description",
    "contact_name",
    "contact_email",
    "contact_phone",
]


@transaction.atomic
def load_demo_institutions(path: Path = DEMO_CATALOGUE) -> tuple[int, int]:
    """Create or update the demo institutions; returns (created, updated)."""
    records = json.loads(path.read_text(encoding="utf-8")).get("institutions", [])
    created = updated = 0
    for record in records:
        values = {field: record.get(field, "") for field in INSTITUTION_FIELDS}
        institution = Institution.objects.filter(code=record["code"]).first()
        if institution is None:
            institution = Institution(code=record["code"])
            created += 1
        elif any(getattr(institution, field) != value for field, value in values.items()):
            updated += 1
        else:
            continue
        for field, value in values.items():
            setattr(institution, field, value)
        institution.full_clean()
        institution.save()
    return created, updated
