"""Demo pages for `make run`: the 双创专区 front page, news, notices and the seed policy."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext

from .importer.service import import_policy, read_policy_file
from .models import (
    HomePage,
    NewsCategory,
    NewsIndexPage,
    NewsPage,
    NoticeIndexPage,
    NoticePage,
    PolicyIndexPage,
    PolicyInterpretationPage,
    PolicyPage,
)

SEED_POLICY = Path(__file__).resolve().parent / "data" / "yunnan-2017-new-drivers-policy.txt"
DEMO_CATEGORIES = [("工作动态", "work"), ("资源共享", "sharing"), ("成果转化", "transfer")]
DEMO_NEWS_CATEGORIES = ["sharing", "work", "transfer"]
DEMO_NEWS_TAGS = [["大型仪器", "开放共享"], ["众创空间", "孵化器"], ["科技成果", "专利"]]
DEMO_NOTICE = {
    "title": "关于组织申报 2027 年度省级众创空间的通知",
    "date": datetime.date(2026, 11, 20),
    "deadline": datetime.date(2026, 12, 31),
    "source": "云南省科学技术厅",
    "summary": "符合条件的运营机构请于 2026 年 12 月 31 日前向所在州、市科技管理部门报送申报材料。",
    "body": "<p>申报单位应在云南省内注册，具有独立法人资格，运营场地面积不少于 500 平方米。"
    "请将申报书和证明材料报送所在州、市科技管理部门，由其审核后统一报送省科学技术厅。</p>"
    "<p>已认定的众创空间可在本平台“孵化载体”栏目公开空余工位和入孵条件，接受创业团队的入孵申请。</p>",
}
DEMO_INTERPRETATION = {
    "title": "一图读懂：云南省培育壮大经济发展新动能实施方案",
    "slug": "interpretation-2017-new-drivers",
    "date": datetime.date(2017, 7, 28),
    "source": "云南省人民政府办公厅",
    "summary": "实施方案从提高政府服务能力、探索审慎监管、激发新生产要素流动活力和强化支撑保障"
    "四个方面部署培育壮大新动能的重点任务，并明确了每项任务的牵头和配合部门。",
    "body": "<p>方案提出，要在政府门户网站开辟双创专区，及时向社会发布双创政策和动态新闻；"
    "充分发挥大型科学仪器协作共用网络服务平台的作用，推动重大科研基础设施、大型科研仪器设备向社会开放；"
    "发展多层次的技术（产权）交易市场，建立网上网下相结合的科技成果交易市场。</p>",
}

DEMO_NEWS = [
    {
        "title": "全省大型科研仪器开放共享平台新增 36 台（套）仪器",
        "date": datetime.date(2026, 11, 18),
        "source": "云南省科学技术厅",
        "summary": "云岭理工大学、春城生物技术研究院等 6 家单位的透射电镜、核磁共振波谱仪、"
        "高分辨质谱仪等大型仪器接入平台，面向企业开放预约机时和送样检测。",
        "body": "<p>为落实“推动重大科研基础设施、大型科研仪器设备向社会开放”的要求，"
        "平台本月新增 36 台（套）原值 50 万元以上的大型科学仪器。企业用户注册后即可在线查看"
        "开放时间、收费标准并预约机时。</p><p>各开放单位将按照共享服务绩效评价办法，"
        "公开服务机时与响应时间。</p>",
    },
    {
        "title": "第三批省级众创空间和科技企业孵化器名单公布",
        "date": datetime.date(2026, 10, 30),
        "source": "云南省科学技术厅",
        "summary": "新认定省级众创空间 12 家、科技企业孵化器 5 家，覆盖昆明、曲靖、红河、大理等 9 个州市。",
        "body": "<p>新认定的载体将纳入双创资源共享平台的孵化载体目录，公开空余工位、"
        "服务内容和入孵条件，创业团队可在线提交入孵申请。</p>",
    },
    {
        "title": "高校院所科技成果网上交易专场活动举行",
        "date": datetime.date(2026, 9, 26),
        "source": "云南省科学技术厅",
        "summary": "30 项专利和技术成果集中发布，涵盖生物医药、新材料、绿色能源和高原特色农业等领域。",
        "body": "<p>专场采取线上线下相结合的方式，企业可通过平台对感兴趣的成果发起意向洽谈，"
        "以转让、许可、作价投资或合作开发等方式推进转化。</p>",
    },
]


class SiteTreeMissing(Exception):
    """The 双创专区 home page is not there: `migrate` creates it."""


def _column(home: HomePage, model, **fields):
    """The live column of `model` under the home page, created if an older tree lacks it."""
    column = model.objects.child_of(home).order_by("path").first()
    if column is None:
        column = model(**fields)
        home.add_child(instance=column)
        column.save_revision().publish()
    return column


@transaction.atomic
def load_demo_pages() -> int:
    """Add the demo articles, notice, seed policy and interpretation to the site tree (once).

    The tree itself (home page and columns) comes from the migration `cms.0007_create_site_tree`;
    databases whose tree an older load_demo built work the same way.
    """
    home = HomePage.objects.order_by("path").first()
    if home is None:
        raise SiteTreeMissing(gettext("站点中没有双创专区首页；请先运行 migrate。"))
    news_index = _column(home, NewsIndexPage, title="双创动态", slug="news")
    categories = {}
    for order, (name, slug) in enumerate(DEMO_CATEGORIES):
        categories[slug], _ = NewsCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "sort_order": order}
        )
    created = 0
    for item, category, tags in zip(DEMO_NEWS, DEMO_NEWS_CATEGORIES, DEMO_NEWS_TAGS, strict=True):
        if NewsPage.objects.child_of(news_index).filter(title=item["title"]).exists():
            continue
        article = NewsPage(
            title=item["title"],
            date=item["date"],
            source=item["source"],
            summary=item["summary"],
            body=[("paragraph", item["body"])],
        )
        article.categories = [categories[category]]
        article.tags.add(*tags)
        news_index.add_child(instance=article)
        article.save_revision().publish()
        created += 1
    created += _load_notices(home)
    created += _load_policies(home)
    return created


def _load_notices(home: HomePage) -> int:
    notices = _column(home, NoticeIndexPage, title="通知公告", slug="notices")
    existing = NoticePage.objects.child_of(notices).filter(title=DEMO_NOTICE["title"]).first()
    body = [("paragraph", DEMO_NOTICE["body"])]
    if existing is not None:
        # An older demo promised online 申报 through the platform, which it does not offer.
        if "在线提交申报" in str(existing.body) or "在平台提交申报" in existing.summary:
            existing.summary = DEMO_NOTICE["summary"]
            existing.body = body
            existing.save_revision().publish()
        return 0
    notice = NoticePage(**{**DEMO_NOTICE, "body": body})
    notices.add_child(instance=notice)
    notice.save_revision().publish()
    return 1


def _load_policies(home: HomePage) -> int:
    """The seed policy, imported as a structured published page, and its interpretation."""
    library = _column(home, PolicyIndexPage, title="政策文件", slug="policies")
    result = import_policy(read_policy_file(SEED_POLICY), publish=True, parent=library)
    policy = PolicyPage.objects.get(pk=result.page.pk)
    if not policy.live:
        policy.save_revision().publish()
    created = int(result.created)
    if not PolicyInterpretationPage.objects.filter(policy=policy).exists():
        interpretation = PolicyInterpretationPage(
            **{**DEMO_INTERPRETATION, "body": [("paragraph", DEMO_INTERPRETATION["body"])]},
            policy=policy,
        )
        library.add_child(instance=interpretation)
        interpretation.save_revision().publish()
        created += 1
    return created
