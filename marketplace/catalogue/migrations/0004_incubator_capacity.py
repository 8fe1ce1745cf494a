"""Security finding 5: incubator vacancies move off the revisioned listing row.

The live counts go to IncubatorCapacity (one row per incubator, not revisioned), so publishing
any revision can no longer write an old vacancy back. Existing values are copied over; old
revisions still carry the fields in their JSON, which loading a revision ignores.
"""

import django.db.models.deletion
from django.db import migrations, models


def copy_vacancies(apps, schema_editor):
    Incubator = apps.get_model("catalogue", "Incubator")
    IncubatorCapacity = apps.get_model("catalogue", "IncubatorCapacity")
    rows = Incubator.objects.values_list("pk", "workstations_vacant", "offices_vacant")
    IncubatorCapacity.objects.bulk_create(
        [
            IncubatorCapacity(incubator_id=pk, workstations_vacant=seats, offices_vacant=offices)
            for pk, seats, offices in rows.iterator(chunk_size=2000)
        ],
        batch_size=2000,
    )


def copy_back(apps, schema_editor):
    Incubator = apps.get_model("catalogue", "Incubator")
    IncubatorCapacity = apps.get_model("catalogue", "IncubatorCapacity")
    for capacity in IncubatorCapacity.objects.iterator(chunk_size=2000):
        Incubator.objects.filter(pk=capacity.incubator_id).update(
            workstations_vacant=capacity.workstations_vacant,
            offices_vacant=capacity.offices_vacant,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0003_instrument_name_en'),
    ]

    operations = [
        migrations.CreateModel(
            name='IncubatorCapacity',
            fields=[
                ('incubator', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='capacity', serialize=False, to='catalogue.incubator', verbose_name='孵化载体')),
                ('workstations_vacant', models.PositiveIntegerField(default=0, verbose_name='空余工位')),
                ('offices_vacant', models.PositiveIntegerField(default=0, verbose_name='空余办公室')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
            ],
            options={
                'verbose_name': '空余工位与办公室',
                'verbose_name_plural': '空余工位与办公室',
            },
        ),
        migrations.RunPython(copy_vacancies, copy_back),
        migrations.RemoveConstraint(
            model_name='incubator',
            name='incubator_vacant_within_total',
        ),
        migrations.RemoveConstraint(
            model_name='incubator',
            name='incubator_offices_vacant_within_total',
        ),
        migrations.RemoveField(
            model_name='incubator',
            name='offices_vacant',
        ),
        migrations.RemoveField(
            model_name='incubator',
            name='workstations_vacant',
        ),
    ]
