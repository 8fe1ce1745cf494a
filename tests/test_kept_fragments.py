"""The parts of the base template kept per process (`{% keep %}`: footer, language menu) follow
what they show: the language, the site identity, the script prefix (issue 17)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import set_script_prefix
from django.utils import translation
from wagtail.models import Site

from cms.models import SiteSettings


def _footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">') : html.index("</footer>")]


def test_a_kept_fragment_is_rendered_again_for_other_values_languages_and_prefixes():
    kept = Template(
        '{% load i18n cms_tags %}{% keep "t" value %}{{ value }}{% url "cms:department_list" %}{% translate "网站地图" %}{% endkeep %}'
    )
    assert kept.render(Context({"value": "a"})).startswith("a/departments/")
    assert kept.render(Context({"value": "b"})).startswith("b/departments/")
    with translation.override("en"):
        assert kept.render(Context({"value": "a"})).endswith("Site map")
    with translation.override("zh-hans"):
        assert kept.render(Context({"value": "a"})).endswith("网站地图")
    set_script_prefix("/portal/")
    try:
        with translation.override("zh-hans"):
            assert kept.render(Context({"value": "a"})) == "a/portal/departments/网站地图"
    finally:
        set_script_prefix("/")


def test_the_footer_changes_on_every_page_when_the_admin_edits_the_identity(
    client, site_pages, settings
):
    settings.SITE_CONTACT = ""
    pages = ["/", "/instruments/", "/departments/"]
    for path in pages:
        assert "联系方式" not in _footer(client.get(path).content.decode()), path
    row = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    row.contact = "0871-12345678"
    row.save()
    for path in pages:
        assert "联系方式：0871-12345678" in _footer(client.get(path).content.decode()), path


@pytest.mark.parametrize(
    ("language", "label", "selected"), [("zh-hans", "订阅", "zh-hans"), ("en", "Subscribe", "en")]
)
def test_footer_and_language_menu_are_in_the_readers_language(
    client, site_pages, language, label, selected
):
    client.get("/")  # the other language's copies are kept first
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"{label} RSS" in _footer(html)
    assert f'<option value="{selected}" lang="{selected}" selected>' in html
