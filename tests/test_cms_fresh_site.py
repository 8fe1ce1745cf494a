"""A database built by `migrate` alone is the 双创 site: the tree, import_policy, public URLs."""

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from wagtail.models import Page, Site

from cms.models import (
    HomePage,
    LegalPage,
    NewsIndexPage,
    NoticeIndexPage,
    PolicyIndexPage,
    PolicyPage,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "cms" / "data" / "yunnan-2017-new-drivers-policy.txt"
WELCOME = "Welcome to your new Wagtail site!"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def run_tree_migration():
    """Run cms.0007's function with the historical models it runs with in `migrate`."""
    from importlib import import_module

    state = MigrationLoader(connection).project_state(("cms", "0007_create_site_tree"))
    module = import_module("cms.migrations.0007_create_site_tree")
    module.create_site_tree(state.apps, None)


def tree_snapshot():
    return (
        list(Page.objects.order_by("path").values_list("pk", "path", "numchild", "url_path")),
        list(Site.objects.values_list("pk", "hostname", "port", "root_page_id", "is_default_site")),
    )


def test_migrate_alone_gives_the_home_page_as_the_default_sites_root(site_tree):
    site = Site.objects.get(is_default_site=True)
    assert site.root_page_id == site_tree.pk
    assert site.site_name == "双创资源共享平台"
    assert not Page.objects.filter(title=WELCOME).exists()
    columns = [page.specific_class for page in site_tree.get_children().live()]
    # The columns, then 用户协议 and 隐私政策 (cms.0011).
    assert columns == [NewsIndexPage, NoticeIndexPage, PolicyIndexPage, LegalPage, LegalPage]
    assert Page.find_problems() == ([], [], [], [], [])


def test_the_fresh_home_page_has_the_search_box_feeds_navigation_and_column_links(
    client, site_tree
):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>双创专区</h1>" in html
    assert 'action="/search/"' in html and 'name="q"' in html
    assert re.search(
        r'<link rel="alternate" type="application/rss\+xml"[^>]*/feeds/news\.rss"', html
    )
    assert 'aria-label="网站导航"' in html
    for url in ("/news/", "/policies/", "/notices/"):
        assert f'class="more" href="{url}"' in html
    assert "<footer" in html
    for url in ("/news/", "/policies/", "/notices/", "/departments/"):
        assert client.get(url).status_code == 200, url


def test_the_migration_is_a_no_op_on_a_database_that_already_has_the_tree(site_pages):
    before = tree_snapshot()
    run_tree_migration()
    assert tree_snapshot() == before


def test_the_migration_replaces_the_welcome_page_and_only_it(site_tree):
    """The state `migrate` meets on a fresh database: Wagtail's welcome page is the site root."""
    site_tree.delete()  # the Site goes with its root page
    root = Page.get_first_root_node()
    welcome = root.add_child(instance=Page(title=WELCOME, slug="home"))
    other = root.add_child(instance=Page(title="另一个站点", slug="other"))
    Site.objects.create(hostname="localhost", port=80, root_page=welcome, is_default_site=True)

    run_tree_migration()

    home = HomePage.objects.get()
    assert not Page.objects.filter(pk=welcome.pk).exists()
    assert Page.objects.filter(pk=other.pk).exists()
    site = Site.objects.get(is_default_site=True)
    assert (site.root_page_id, site.hostname, site.port) == (home.pk, "localhost", 80)
    assert [p.specific_class for p in home.get_children()] == [
        NewsIndexPage,
        NoticeIndexPage,
        PolicyIndexPage,
    ]
    assert home.url_path == "/home/" and home.get_children()[0].url_path == "/home/news/"
    assert Page.find_problems() == ([], [], [], [], [])


def test_import_policy_publish_works_right_after_migrate(client, site_tree):
    call_command("import_policy", str(SEED), "--publish")
    policy = PolicyPage.objects.get()
    assert policy.live and policy.get_parent().specific_class is PolicyIndexPage
    assert policy.title in client.get("/policies/").content.decode()
    assert policy.title in client.get("/").content.decode()
    sitemap = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 - our own output
    locations = [loc.text for loc in sitemap.iter(f"{SITEMAP_NS}loc")]
    assert any(loc.endswith(policy.url) for loc in locations)
    found = client.get("/search/", {"q": "新动能"}).content.decode()
    assert policy.title in found


def test_a_fresh_clone_migrate_then_import_policy_from_the_command_line(cli_env):
    """The operator's path: a migrated database file, then the command, then the site."""
    command = [sys.executable, "manage.py", "import_policy", str(SEED), "--publish"]
    result = subprocess.run(command, env=cli_env, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "已发布" in result.stdout
    probe = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "html = Client().get('/policies/').content.decode()\n"
        "home = Client().get('/').content.decode()\n"
        "print(json.dumps({'listed': '新旧动能接续转换' in html, 'home': '双创专区' in home,"
        " 'welcome': 'Welcome to your new Wagtail site' in home}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], env=cli_env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "listed": True,
        "home": True,
        "welcome": False,
    }


def test_load_demo_adds_content_to_the_migration_tree_and_is_idempotent(site_tree):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = tree_snapshot()
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert tree_snapshot() == first
    assert HomePage.objects.get().pk == site_tree.pk
    assert NewsIndexPage.objects.count() == 1 and PolicyIndexPage.objects.count() == 1


def test_the_demo_notice_promises_no_online_application(client, site_pages):
    notice = client.get("/notices/").content.decode()
    assert "关于组织申报 2027 年度省级众创空间的通知" in notice
    from cms.models import NoticePage

    page = NoticePage.objects.get()
    text = page.summary + str(page.body)
    assert "在线提交" not in text and "在平台提交" not in text


# --- Public URLs ----------------------------------------------------------------------------


def public_links(client):
    home = client.get("/news/").content.decode()
    rss = client.get("/feeds/news.rss").content.decode()
    atom = client.get("/feeds/policies.atom").content.decode()
    sitemap = client.get("/sitemap.xml").content.decode()
    return home, rss, atom, sitemap


def test_canonical_feeds_and_sitemap_use_site_url_while_the_site_is_localhost(
    client, site_pages, settings
):
    settings.SITE_URL = "https://sc.example.gov.cn"
    page, rss, atom, sitemap = public_links(client)
    assert '<link rel="canonical" href="https://sc.example.gov.cn/news/">' in page
    assert '<meta property="og:url" content="https://sc.example.gov.cn/news/">' in page
    assert 'href="https://sc.example.gov.cn/feeds/news.rss"' in page
    assert "<link>https://sc.example.gov.cn/news/</link>" in rss
    guids = re.findall(r"<guid[^>]*>([^<]+)</guid>", rss)
    assert guids and all(g.startswith("tag:sc.example.gov.cn,") for g in guids)
    assert 'href="https://sc.example.gov.cn/policies/' in atom
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locations and all(loc.startswith("https://sc.example.gov.cn/") for loc in locations)
    assert any("/departments/" in loc for loc in locations)
    for document in (page, rss, atom, sitemap):
        assert (
            "localhost" not in document and ":8000" not in document and "testserver" not in document
        )


def test_a_site_with_its_real_hostname_is_used_for_public_links(client, site_pages, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    Site.objects.filter(is_default_site=True).update(hostname="www.ynsc.gov.cn", port=443)
    Site.clear_site_root_paths_cache()
    page, rss, _atom, sitemap = public_links(client)
    assert '<link rel="canonical" href="https://www.ynsc.gov.cn/news/">' in page
    assert "<link>https://www.ynsc.gov.cn/news/</link>" in rss
    assert all(
        loc.startswith("https://www.ynsc.gov.cn/")
        for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)
    )


def test_production_settings_take_the_public_address_from_allowed_hosts():
    probe = (
        "import django; from django.conf import settings; django.setup(); print(settings.SITE_URL)"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "sc.example.gov.cn,www.sc.example.gov.cn",
    }
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://sc.example.gov.cn"
    env["SITE_URL"] = "https://shuangchuang.yn.gov.cn"
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.stdout.strip() == "https://shuangchuang.yn.gov.cn"
