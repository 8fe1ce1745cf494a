"""The 双创专区 site tree, as Wagtail's own project template creates its home page.

On a fresh database `migrate` leaves Wagtail's "Welcome to your new Wagtail site!" page as the
default site's root. This migration puts the 双创专区 home page in its place (deleting that
welcome page, and only it) with its columns under it: 双创动态 (news), 通知公告 (notices) and
政策文件 (policies and their 政策解读). The department pages (/departments/) are views over the
department snippets and need no page.

A database that already has a 双创专区 home page (for example one built by an older
`load_demo`) is left alone. Historical models only: tree paths are written by hand, as
treebeard would (steplen 4, base 36). Reversing leaves the pages in place: they may hold content
by then, and editors delete pages in the admin.
"""

from django.db import migrations
from django.utils import timezone

WELCOME_TITLE = "Welcome to your new Wagtail site!"
SITE_NAME = "双创资源共享平台"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4

HOME = {
    "title": "双创专区",
    "slug": "home",
    "intro": "及时发布双创政策和动态新闻，汇聚全省大型科学仪器、孵化载体和科技成果资源。",
}
COLUMNS = [
    ("newsindexpage", {"title": "双创动态", "slug": "news", "intro": "全省双创工作动态。"}),
    ("noticeindexpage", {"title": "通知公告", "slug": "notices", "intro": ""}),
    (
        "policyindexpage",
        {
            "title": "政策文件",
            "slug": "policies",
            "intro": "国家和我省支持大众创业万众创新的政策文件及其解读。",
        },
    ),
]


def _step(number):
    out = ""
    for _ in range(STEPLEN):
        number, digit = divmod(number, len(ALPHABET))
        out = ALPHABET[digit] + out
    return out


def _next_child_path(Page, parent_path, depth):
    last = (
        Page.objects.filter(path__startswith=parent_path, depth=depth)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    number = int(last[-STEPLEN:], len(ALPHABET)) + 1 if last else 1
    return parent_path + _step(number)


def _is_welcome_page(page, page_type):
    return (
        page is not None
        and page.depth == 2
        and page.content_type_id == page_type.pk
        and page.numchild == 0
        and page.title == WELCOME_TITLE
    )


def create_site_tree(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("cms", "HomePage")
    if HomePage.objects.exists():
        return
    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is None:  # wagtailcore's own initial data always makes one; nothing to attach to
        return
    page_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    site = Site.objects.filter(is_default_site=True).first()
    old_root = Page.objects.filter(pk=site.root_page_id).first() if site else None
    site_fields = None
    if _is_welcome_page(old_root, page_type):
        # The Site cascades with its root page: keep its address and make it again below.
        site_fields = {"hostname": site.hostname, "port": site.port, "site_name": SITE_NAME}
        old_root.delete()
        root.numchild = Page.objects.filter(depth=2).count()
        root.save(update_fields=["numchild"])
    elif site is None:
        site_fields = {"hostname": "localhost", "port": 80, "site_name": SITE_NAME}

    now = timezone.now()

    def add(model_name, parent, fields):
        model = apps.get_model("cms", model_name)
        content_type, _ = ContentType.objects.get_or_create(app_label="cms", model=model_name)
        page = model.objects.create(
            draft_title=fields["title"],
            path=_next_child_path(Page, parent.path, parent.depth + 1),
            depth=parent.depth + 1,
            numchild=0,
            url_path=f"{parent.url_path}{fields['slug']}/",
            content_type=content_type,
            locale_id=root.locale_id,
            live=True,
            has_unpublished_changes=False,
            first_published_at=now,
            last_published_at=now,
            **fields,
        )
        parent.numchild += 1
        parent.save(update_fields=["numchild"])
        return page

    home = add("homepage", root, HOME)
    for model_name, fields in COLUMNS:
        add(model_name, home, fields)
    if site_fields is not None:
        Site.objects.create(root_page_id=home.pk, is_default_site=True, **site_fields)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0006_site_settings_and_derived_measure_titles"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_site_tree, migrations.RunPython.noop)]
