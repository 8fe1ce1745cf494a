"""A booking keeps its instrument's institution (issue 17: the approval queue counts and pages
an institution's requests on one index, without naming its instruments). Added empty and
filled from each booking's instrument here; required, and indexed for the queue, in 0011 (on
PostgreSQL a table cannot be altered in the transaction that filled it: the new foreign key's
checks are still pending)."""

import django.db.models.deletion
from django.db import migrations, models


def fill_institution(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    Instrument = apps.get_model("catalogue", "Instrument")
    Booking.objects.update(
        institution_id=models.Subquery(
            Instrument.objects.filter(pk=models.OuterRef("instrument_id")).values(
                "institution_id"
            )[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("bookings", "0009_queue_indexes_per_status"),
        ("catalogue", "0001_listings"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="institution",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.institution",
                verbose_name="所属机构",
            ),
        ),
        migrations.RunPython(fill_institution, migrations.RunPython.noop, elidable=True),
    ]
