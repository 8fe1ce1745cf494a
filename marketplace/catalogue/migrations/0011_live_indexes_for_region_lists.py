"""Published listings' indexes for lists filtered by region (through the institution).

- instrument_live_code, technology_live_code: (code, institution, id) WHERE live, so a list
  filtered by region alone walks the code order and tests the institution in the index
  instead of reading each listing's row;
- technology_live_filtered: (ip_type, code, trl, institution, id) WHERE live, the list's
  order right after the IP type, so an IP type's page (with a TRL range and a region) is an
  ordered walk that stops at the page's last match instead of a sort of every match.

Plain columns: PostgreSQL plans with the columns' statistics it has; SQLite keeps its
sqlite_stat1 rows per index, so an operator runs `ANALYZE` after this migration as after an
import (docs/performance.md).
"""

from django.db import migrations, models

LIVE = models.Q(("live", True))


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0010_listing_search_trigram_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="instrument", name="instrument_live_code"),
        migrations.RemoveIndex(model_name="technology", name="technology_live_code"),
        migrations.RemoveIndex(model_name="technology", name="technology_live_filtered"),
        migrations.AddIndex(
            model_name="instrument",
            index=models.Index(
                condition=LIVE, fields=["code", "institution", "id"], name="instrument_live_code"
            ),
        ),
        migrations.AddIndex(
            model_name="technology",
            index=models.Index(
                condition=LIVE, fields=["code", "institution", "id"], name="technology_live_code"
            ),
        ),
        migrations.AddIndex(
            model_name="technology",
            index=models.Index(
                condition=LIVE,
                fields=["ip_type", "code", "trl", "institution", "id"],
                name="technology_live_filtered",
            ),
        ),
    ]
