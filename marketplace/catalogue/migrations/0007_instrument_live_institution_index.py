"""Index one institution's published instruments and fill the stored counts
(`Institution.instrument_count`, kept by marketplace.catalogue.counts from now on)."""

from django.db import migrations, models
from django.db.models import F, Func, OuterRef, Subquery


def count_live_instruments(apps, schema_editor):
    Institution = apps.get_model("accounts", "Institution")
    Instrument = apps.get_model("catalogue", "Instrument")
    live = (
        Instrument.objects.filter(institution_id=OuterRef("pk"), live=True)
        .order_by()
        .values(n=Func(F("pk"), function="COUNT"))
    )
    Institution.objects.update(instrument_count=Subquery(live))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_institution_instrument_count"),
        ("catalogue", "0006_live_listing_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="instrument",
            index=models.Index(
                condition=models.Q(("live", True)),
                fields=["institution", "code"],
                name="instrument_live_institution",
            ),
        ),
        migrations.RunPython(count_live_instruments, migrations.RunPython.noop),
    ]
