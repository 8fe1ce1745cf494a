"""Payment, StripeEvent and Notification move to the payments and notifications apps.

The tables stay where they are (the new models name them with db_table): only Django's idea of
which app owns them changes, so no row moves. A notice no longer points at a booking (its `url`
has linked it since 0004), so that column goes.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0006_notification_text_in_both_languages'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='notification',
            name='booking',
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='StripeEvent'),
                migrations.DeleteModel(name='Notification'),
                migrations.DeleteModel(name='Payment'),
            ],
            database_operations=[],
        ),
    ]
