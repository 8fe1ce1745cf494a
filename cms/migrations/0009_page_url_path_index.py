"""An index on Wagtail's page url_path: the home page finds a page by its path in one query
(HomePage.route). Wagtail's own table has none; this adds it without changing the model."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cms", "0008_page_cache_table"), ("wagtailcore", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS cms_page_url_path ON wagtailcore_page (url_path)",
            "DROP INDEX IF EXISTS cms_page_url_path",
        )
    ]
