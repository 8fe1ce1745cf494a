"""Values are shown as words in the reader's language: money with separators, country codes
as names, refund tiers as sentences, the admin's live flag as a word, the language menu in each
language's own name."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from marketplace.catalogue.models import Instrument, RefundTier
from marketplace.countries import country_name
from marketplace.money import display
from tests.factories import InstitutionFactory, InstrumentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_money_has_thousands_separators_and_two_places_through_one_filter():
    assert display(Decimal("3280000")) == "¥3,280,000.00"
    assert display(Decimal("450.5")) == "¥450.50"
    assert display(None) == ""
    rendered = Template("{{ amount|yuan }}").render(Context({"amount": Decimal("1125")}))
    assert rendered == "¥1,125.00"


def test_country_codes_are_names_in_the_reader_s_language():
    assert country_name("JP", "zh-hans") == "日本"
    assert country_name("JP", "en") == "Japan"
    assert country_name("KR", "zh-hans") == "韩国"
    assert country_name("DE", "en") == "Germany"
    with translation.override("zh-hans"):
        assert country_name("US") == "美国"
    assert country_name("ZZ") == "ZZ"  # an unknown code stays as stored


def test_refund_tiers_read_as_sentences_in_both_languages():
    instrument = InstrumentFactory()
    tiers = [
        RefundTier(instrument=instrument, hours_before=1, refund_percent=50),
        RefundTier(instrument=instrument, hours_before=48, refund_percent=100),
        RefundTier(instrument=instrument, hours_before=0, refund_percent=0),
        RefundTier(instrument=instrument, hours_before=0, refund_percent=20),
    ]
    with translation.override("en"):
        english = [tier.sentence for tier in tiers]
    assert english == [
        "Cancel at least 1 hour before the start: 50% refund",
        "Cancel at least 48 hours before the start: 100% refund",
        "No refund for later cancellations",
        "Cancel any time before the start: 20% refund",
    ]
    with translation.override("zh-hans"):
        chinese = [tier.sentence for tier in tiers]
    assert chinese[1] == "开始前 48 小时以上取消，退款 100%"
    assert chinese[2] == "此后取消不退款"


def test_the_instrument_page_shows_tiers_country_and_value_in_english(client):
    instrument = InstrumentFactory(
        code="SEM-9", origin_country="JP", original_value=Decimal("3280000.00")
    )
    RefundTier.objects.create(instrument=instrument, hours_before=24, refund_percent=50)
    RefundTier.objects.create(instrument=instrument, hours_before=0, refund_percent=0)
    html = client.get("/instruments/SEM-9/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<dd>Japan</dd>" in html
    assert "¥3,280,000.00" in html
    assert "Cancel at least 24 hours before the start: 50% refund; " in html
    assert "No refund for later cancellations" in html
    assert "0 or more hours" not in html and "；" not in html


def test_the_admin_listing_shows_the_live_flag_as_a_word(client):
    InstrumentFactory(institution=InstitutionFactory(), name="场发射扫描电镜")
    moderator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(moderator)
    url = reverse(Instrument.snippet_viewset.get_url_name("list"))
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "场发射扫描电镜" in html
    assert "已发布" in html
    assert ">True<" not in html and "True</" not in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_language_menu_names_each_language_in_itself(client, site_pages, language):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert '<option value="en" lang="en"' in html and ">English</option>" in html
    assert ">简体中文</option>" in html
    assert "英语" not in html
