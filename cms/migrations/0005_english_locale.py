"""The English locale, so Chinese pages can be translated (Wagtail i18n). Reversible."""

from django.db import migrations


def add_english(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    Locale.objects.get_or_create(language_code="en")


def remove_english(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    english = Locale.objects.filter(language_code="en").first()
    if english is not None and not Page.objects.filter(locale=english).exists():
        english.delete()


class Migration(migrations.Migration):
    dependencies = [("cms", "0004_editor_and_reviewer_groups_with_workflow")]

    operations = [migrations.RunPython(add_english, remove_english)]
