"""Create the anonymous page cache's table (`django_page_cache`) as part of `migrate`.

`createcachetable` makes the table of every database cache in CACHES that is missing (here the
"pages" cache of config/page_cache.py) and does nothing for other backends or existing tables.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("cms", "0007_create_site_tree")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
