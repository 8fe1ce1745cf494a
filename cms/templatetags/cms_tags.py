"""Template tags of the 双创专区: the <head> conventions of a government portal column."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import translation
from wagtail.models import Locale

register = template.Library()


@register.inclusion_tag("cms/includes/head.html", takes_context=True)
def cms_head(context):
    """SiteIDCode, the page's ArticleTitle/PubDate/description, Open Graph and feed links."""
    page = context.get("page")
    request = context.get("request")
    data = {"site_id_code": settings.SITE_ID_CODE, "request": request, "page": None}
    if page is not None and hasattr(page, "get_meta_description"):
        data.update(
            page=page,
            description=page.get_meta_description(),
            pub_date=page.get_pub_date(),
            url=page.get_full_url(request),
            og_locale="en_US" if translation.get_language() == "en" else "zh_CN",
            is_article=page.og_type == "article",
            translations=_alternates(page, request),
        )
    return data


def _alternates(page, request) -> list[dict]:
    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return []
    out = []
    for other in page.get_translations(inclusive=True).live().select_related("locale"):
        out.append({"lang": other.locale.language_code, "url": other.get_full_url(request)})
    return out if len(out) > 1 else []


@register.simple_tag(takes_context=True)
def translation_missing(context) -> bool:
    """True when the active language is not the page's own and no translation is live."""
    page = context.get("page")
    if page is None or not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return False
    active = translation.get_language()
    if page.locale.language_code == active:
        return False
    try:
        locale = Locale.objects.get(language_code=active)
    except Locale.DoesNotExist:
        return True
    return not page.get_translations().live().filter(locale=locale).exists()


@register.filter
def anchor(block_id: str | None) -> str:
    from cms.models.policy import measure_anchor

    return measure_anchor(block_id)
