"""Models of the 双创专区: pages, policy documents, departments."""

from .base import localized_list
from .departments import Department, DepartmentAlias, NewsCategory
from .pages import (
    HomePage,
    LegalPage,
    NewsIndexPage,
    NewsPage,
    NewsPageTag,
    NoticeIndexPage,
    NoticePage,
)
from .policy import (
    MeasureResponsibility,
    PolicyAttachment,
    PolicyIndexPage,
    PolicyInterpretationPage,
    PolicyPage,
)
from .site_settings import SiteSettings, site_identity

__all__ = [
    "Department",
    "DepartmentAlias",
    "HomePage",
    "MeasureResponsibility",
    "NewsCategory",
    "NewsIndexPage",
    "NewsPage",
    "NewsPageTag",
    "NoticeIndexPage",
    "LegalPage",
    "NoticePage",
    "PolicyAttachment",
    "PolicyIndexPage",
    "PolicyInterpretationPage",
    "PolicyPage",
    "SiteSettings",
    "localized_list",
    "site_identity",
]
