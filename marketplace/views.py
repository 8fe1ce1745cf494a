"""Public catalogue pages available so far: institutions, and the section landing pages."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.models import Institution, InstitutionType
from marketplace.regions import Region

SECTIONS = {
    "instruments": {
        "title": _("仪器共享"),
        "lead": _(
            "高校、科研院所的大型科学仪器向社会开放共享：查看仪器参数与收费标准，"
            "在线预约机时或委托送样检测。"
        ),
        "types": [InstitutionType.UNIVERSITY, InstitutionType.RESEARCH_INSTITUTE],
    },
    "incubators": {
        "title": _("孵化载体"),
        "lead": _(
            "众创空间、科技企业孵化器、加速器、科技园和双创示范基地：查看空余工位与服务，"
            "在线提交入孵申请。"
        ),
        "types": [InstitutionType.INCUBATOR_OPERATOR, InstitutionType.ENTERPRISE],
    },
    "technologies": {
        "title": _("成果转化"),
        "lead": _(
            "高校院所的专利与技术成果：了解知识产权状态与技术成熟度，"
            "以转让、许可、作价投资或合作开发方式洽谈。"
        ),
        "types": [InstitutionType.UNIVERSITY, InstitutionType.RESEARCH_INSTITUTE],
    },
}


def section(request: HttpRequest, kind: str) -> HttpResponse:
    info = SECTIONS[kind]
    institutions = Institution.objects.filter(type__in=info["types"]).order_by("region", "code")
    return render(
        request,
        "marketplace/section.html",
        {"section": info, "kind": kind, "institutions": institutions},
    )


def institution_list(request: HttpRequest) -> HttpResponse:
    institutions = Institution.objects.order_by("region", "code")
    region = request.GET.get("region", "")
    if region in Region.values:
        institutions = institutions.filter(region=region)
    page = Paginator(institutions, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "marketplace/institution_list.html",
        {"page": page, "regions": Region.choices, "region": region},
    )


def institution_detail(request: HttpRequest, code: str) -> HttpResponse:
    institution = get_object_or_404(Institution, code=code)
    return render(request, "marketplace/institution_detail.html", {"institution": institution})


def site_search(request: HttpRequest) -> HttpResponse:
    """Title and description search over what is published so far; search/ replaces it."""
    from cms.models import NewsPage

    query = request.GET.get("q", "").strip()[:100]
    institutions = news = []
    if query:
        institutions = list(
            Institution.objects.filter(
                Q(name__icontains=query) | Q(description__icontains=query)
            ).order_by("code")[:50]
        )
        news = list(
            NewsPage.objects.live()
            .public()
            .filter(Q(title__icontains=query) | Q(summary__icontains=query))
            .order_by("-date")[:50]
        )
    return render(
        request,
        "search/results.html",
        {"query": query, "institutions": institutions, "news": news},
    )
