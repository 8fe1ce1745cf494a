"""Trigram indexes for the lists' `q=` on PostgreSQL (issue 17).

`q` is a case-insensitive substring match over a few text columns of each kind
(marketplace/catalogue/filters.py, SEARCH_FIELDS), which Django writes on PostgreSQL as
`UPPER("column"::text) LIKE UPPER('%…%')`. No B-tree can serve that, and the planner cannot
estimate it, so the instrument list's q= read every instrument (290–570 ms at 40,000). A GIN
index of the trigrams of `UPPER(column)` over the published rows serves exactly that
expression: the OR of the columns becomes a BitmapOr of these indexes, and the matches are
re-checked against the same LIKE, so the results are the same rows as before.

PostgreSQL only: pg_trgm is a trusted extension (PostgreSQL 13+), so the database owner may
create it. On SQLite the migration does nothing (the extension and the index kinds do not
exist there), and the models' state does not list these indexes, so `makemigrations` sees no
difference between the engines.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# (model, [(index name, column)]): the columns of SEARCH_FIELDS in filters.py.
TRIGRAM_INDEXES = {
    "instrument": [
        ("instrument_name_trgm", "name"),
        ("instrument_model_trgm", "model_number"),
        ("instrument_maker_trgm", "manufacturer"),
        ("instrument_desc_trgm", "description"),
    ],
    "incubator": [
        ("incubator_name_trgm", "name"),
        ("incubator_address_trgm", "address"),
        ("incubator_desc_trgm", "description"),
    ],
    "technology": [
        ("technology_title_trgm", "title"),
        ("technology_summary_trgm", "summary"),
        ("technology_field_trgm", "field"),
    ],
}


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for model_name, columns in TRIGRAM_INDEXES.items():
        table = quote(apps.get_model("catalogue", model_name)._meta.db_table)
        for name, column in columns:
            # The expression Django's icontains compares: UPPER("column"::text).
            schema_editor.execute(
                f"CREATE INDEX {quote(name)} ON {table} "
                f"USING gin ((UPPER({quote(column)}::text)) gin_trgm_ops) WHERE live"
            )


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for columns in TRIGRAM_INDEXES.values():
        for name, _column in columns:
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0009_merge_downtime_kind_and_live_indexes"),
    ]

    operations = [
        # CreateExtension does nothing on other engines.
        TrigramExtension(),
        migrations.RunPython(add_indexes, remove_indexes),
    ]
