"""What the CMS pages list, kept per process under the `cms` tag's version
(cms.page_cache.kept): the home page's latest items, the news and policy libraries' first pages
and filter menus, which page a path routes to. With the page cache off, as a page is rendered
after a purge: each change below is made and committed (the purge runs on commit), and the page
read again shows it at once."""

import datetime as dt

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cms.models import Department, NewsIndexPage, NewsPage, PolicyIndexPage, PolicyPage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _kept_lists_on(settings):
    settings.CMS_KEPT_LISTS = True
    settings.PAGE_CACHE_ENABLED = False


def read(client, url, **extra) -> str:
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_published_article_is_on_the_home_page_and_the_news_index_at_once(
    client, site_pages, commit
):
    index = NewsIndexPage.objects.get()
    for url in ("/", index.url, f"{index.url}?page=1"):
        read(client, url)
    article = NewsPage(title="省科技厅发布新一批开放仪器", slug="fresh", date=timezone.localdate())

    def publish():
        index.add_child(instance=article)
        article.save_revision().publish()

    commit(publish)
    for url in ("/", index.url, f"{index.url}?page=1"):
        assert "省科技厅发布新一批开放仪器" in read(client, url), url
    commit(article.unpublish)
    for url in ("/", index.url, f"{index.url}?page=1"):
        assert "省科技厅发布新一批开放仪器" not in read(client, url), url


def test_an_unpublished_policy_leaves_the_library_and_its_year_leaves_the_menu(
    client, site_pages, commit
):
    index = PolicyIndexPage.objects.get()
    policy = PolicyPage(
        title="关于支持科技型中小企业的若干措施",
        slug="old-measures",
        date_published=dt.date(2003, 5, 1),
    )

    def publish():
        index.add_child(instance=policy)
        policy.save_revision().publish()

    commit(publish)
    html = read(client, index.url)
    assert "关于支持科技型中小企业的若干措施" in html and '<option value="2003"' in html
    assert "关于支持科技型中小企业的若干措施" in read(client, "/")
    commit(policy.unpublish)
    html = read(client, index.url)
    assert "关于支持科技型中小企业的若干措施" not in html and '<option value="2003"' not in html
    assert "关于支持科技型中小企业的若干措施" not in read(client, "/")


def test_a_department_renamed_shows_in_the_policy_librarys_menus(client, site_pages, commit):
    index = PolicyIndexPage.objects.get()
    department = Department.objects.get(name="省质监局")
    html = read(client, index.url)
    assert "省质监局" in html and "省市场监管局" not in html

    def rename():
        department.name = "省市场监管局"
        department.save()

    commit(rename)
    assert '">省市场监管局</option>' in read(client, index.url)


def test_a_section_made_private_leaves_the_home_page_at_once(client, site_pages, commit):
    """A view restriction hides the pages below it from every list (cms.models.base.public):
    adding one purges what was kept."""
    index = NewsIndexPage.objects.get()
    article = NewsPage.objects.live().child_of(index).order_by("-date", "-pk").first()
    assert article.title in read(client, "/")
    commit(
        lambda: PageViewRestriction.objects.create(
            page=index, restriction_type=PageViewRestriction.LOGIN
        )
    )
    assert article.title not in read(client, "/")


def test_a_renamed_page_answers_at_its_new_path_and_not_at_the_old_one(client, site_pages, commit):
    article = NewsPage.objects.live().first()
    old_url = article.url
    read(client, old_url)

    def rename():
        article.slug = "renamed-article"
        article.save_revision().publish()

    commit(rename)
    article.refresh_from_db()
    assert article.url != old_url
    moved = client.get(old_url)  # Wagtail's redirect from the old path, not the kept route
    assert moved.status_code == 301 and moved["Location"].endswith(article.url)
    assert article.title in read(client, article.url)


def test_a_route_kept_for_a_path_is_checked_against_the_row_read(client, site_pages):
    """Without a purge (a change the signals do not see), a kept route is only a hint: the
    page read for it must still be at that path."""
    article = NewsPage.objects.live().first()
    old_url = article.url
    read(client, old_url)
    # a raw update: no signal, no purge
    NewsPage.objects.filter(pk=article.pk).update(
        url_path=article.url_path.replace(article.slug, "moved-elsewhere"),
        slug="moved-elsewhere",
    )
    assert client.get(old_url).status_code == 404


def test_kept_lists_lower_the_queries_of_the_home_page_and_the_libraries(
    client, site_pages, django_assert_max_num_queries
):
    """Pinned in tests/test_public_page_queries.py without them: home 6, news index 9,
    policy library 9."""
    for url, queries in (
        ("/", 3),
        (NewsIndexPage.objects.get().url, 3),
        (PolicyIndexPage.objects.get().url, 3),
    ):
        read(client, url)
        with django_assert_max_num_queries(queries):
            read(client, url)


def test_kept_pages_render_the_same_html_as_pages_read_afresh(client, site_pages, settings):
    index = NewsIndexPage.objects.get()
    urls = ["/", index.url, f"{index.url}?page=2", PolicyIndexPage.objects.get().url]
    for language in ("zh-hans", "en"):
        settings.CMS_KEPT_LISTS = False
        fresh = [read(client, url, HTTP_ACCEPT_LANGUAGE=language) for url in urls]
        settings.CMS_KEPT_LISTS = True
        read(client, urls[0], HTTP_ACCEPT_LANGUAGE=language)
        for url, html in zip(urls, fresh, strict=True):
            read(client, url, HTTP_ACCEPT_LANGUAGE=language)  # fills
            assert read(client, url, HTTP_ACCEPT_LANGUAGE=language) == html, (language, url)


def test_a_policys_kept_text_shows_a_renamed_department_at_once(client, site_pages, commit):
    """The policy's text (its measures with their department badges) is kept as HTML
    ({% keep_published %}); a department renamed is on it at the next request."""
    policy = PolicyPage.objects.live().get()
    department = Department.objects.get(name="省质监局")
    assert f'">{department.name}</a>' in read(client, policy.url)

    def rename():
        department.name = "省市场监管局"
        department.save()

    commit(rename)
    html = read(client, policy.url)
    assert '">省市场监管局</a>' in html and '">省质监局</a>' not in html


def test_a_preview_shows_the_draft_text_not_the_kept_one(client, site_pages):
    policy = PolicyPage.objects.live().get()
    assert "征求意见稿的正文标题" not in read(client, policy.url)  # the live text, kept
    policy.plan_title = "征求意见稿的正文标题"
    response = policy.make_preview_request()
    if hasattr(response, "render"):
        response.render()
    assert "征求意见稿的正文标题" in response.content.decode()


def test_a_published_notice_is_on_the_notices_index_at_once_and_gone_when_unpublished(
    client, site_pages, commit
):
    from cms.models import NoticeIndexPage, NoticePage

    index = NoticeIndexPage.objects.get()
    for url in (index.url, f"{index.url}?page=1"):
        read(client, url)
    notice = NoticePage(title="关于申报大型仪器开放共享补助的通知", slug="fresh-notice")
    notice.date = timezone.localdate()

    def publish():
        index.add_child(instance=notice)
        notice.save_revision().publish()

    commit(publish)
    for url in (index.url, f"{index.url}?page=1"):
        assert "关于申报大型仪器开放共享补助的通知" in read(client, url), url
    commit(notice.unpublish)
    for url in (index.url, f"{index.url}?page=1"):
        assert "关于申报大型仪器开放共享补助的通知" not in read(client, url), url
