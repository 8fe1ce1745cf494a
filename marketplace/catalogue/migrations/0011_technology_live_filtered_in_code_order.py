"""The technologies' filter index in the list's order: (ip_type, code, trl, institution, id)
WHERE live, so an IP type's page (with a TRL range and a region tested in the index) is an
ordered walk that stops at the page's last match instead of a sort of every match."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0010_listing_search_trigram_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="technology",
            name="technology_live_filtered",
        ),
        migrations.AddIndex(
            model_name="technology",
            index=models.Index(
                condition=models.Q(("live", True)),
                fields=["ip_type", "code", "trl", "institution", "id"],
                name="technology_live_filtered",
            ),
        ),
    ]
