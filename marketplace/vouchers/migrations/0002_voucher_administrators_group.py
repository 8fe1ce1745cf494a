"""The 创新券管理员 group (its permissions are added after migrate, see vouchers/groups.py)."""

from django.db import migrations


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="创新券管理员")


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="创新券管理员").delete()


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0001_innovation_vouchers"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_group, remove_group)]
