"""The 创新券管理员 group (voucher administrators) and its permissions, kept in place after
migrate (post_migrate, idempotent: the models' permissions exist only after migrations; the
data migration makes the group itself). Programmes are edited in the Wagtail admin;
applications, claims and batches are read there and moved only through `services`."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from marketplace.accounts.groups import admin_access, model_permission

ADMINS_GROUP = "创新券管理员"
EDITABLE = ("programme", "enterprise")
READ_ONLY = ("application", "balance", "voucheruse", "claim", "claimline", "settlementbatch")


@transaction.atomic
def ensure_voucher_group(**kwargs) -> None:
    group, _created = Group.objects.get_or_create(name=ADMINS_GROUP)
    wanted = [admin_access()]
    for model_name, actions in [(name, ("add", "change", "view")) for name in EDITABLE] + [
        (name, ("view",)) for name in READ_ONLY
    ]:
        content_type, _ = ContentType.objects.get_or_create(app_label="vouchers", model=model_name)
        wanted += [model_permission(content_type, action, model_name) for action in actions]
    group.permissions.add(*wanted)
