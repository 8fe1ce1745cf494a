"""The catalogue's permission groups and moderation workflow, kept in place after migrate.

机构成员 (institution members) may create and edit listings in the admin but not publish;
资源审核员 (platform moderators) publish. Listing changes go through the 资源目录审核 workflow.
Run from post_migrate (idempotent), because Wagtail creates the publish/lock permissions of
snippets only after migrations, which a data migration would run before.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from marketplace.accounts.groups import admin_access, model_permission

from .permissions import MEMBERS_GROUP, MODERATORS_GROUP

LISTING_MODELS = ("instrument", "incubator", "technology")
WORKFLOW_NAME = "资源目录审核"
TASK_NAME = "资源审核员审核"


@transaction.atomic
def ensure_catalogue_groups(**kwargs) -> None:
    from wagtail.models import (
        Collection,
        GroupApprovalTask,
        GroupCollectionPermission,
        Workflow,
        WorkflowContentType,
        WorkflowTask,
    )

    from .models import Blackout, Incubator, Instrument, Technology

    members, _ = Group.objects.get_or_create(name=MEMBERS_GROUP)
    moderators, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    access_admin = admin_access()
    member_perms, moderator_perms = [access_admin], [access_admin]
    for model in (Instrument, Incubator, Technology):
        content_type = ContentType.objects.get_for_model(model)
        name = model._meta.model_name
        for action in ("add", "change", "delete", "view"):
            permission = model_permission(content_type, action, name)
            member_perms.append(permission)
            moderator_perms.append(permission)
        for action in ("publish", "lock", "unlock"):
            moderator_perms.append(model_permission(content_type, action, name))
    blackout_type = ContentType.objects.get_for_model(Blackout)
    for action in ("add", "change", "delete", "view"):
        permission = model_permission(blackout_type, action, "blackout")
        member_perms.append(permission)
        moderator_perms.append(permission)
    members.permissions.add(*member_perms)
    moderators.permissions.add(*moderator_perms)

    # Photos and attachments: members may upload and choose them in the root collection.
    root = Collection.get_first_root_node()
    if root is not None:
        for app_label, model_name in (("wagtailimages", "image"), ("wagtaildocs", "document")):
            for action in ("add", "choose"):
                permission = Permission.objects.filter(
                    content_type__app_label=app_label, codename=f"{action}_{model_name}"
                ).first()
                if permission is None:
                    continue
                for group in (members, moderators):
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root, permission=permission
                    )

    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.add(moderators)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for model in (Instrument, Incubator, Technology):
        WorkflowContentType.objects.get_or_create(
            content_type=ContentType.objects.get_for_model(model),
            defaults={"workflow": workflow},
        )
