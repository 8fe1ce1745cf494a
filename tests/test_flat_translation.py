"""gettext from one flat dict (marketplace/translation.py, issue 17) must say exactly what Django's
merged catalogues and their fallback chains say, in both languages — including strings only a
package's fallback `zh` catalogue holds, context-marked (pgettext) strings, and misses."""

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

from marketplace.translation import FlatTranslation, catalogue_messages

LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_translates_as_djangos_own_translation_does(language):
    installed = FlatTranslation(language)
    django_own = trans_real.DjangoTranslation(language)
    messages = set(catalogue_messages(django_own))
    assert len(messages) > 1000
    differing = {
        message: (installed.gettext(message), django_own.gettext(message))
        for message in messages
        if installed.gettext(message) != django_own.gettext(message)
    }
    assert differing == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_flat_translations_are_the_ones_pages_use(language):
    """Installed at start-up (cms.apps); a test that overrode LANGUAGES would empty Django's
    cache and bring Django's own objects back (slower, same strings)."""
    assert isinstance(trans_real.translation(language), FlatTranslation)


def test_a_string_only_a_packages_fallback_catalogue_holds_is_still_translated():
    """wagtail.contrib.search_promotions ships "No results found" in its zh catalogue, not in
    zh_Hans: Django finds it down the fallback chain, and so must the flat dict."""
    installed = trans_real.translation("zh-hans")
    assert "No results found" not in installed._catalog
    assert installed._fallback is not None
    with translation.override("zh-hans"):
        assert translation.gettext("No results found") == "没有找到任何结果"
    with translation.override("en"):
        assert translation.gettext("No results found") == "No results found"


def test_our_chinese_msgids_context_strings_and_misses():
    with translation.override("en"):
        assert translation.gettext("预约审核") == "Booking requests"
        assert translation.pgettext("abbrev. month", "Aug.") == "Aug."
        assert translation.gettext("没有这条消息") == "没有这条消息"
    with translation.override("zh-hans"):
        assert translation.gettext("预约审核") == "预约审核"
        assert translation.pgettext("abbrev. month", "Aug.") == "八月"
        missing = "not in any catalogue"
        assert translation.gettext(missing) is missing


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"), [("zh-hans", "预约审核"), ("en", "Booking requests")]
)
def test_a_page_is_in_the_language_asked_for(client, booking_world, language, heading):
    _instrument, _startup, manager, _day = booking_world
    client.force_login(manager)
    html = client.get("/bookings/queue/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<h1>{heading}</h1>" in html
