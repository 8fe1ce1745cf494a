"""A listing's `url` in the catalogue API is its page, exactly as `get_absolute_url()` spells
it, whatever characters its code holds (the API reverses the URL once, not per listing)."""

import pytest

from marketplace.catalogue.api import ListingUrlField
from tests.factories import IncubatorFactory, InstrumentFactory, TechnologyFactory

pytestmark = pytest.mark.django_db

CODES = ["YLU-SEM-01", "A B", "测试-1", "a%b", "x:y@z~!$&'()*+,;=", "q?x#y", "..", "-"]


@pytest.mark.parametrize("factory", [InstrumentFactory, IncubatorFactory, TechnologyFactory])
def test_the_url_is_the_listings_page_for_any_code(factory, api_client):
    field = ListingUrlField()
    for code in CODES:
        listing = factory(code=code)
        assert field.get_attribute(listing) == listing.get_absolute_url(), code
    kind = {InstrumentFactory: "instruments", IncubatorFactory: "incubators"}.get(
        factory, "technologies"
    )
    body = api_client.get(f"/api/v1/{kind}/", {"page_size": 100}).json()
    pages = {item["code"]: item["url"] for item in body["results"]}
    assert pages == {
        code: factory._meta.model.objects.get(code=code).get_absolute_url() for code in CODES
    }
    for code in CODES:
        assert api_client.get(pages[code]).status_code == 200, code
