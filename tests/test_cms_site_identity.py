"""网站标识 in every footer and head, the favicon, the 数据概览 figures, the stale-column panel."""

import datetime
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page, Site

from cms.models import NewsIndexPage, NewsPage, PolicyIndexPage, PolicyPage, SiteSettings
from cms.overview import site_overview
from tests.factories import (
    IncubatorFactory,
    InstitutionFactory,
    InstrumentFactory,
    TechnologyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


# --- Footer and head ------------------------------------------------------------------------


def test_identity_from_the_environment_is_in_every_footer_and_head(cli_env):
    env = {
        **cli_env,
        "SITE_OWNER": "云南省科学技术厅",
        "SITE_ORGANISER": "云南省科技信息中心",
        "SITE_ID_CODE": "5300000042",
        "ICP_RECORD": "滇ICP备12345678号-2",
        "PSB_RECORD": "滇公网安备53010202000123号",
        "SITE_CONTACT": "0871-12345678",
    }
    probe = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "print(json.dumps({p: Client().get(p).content.decode() for p in ('/', '/instruments/')}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    pages = json.loads(result.stdout.strip().splitlines()[-1])
    for path, html in pages.items():
        footer = html[html.index("<footer") :]
        assert "主办单位：云南省科学技术厅" in footer, path
        assert "承办单位：云南省科技信息中心" in footer, path
        assert "联系方式：0871-12345678" in footer, path
        assert "网站标识码：5300000042" in footer, path
        assert '<a class="icp-record" href="https://beian.miit.gov.cn/"' in footer, path
        assert ">滇ICP备12345678号-2</a>" in footer, path
        assert "webSearch?code=53010202000123" in footer, path
        assert ">滇公网安备53010202000123号</a>" in footer, path
        assert '<meta name="SiteIDCode" content="5300000042">' in html, path


def test_the_admins_values_override_the_environment_and_show_at_once(client, site_tree, settings):
    settings.SITE_OWNER = "环境中的主办单位"
    settings.ICP_RECORD = "滇ICP备00000001号"
    assert "主办单位：环境中的主办单位" in client.get("/").content.decode()
    row = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    row.owner = "后台填写的主办单位"
    row.save()
    html = client.get("/").content.decode()
    assert "主办单位：后台填写的主办单位" in html
    assert "环境中的主办单位" not in html
    assert "滇ICP备00000001号" in html  # left blank in the admin: the environment's


def test_nothing_configured_shows_no_empty_filing_lines(client, site_tree, settings):
    for name in ("SITE_OWNER", "SITE_ORGANISER", "SITE_ID_CODE", "ICP_RECORD", "PSB_RECORD"):
        setattr(settings, name, "")
    settings.SITE_CONTACT = ""
    html = client.get("/").content.decode()
    assert "主办单位" not in html and "网站标识码" not in html and "SiteIDCode" not in html


def test_the_site_id_code_must_be_ten_digits(site_tree):
    from django.core.exceptions import ValidationError

    row = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    row.site_id_code = "53000"
    with pytest.raises(ValidationError, match="10 位数字"):
        row.full_clean()


def test_every_page_has_a_favicon_and_favicon_ico_answers(client, site_tree):
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.ico"' in html
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.ico"
    for name in ("favicon.ico", "favicon.svg", "apple-touch-icon.png"):
        assert finders.find(name), name


# --- 数据概览 -------------------------------------------------------------------------------


def _complete(instrument, user, minutes, status="completed"):
    from marketplace.bookings.models import Booking

    start = timezone.now() - datetime.timedelta(days=3)
    return Booking.objects.create(
        instrument=instrument,
        user=user,
        start=start,
        end=start + datetime.timedelta(hours=2),
        status=status,
        price=Decimal("100.00"),
        actual_minutes=minutes if status == "completed" else None,
    )


def test_the_home_page_shows_real_figures(client, site_tree):
    institution = InstitutionFactory()
    InstitutionFactory()
    lab = InstrumentFactory(institution=institution)
    InstrumentFactory(institution=institution)
    InstrumentFactory(institution=institution, live=False)  # a draft is not counted
    IncubatorFactory(institution=institution, workstations_total=40, workstations_vacant=7)
    IncubatorFactory(institution=institution, workstations_total=10, workstations_vacant=3)
    TechnologyFactory(institution=institution)
    user = UserFactory()
    _complete(lab, user, 90)
    _complete(lab, user, 45)
    _complete(lab, user, 0, status="confirmed")  # not served yet
    # Made without the booking services: the open-sharing ledger records them on a rebuild.
    call_command("rebuild_sharing_stats", verbosity=0)
    html = client.get("/").content.decode()
    figures = html[
        html.index('class="figures"') : html.index("</ul>", html.index('class="figures"'))
    ]
    assert "<strong>2</strong>台（套）大型仪器开放共享" in figures
    assert "<strong>2</strong>家机构参与开放共享" in figures
    assert "<strong>2</strong>家孵化载体<small>空余工位 10 个</small>" in figures
    assert "<strong>1</strong>项科技成果待转化" in figures
    assert "<strong>2</strong>次共享服务已完成" in figures
    assert "<strong>2.3</strong>小时仪器服务机时" in figures  # 135 minutes = 2.25 h, half up


def test_the_figures_are_cached_and_refreshed_when_a_listing_changes(
    site_tree, django_assert_num_queries
):
    institution = InstitutionFactory()
    InstrumentFactory(institution=institution)
    assert site_overview().instruments == 1
    # One read of the shared (database) cache, no counting of listings.
    with django_assert_num_queries(1):
        assert site_overview().instruments == 1
    second = InstrumentFactory(institution=institution)
    assert site_overview().instruments == 2
    second.live = False
    second.save()
    assert site_overview().instruments == 1
    second.delete()
    assert site_overview().instruments == 1
    InstitutionFactory()
    assert site_overview().institutions == 2


# --- Stale-column guard ---------------------------------------------------------------------


def _publish_news(index, title, days_ago):
    article = NewsPage(title=title, slug=f"n-{days_ago}", date=datetime.date(2026, 1, 1))
    index.add_child(instance=article)
    article.save_revision().publish()
    when = timezone.now() - datetime.timedelta(days=days_ago, hours=1)
    Page.objects.filter(pk=article.pk).update(first_published_at=when)


def _panel(client):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    html = client.get("/admin/").content.decode()
    start = html.index('id="column-freshness-content"')
    return html[start : html.index("</table>", start)]


def _row(panel, title):
    start = panel.index(f">{title}</a>")
    return panel[panel.rindex("<tr", 0, start) : panel.index("</tr>", start)]


def test_the_dashboard_warns_in_red_about_columns_without_recent_publications(client, site_tree):
    news = NewsIndexPage.objects.get()
    _publish_news(news, "二十天前的动态", 20)
    policy = PolicyPage(title="一项新政策", slug="new-policy")
    PolicyIndexPage.objects.get().add_child(instance=policy)
    policy.save_revision().publish()
    panel = _panel(client)
    news_row = _row(panel, "双创动态")
    assert 'class="column-stale"' in news_row and "已 20 天未更新" in news_row
    assert "critical" in news_row  # shown in red
    notices_row = _row(panel, "通知公告")
    assert 'class="column-stale"' in notices_row and "没有内容" in notices_row
    policies_row = _row(panel, "政策文件")
    assert 'class="column-fresh"' in policies_row and "0 天前更新" in policies_row
    assert 'class="column-fresh"' in _row(panel, "双创专区")  # the site as a whole is fresh


def test_the_stale_limit_is_a_site_setting(client, site_tree):
    _publish_news(NewsIndexPage.objects.get(), "二十天前的动态", 20)
    row = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    row.stale_after_days = 30
    row.save()
    panel = _panel(client)
    assert "超过 30 天没有发布新内容" in panel
    assert 'class="column-fresh"' in _row(panel, "双创动态")
