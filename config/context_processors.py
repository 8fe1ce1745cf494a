"""Template context every page needs: site name and navigation."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

# (url, label): the six entries of the site navigation. Sections that are still being built
# point at the search page so no link is dead.
NAVIGATION = [
    ("/", _("双创专区")),
    ("/instruments/", _("仪器共享")),
    ("/incubators/", _("孵化载体")),
    ("/technologies/", _("成果转化")),
    ("/statistics/", _("共享统计")),
    ("/search/", _("搜索")),
]


# The brand in the reader's language (WAGTAIL_SITE_NAME stays the Chinese name for the admin).
SITE_NAME = _("双创资源共享平台")


def site(request: HttpRequest) -> dict:
    path = request.path
    nav = []
    for url, label in NAVIGATION:
        current = path == url if url == "/" else path.startswith(url)
        nav.append({"url": url, "label": label, "current": current})
    return {
        "SITE_NAME": SITE_NAME,
        "site_navigation": nav,
        "payment_methods": settings.PAYMENT_METHODS,
    }
