"""Template tags of the 双创专区: the <head> conventions of a government portal column."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.core.cache import caches
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from cms import locales, page_cache
from cms.models.site_settings import site_identity as _site_identity
from cms.public_urls import absolute, public_root_url

register = template.Library()


FEEDS = (
    ("cms:news_rss", "application/rss+xml", _("双创动态"), "RSS"),
    ("cms:news_atom", "application/atom+xml", _("双创动态"), "Atom"),
    ("cms:policies_rss", "application/rss+xml", _("政策文件"), "RSS"),
    ("cms:policies_atom", "application/atom+xml", _("政策文件"), "Atom"),
)


def _site_root(page, request) -> str | None:
    """The public root URL of the page's site (None outside the page tree: SITE_URL is used)."""
    if page is None or not hasattr(page, "get_url_parts"):
        return None
    parts = page.get_url_parts(request)
    return parts[1] if parts else None


@register.simple_tag
def site_identity():
    """The default site's 主办单位, 网站标识码 and filing numbers (cached; see cms.models)."""
    return _site_identity()


@register.simple_tag(takes_context=True)
def public_url(context, path: str) -> str:
    """An absolute URL on the public host for a site path, e.g. {% public_url '/sitemap.xml' %}."""
    return absolute(path, _site_root(context.get("page"), context.get("request")))


# (language, script prefix, site root) → the feed links of every page's <head>
_FEEDS: dict[tuple, list[dict]] = {}


def _feeds(root: str | None) -> list[dict]:
    key = (translation.get_language(), get_script_prefix(), root)
    feeds = _FEEDS.get(key)
    if feeds is None:
        if len(_FEEDS) > 64:
            _FEEDS.clear()
        feeds = _FEEDS[key] = [
            {"url": absolute(reverse(name), root), "type": kind, "title": f"{title} ({fmt})"}
            for name, kind, title, fmt in FEEDS
        ]
    return feeds


@register.inclusion_tag("cms/includes/head.html", takes_context=True)
def cms_head(context):
    """SiteIDCode, the page's ArticleTitle/PubDate/description, Open Graph and feed links."""
    page = context.get("page")
    request = context.get("request")
    root = _site_root(page, request)
    data = {
        "site_id_code": _site_identity().site_id_code,
        "request": request,
        "page": None,
        "feeds": _feeds(root),
    }
    if page is not None and hasattr(page, "get_meta_description"):
        data.update(
            page=page,
            description=page.get_meta_description(),
            pub_date=page.get_pub_date(),
            url=page.get_full_url(request),
            public_root=public_root_url(root),
            og_locale="en_US" if translation.get_language() == "en" else "zh_CN",
            is_article=page.og_type == "article",
            translations=_alternates(page, request),
        )
    return data


def _alternates(page, request) -> list[dict]:
    """The page's hreflang links: its live translations, when there is more than one."""
    found = _live_translations(page, request)
    return found if len(found) > 1 else []


def _live_translations(page, request) -> list[dict]:
    """Every live page of this page's translation set: its language and its full URL."""
    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return []
    from cms.sites import alternates_key

    # translations change only when one is published, unpublished or moved: kept in the
    # per-process cache a minute, forgotten in this process on any page save (cms/sites.py)
    key = alternates_key(page, request)
    local = caches["local"]
    found = local.get(key)
    if found is not None:
        return found
    found = [
        {"lang": other.locale.language_code, "url": other.get_full_url(request)}
        for other in page.get_translations(inclusive=True).live().select_related("locale")
    ]
    local.set(key, found, 60)
    return found


@register.simple_tag(takes_context=True)
def translation_missing(context) -> bool:
    """True when the active language is not the page's own and no translation is live."""
    page = context.get("page")
    if page is None or not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return False
    active = translation.get_language()
    if locales.language_of(page) == active:
        return False
    try:
        code = locales.locale_for(active).language_code
    except Locale.DoesNotExist:
        return True
    return all(other["lang"] != code for other in _live_translations(page, context.get("request")))


@register.filter
def anchor(block_id: str | None) -> str:
    from cms.models.policy import measure_anchor

    return measure_anchor(block_id)


def _badges(departments, css: str) -> str:
    return "".join(
        f'<a class="{css}" href="{escape(d.get_absolute_url())}">{escape(d.name)}</a>'
        for d in departments
        if d
    )


@register.simple_tag
def policy_measure(child) -> SafeString:
    """One measure of a policy page with its department badges (a ListBlock child).

    A policy page has up to a few hundred measures; this was a template include each, with a
    loop per role, and was most of the page's rendering time (issue 17). Same HTML.
    """
    measure = child.value
    title, text = measure["title"], measure["text"]
    lead, co = measure["lead_departments"], measure["co_departments"]
    parts = [f'<div class="measure" id="{escape(anchor(child.id))}">\n  ']
    if title:
        parts.append(f'<h4 class="measure-title">{escape(title)}</h4>')
    parts.append("\n  ")
    if text:
        parts.append(f"<p>{escape(text)}</p>")
    parts.append("\n  ")
    if lead or co:
        parts.append('\n<p class="departments">\n  ')
        if lead:
            parts.append(f'<span class="role">{escape(gettext("牵头"))}</span>\n  ')
            parts.append(_badges(lead, "dept-badge dept-badge-lead"))
        parts.append("\n  ")
        if co:
            parts.append(f'<span class="role">{escape(gettext("配合"))}</span>\n  ')
            parts.append(_badges(co, "dept-badge"))
        parts.append("\n</p>\n")
    parts.append("\n</div>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


# (fragment name, language, script prefix, *varying values) → its HTML
_KEPT: dict[tuple, SafeString] = {}
_KEPT_LIMIT = 512


class KeepNode(template.Node):
    def __init__(self, nodelist, name: str, vary: list) -> None:
        self.nodelist, self.name, self.vary = nodelist, name, vary

    def render(self, context) -> SafeString:
        key = (
            self.name,
            translation.get_language(),
            get_script_prefix(),
            *(value.resolve(context) for value in self.vary),
        )
        html = _KEPT.get(key)
        if html is None:
            if len(_KEPT) >= _KEPT_LIMIT:
                _KEPT.clear()
            html = _KEPT[key] = mark_safe(self.nodelist.render(context))  # noqa: S308
        return html


@register.tag
def keep(parser, token):
    """`{% keep "name" value… %}…{% endkeep %}`: the enclosed HTML, rendered once per process
    for each language, script prefix and combination of the values named (issue 17).

    For the parts of the base template every page repeats (the footer, the language menu).
    The enclosed part must depend on nothing but those: the values it shows are the key, so
    a change to one (the site identity edited in the admin) renders it afresh, and there is
    nothing to forget.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("keep needs a fragment name")
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    return KeepNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]])


class KeepPublishedNode(template.Node):
    def __init__(self, nodelist, name: str, vary: list) -> None:
        self.nodelist, self.name, self.vary = nodelist, name, vary

    def render(self, context) -> SafeString:
        request = context.get("request")
        if request is None or getattr(request, "is_preview", False):
            return mark_safe(self.nodelist.render(context))  # noqa: S308
        name = repr(
            (
                self.name,
                translation.get_language(),
                get_script_prefix(),
                *(value.resolve(context) for value in self.vary),
            )
        )
        return page_cache.kept(
            page_cache.CMS,
            f"fragment:{name}",
            lambda: mark_safe(self.nodelist.render(context)),  # noqa: S308
            request,
        )


@register.tag
def keep_published(parser, token):
    """`{% keep_published "name" value… %}…{% endkeep_published %}`: the enclosed HTML, kept
    in this process for each language, script prefix and combination of the values named,
    until the CMS's content changes (cms.page_cache.kept under the `cms` tag: a page
    published, unpublished or saved, a department changed) — issue 17.

    For the parts of a page that show its published content and nothing else: a policy's
    text, whose hundreds of measures took most of the page's time. The values name the page
    and its live revision; a preview (an unpublished draft) is always rendered afresh.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("keep_published needs a fragment name")
    nodelist = parser.parse(("endkeep_published",))
    parser.delete_first_token()
    return KeepPublishedNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]])
