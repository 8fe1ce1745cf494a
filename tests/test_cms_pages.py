"""双创专区 pages: tree rules, workflow permissions, feeds, department pages, query counts."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from wagtail.models import Page

from cms.models import (
    Department,
    HomePage,
    LegalPage,
    MeasureResponsibility,
    NewsIndexPage,
    NewsPage,
    NoticeIndexPage,
    PolicyIndexPage,
    PolicyInterpretationPage,
    PolicyPage,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def parse_xml(content: bytes):
    """Parse our own feed/sitemap output; raises if it is not well-formed XML."""
    return ET.fromstring(content)  # noqa: S314 - the document comes from the test client


@pytest.fixture
def policy(site_pages):
    return PolicyPage.objects.live().get()


def add_news(index, count, start=0):
    for n in range(start, start + count):
        article = NewsPage(
            title=f"动态 {n}",
            slug=f"n-{n}",
            date=datetime.date(2025, 1, 1 + n % 28),
            summary="摘要",
        )
        index.add_child(instance=article)
        article.tags.add("标签")
        article.save_revision().publish()


# --- Page tree ------------------------------------------------------------------------------


def test_parent_child_rules_keep_content_in_its_column(site_pages):
    assert NewsPage.can_create_at(NewsIndexPage.objects.get())
    assert not NewsPage.can_create_at(PolicyIndexPage.objects.get())
    assert not PolicyPage.can_create_at(NewsIndexPage.objects.get())
    assert PolicyInterpretationPage.can_create_at(PolicyIndexPage.objects.get())
    assert not PolicyPage.can_create_at(HomePage.objects.get())
    assert not NewsIndexPage.can_create_at(PolicyIndexPage.objects.get())
    assert set(HomePage.allowed_subpage_models()) == {
        NewsIndexPage,
        NoticeIndexPage,
        PolicyIndexPage,
        LegalPage,
    }
    assert HomePage.allowed_parent_page_models() == [Page]


# --- Workflow -------------------------------------------------------------------------------


def _user_in(group_name):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=group_name))
    return user


def test_an_editor_can_edit_but_not_publish_and_a_reviewer_can(policy):
    editor, reviewer = _user_in("编辑"), _user_in("审核")
    editor_perms = policy.permissions_for_user(editor)
    reviewer_perms = policy.permissions_for_user(reviewer)
    assert editor_perms.can_edit()
    assert not editor_perms.can_publish()
    assert reviewer_perms.can_publish()
    assert editor.has_perm("wagtailadmin.access_admin")


def test_an_editor_submits_for_review_and_only_a_reviewer_can_approve(policy):
    editor, reviewer = _user_in("编辑"), _user_in("审核")
    workflow = policy.get_workflow()
    assert workflow.name == "双创专区审核流程"
    policy.title = policy.title + "（修订稿）"
    revision = policy.save_revision(user=editor)
    state = workflow.start(policy, editor)
    task_state = state.current_task_state
    task = task_state.task.specific
    assert [action[0] for action in task.get_actions(policy, editor)] == []
    assert "approve" in [action[0] for action in task.get_actions(policy, reviewer)]
    task.on_action(task_state, reviewer, "approve")
    policy.refresh_from_db()
    assert policy.live_revision_id == revision.pk
    assert policy.title.endswith("（修订稿）")


# --- Policy pages and department pages ------------------------------------------------------


def test_policy_page_reads_as_a_structured_document(client, policy, settings):
    settings.SITE_ID_CODE = "5300000001"
    html = client.get(policy.url).content.decode()
    assert '<nav class="toc"' in html
    assert "一、提高政府服务能力和水平" in html
    assert "（十七）完善统计调查支撑机制" in html
    assert 'href="/departments/%E7%9C%81%E8%B4%A2%E6%94%BF%E5%8E%85/"' in html or (
        'href="/departments/省财政厅/"' in html
    )
    assert html.count('class="measure"') == 32
    assert "policy.css" in html
    assert '<meta name="ArticleTitle"' in html
    assert '<meta name="PubDate" content="2017-07-27">' in html
    assert '<meta name="ColumnName" content="政策文件">' in html
    assert '<meta name="SiteIDCode"' in html
    interpretation = PolicyInterpretationPage.objects.get()
    assert interpretation.url in html
    assert policy.url in client.get(interpretation.url).content.decode()


def test_a_repealed_policy_says_so_and_links_its_successor(client, policy):
    successor = PolicyPage(
        title="新版实施方案", slug="successor", date_published=datetime.date(2026, 1, 5)
    )
    policy.get_parent().add_child(instance=successor)
    successor.save_revision().publish()
    policy.validity = PolicyPage.Validity.REPEALED
    policy.date_repealed = datetime.date(2026, 1, 5)
    policy.successor = successor
    policy.save_revision().publish()
    html = client.get(policy.url).content.decode()
    assert "本文件已废止" in html
    assert f'href="{successor.url}">新版实施方案</a>' in html


def test_index_number_must_follow_the_issuer_format(policy):
    from django.core.exceptions import ValidationError

    policy.index_number = "12345"
    with pytest.raises(ValidationError) as error:
        policy.full_clean()
    assert "21 位数字" in str(error.value)
    policy.index_number = "530000001201704008001"
    policy.full_clean()
    assert policy.index_number == "530000-001-2017-04-0080-01"


def test_department_page_lists_exactly_its_measures_grouped_by_policy(client, policy):
    department = Department.objects.get(name="省质监局")
    rows = MeasureResponsibility.objects.filter(department=department, policy=policy)
    assert {r.role for r in rows} == {"lead", "co"}
    html = client.get(department.get_absolute_url()).content.decode()
    assert html.count('class="measure-row"') == rows.count()
    assert html.count("dept-badge dept-badge-lead") == rows.filter(role="lead").count()
    assert policy.title in html
    unrelated = Department.objects.get(name="昆明海关")
    unrelated_count = MeasureResponsibility.objects.filter(department=unrelated).count()
    html = client.get(unrelated.get_absolute_url()).content.decode()
    assert html.count('class="measure-row"') == unrelated_count == 1


def test_a_draft_policy_is_not_on_department_pages(client, policy):
    department = Department.objects.get(name="省质监局")
    policy.unpublish()
    html = client.get(department.get_absolute_url()).content.decode()
    assert 'class="measure-row"' not in html
    assert client.get("/departments/no-such-department/").status_code == 404


def test_policy_list_filters_by_department_validity_and_year(client, policy):
    index = policy.get_parent()
    assert policy.title in client.get(index.url, {"department": "省质监局"}).content.decode()
    assert policy.title not in client.get(index.url, {"validity": "repealed"}).content.decode()
    assert policy.title in client.get(index.url, {"year": "2017"}).content.decode()
    assert policy.title not in client.get(index.url, {"year": "2016"}).content.decode()
    assert policy.title in client.get(index.url, {"issuer": "省政府办公厅"}).content.decode()


def test_an_interpretation_goes_public_with_its_policy(client, policy):
    interpretation = PolicyInterpretationPage.objects.get()
    policy.unpublish()
    assert client.get(interpretation.url).status_code == 404
    interpretation.unpublish()
    interpretation.save_revision()
    policy.get_latest_revision().publish()
    interpretation.refresh_from_db()
    assert interpretation.live
    assert client.get(interpretation.url).status_code == 200


# --- News -----------------------------------------------------------------------------------


def test_news_list_pages_and_filters_by_category_tag_and_year(client, site_pages):
    _, index = site_pages
    add_news(index, 25)
    html = client.get(index.url).content.decode()
    assert html.count("<h2><a href=") == 20
    assert 'rel="next"' in html
    assert client.get(index.url, {"page": 2}).content.decode().count("<h2><a href=") == 8
    by_category = client.get(index.url, {"category": "sharing"}).content.decode()
    assert "全省大型科研仪器开放共享平台新增" in by_category
    assert "动态 1</a>" not in by_category
    by_tag = client.get(index.url, {"tag": "孵化器"}).content.decode()
    assert by_tag.count("<h2><a href=") == 1
    assert client.get(index.url, {"year": "2025"}).content.decode().count("<h2><a href=") == 20


# --- Feeds and sitemap ----------------------------------------------------------------------


def test_rss_feeds_are_valid_xml_with_the_right_items(client, policy):
    news = parse_xml(client.get("/feeds/news.rss").content)
    titles = [item.findtext("title") for item in news.iter("item")]
    assert titles == list(
        NewsPage.objects.live().order_by("-date", "-pk").values_list("title", flat=True)
    )
    # links are on the public host: SITE_URL while the Wagtail site is still "localhost"
    assert news.find("channel/item/link").text.startswith(django_settings.SITE_URL + "/news/")
    policies = parse_xml(client.get("/feeds/policies.rss").content)
    assert [item.findtext("title") for item in policies.iter("item")] == [policy.title]
    assert "2017" in policies.find("channel/item/pubDate").text


def test_atom_feeds_are_valid_xml_with_the_right_items(client, policy):
    response = client.get("/feeds/policies.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = parse_xml(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [policy.title]
    assert entries[0].find(f"{ATOM}link").get("href").endswith(policy.url)
    news = parse_xml(client.get("/feeds/news.atom").content)
    assert len(news.findall(f"{ATOM}entry")) == NewsPage.objects.live().count()


def test_every_page_links_its_feeds_in_the_head(client, site_pages):
    html = client.get("/").content.decode()
    for href in (
        "/feeds/news.rss",
        "/feeds/news.atom",
        "/feeds/policies.rss",
        "/feeds/policies.atom",
    ):
        assert f'href="{django_settings.SITE_URL}{href}"' in html
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert '<meta property="og:title"' in html


def test_sitemap_lists_pages_and_department_pages(client, policy):
    root = parse_xml(client.get("/sitemap.xml").content)
    locations = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc.endswith(policy.url) for loc in locations)
    assert any("/departments/" in loc for loc in locations)
    assert any(loc.endswith("/news/") for loc in locations)


# --- Query counts ---------------------------------------------------------------------------


def _queries(client, url, django_assert_max_num_queries, limit):
    client.get(url)  # warm the per-process caches (site root paths, default locale)
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_home_query_count_does_not_grow_with_news(
    client, site_pages, django_assert_max_num_queries
):
    _, index = site_pages
    # 21: the figures of 数据概览 come from the shared database cache (one read).
    before = _queries(client, "/", django_assert_max_num_queries, 21)
    add_news(index, 12, start=100)
    assert _queries(client, "/", django_assert_max_num_queries, 21) == before


def test_news_index_query_count_does_not_grow_with_articles(
    client, site_pages, django_assert_max_num_queries
):
    _, index = site_pages
    add_news(index, 3)
    before = _queries(client, index.url, django_assert_max_num_queries, 20)
    add_news(index, 15, start=3)
    assert _queries(client, index.url, django_assert_max_num_queries, 20) == before


def test_policy_page_query_count_does_not_grow_with_measures(
    client, policy, django_assert_max_num_queries
):
    before = _queries(client, policy.url, django_assert_max_num_queries, 20)
    data = policy.structure.raw_data
    extra = [dict(block, id=None) for block in list(data)]
    policy.structure = list(data) + extra
    policy.save_revision().publish()
    policy.refresh_from_db()
    assert policy.measure_count() == 64
    assert _queries(client, policy.url, django_assert_max_num_queries, 20) == before


def test_department_page_query_count_does_not_grow_with_policies(
    client, policy, django_assert_max_num_queries
):
    department = Department.objects.get(name="省质监局")
    url = department.get_absolute_url()
    before = _queries(client, url, django_assert_max_num_queries, 6)
    copy = PolicyPage(title="复制件", slug="copy", structure=policy.structure.raw_data)
    policy.get_parent().add_child(instance=copy)
    copy.save_revision().publish()
    assert _queries(client, url, django_assert_max_num_queries, 6) == before
