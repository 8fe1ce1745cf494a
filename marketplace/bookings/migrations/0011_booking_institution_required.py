"""A booking's institution (filled by 0010) is required, and the approval queue's index:
an institution's requests by status in start order."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0010_booking_institution"),
    ]

    operations = [
        migrations.AlterField(
            model_name="booking",
            name="institution",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.institution",
                verbose_name="所属机构",
            ),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(
                fields=["institution", "status", "start", "id"], name="booking_institution_queue"
            ),
        ),
    ]
