"""Permissions the apps' group setups grant (run from post_migrate, idempotent): each app
keeps its groups in place with these, so a permission is looked up or made one way."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType


def admin_access() -> Permission:
    """Wagtail's "access admin" permission. A Wagtail migration creates it, so it is gone
    after a test-database flush: made again here."""
    admin_type, _created = ContentType.objects.get_or_create(
        app_label="wagtailadmin", model="admin"
    )
    permission, _created = Permission.objects.get_or_create(
        content_type=admin_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    return permission


def model_permission(content_type: ContentType, action: str, model_name: str) -> Permission:
    """The `action` ("add", "change", "view", "publish"…) permission on a model."""
    permission, _created = Permission.objects.get_or_create(
        content_type=content_type,
        codename=f"{action}_{model_name}",
        defaults={"name": f"Can {action} {model_name}"},
    )
    return permission
