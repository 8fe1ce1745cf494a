"""Create the database cache's table (`django_cache`) as part of `migrate`.

Throttles and rate limits live in Django's cache, which is the database cache unless CACHE_URL
names another; `createcachetable` does nothing for other backends or an existing table.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_institution_stripe_account")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
