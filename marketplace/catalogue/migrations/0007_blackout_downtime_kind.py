"""Blackouts recorded from a downtime get their own kind (故障停机), shown in the reader's
language, instead of the bilingual reason text "故障停机 / downtime" written until now."""

from django.db import migrations, models

OLD_REASON = "故障停机 / downtime"


def reason_to_kind(apps, schema_editor):
    Blackout = apps.get_model("catalogue", "Blackout")
    Blackout.objects.filter(reason=OLD_REASON).update(kind="downtime", reason="")


def kind_to_reason(apps, schema_editor):
    Blackout = apps.get_model("catalogue", "Blackout")
    Blackout.objects.filter(kind="downtime", reason="").update(kind="other", reason=OLD_REASON)
    Blackout.objects.filter(kind="downtime").update(kind="other")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0006_live_listing_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="blackout",
            name="kind",
            field=models.CharField(
                choices=[
                    ("maintenance", "维护保养"),
                    ("holiday", "节假日"),
                    ("other", "其他"),
                    ("downtime", "故障停机"),
                ],
                default="maintenance",
                max_length=16,
                verbose_name="类型",
            ),
        ),
        migrations.RunPython(reason_to_kind, kind_to_reason),
    ]
