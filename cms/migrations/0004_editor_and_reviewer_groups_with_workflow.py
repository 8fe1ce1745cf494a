"""Editors (编辑) and reviewers (审核): two permission groups and the moderation workflow.

Editors create and change pages and snippets but cannot publish; every page under the tree
root goes through the "双创专区审核" workflow, whose single task is approved by 审核.
Reversible: unapplying removes the groups and the workflow and gives the root back to
Wagtail's default "Moderators approval" workflow when it still exists.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "编辑"
REVIEWERS = "审核"
WORKFLOW = "双创专区审核流程"
TASK = "审核"

EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "lock_page"]
REVIEWER_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
EDITOR_MODEL_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("cms", "add_department"),
    ("cms", "change_department"),
    ("cms", "add_departmentalias"),
    ("cms", "change_departmentalias"),
    ("cms", "add_newscategory"),
    ("cms", "change_newscategory"),
]
REVIEWER_MODEL_PERMISSIONS = [
    *EDITOR_MODEL_PERMISSIONS,
    ("cms", "delete_departmentalias"),
    ("cms", "delete_newscategory"),
]
COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]


def _ensure_permissions(apps):
    for label in ("wagtailcore", "wagtailadmin", "wagtailimages", "wagtaildocs", "cms"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None


def create_groups_and_workflow(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    def perm(app_label, codename):
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    editors, _ = Group.objects.get_or_create(name=EDITORS)
    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS)
    editors.permissions.add(*(perm(a, c) for a, c in EDITOR_MODEL_PERMISSIONS))
    reviewers.permissions.add(*(perm(a, c) for a, c in REVIEWER_MODEL_PERMISSIONS))

    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is not None:
        for group, codenames in ((editors, EDITOR_PAGE_PERMISSIONS), (reviewers, REVIEWER_PAGE_PERMISSIONS)):
            for codename in codenames:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root, permission=perm("wagtailcore", codename)
                )
    root_collection = Collection.objects.filter(depth=1).order_by("path").first()
    if root_collection is not None:
        for group in (editors, reviewers):
            for app_label, codename in COLLECTION_PERMISSIONS:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=perm(app_label, codename)
                )

    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.filter(name=TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK, content_type=task_type, active=True)
    task.groups.set([reviewers])
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    if root is not None:
        WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})


def remove_groups_and_workflow(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    Task = apps.get_model("wagtailcore", "Task")

    root = Page.objects.filter(depth=1).order_by("path").first()
    default = Workflow.objects.filter(name="Moderators approval").first()
    if root is not None:
        WorkflowPage.objects.filter(page=root, workflow__name=WORKFLOW).delete()
        if default is not None:
            WorkflowPage.objects.get_or_create(page=root, defaults={"workflow": default})
    Workflow.objects.filter(name=WORKFLOW).delete()
    Task.objects.filter(name=TASK, content_type__model="groupapprovaltask").delete()
    Group.objects.filter(name__in=[EDITORS, REVIEWERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_initial_departments_from_seed_policy"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(create_groups_and_workflow, remove_groups_and_workflow)]
