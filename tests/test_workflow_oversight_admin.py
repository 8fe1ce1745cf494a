"""业务监管 in the Wagtail admin: moderators read every workflow item; nobody changes one there."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from marketplace.accounts.permissions import MEMBERS_GROUP, MODERATORS_GROUP
from marketplace.sampletesting.models import SampleOrder
from marketplace.sampletesting.services import quote, request_order
from tests.factories import InstitutionFactory, InstrumentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
SECTIONS = ["booking", "sampleorder", "application", "inquiry"]


@pytest.fixture
def order():
    institution = InstitutionFactory(code="YLU")
    manager = UserFactory(username="manager")
    MembershipFactory(user=manager, institution=institution, role="manager")
    founder = UserFactory(username="founder")
    instrument = InstrumentFactory(institution=institution, name="X射线衍射仪")
    order = request_order(
        founder, instrument, sample_count=2, sample_description="粉末", test_items="物相分析"
    )
    return quote(order, manager, Decimal("800.00"), 4)


@pytest.fixture
def moderator():
    user = UserFactory(username="moderator")
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return user


def test_a_moderator_lists_and_inspects_every_workflow(client, order, moderator):
    client.force_login(moderator)
    for section in SECTIONS:
        response = client.get(f"/admin/{section}/")
        assert response.status_code == 200, section
    listing = client.get("/admin/sampleorder/?status=quoted").content.decode()
    assert f"/admin/sampleorder/inspect/{order.pk}/" in listing
    inspect = client.get(f"/admin/sampleorder/inspect/{order.pk}/").content.decode()
    assert "物相分析" in inspect
    assert "800.00" in inspect


def test_nobody_edits_or_deletes_a_workflow_item_in_the_admin(client, order, moderator):
    client.force_login(moderator)
    listing = client.get("/admin/sampleorder/").content.decode()
    assert f"/admin/sampleorder/edit/{order.pk}/" not in listing
    for url in (
        f"/admin/sampleorder/edit/{order.pk}/",
        f"/admin/sampleorder/delete/{order.pk}/",
        "/admin/sampleorder/new/",
    ):
        response = client.post(url, {"status": "completed"})
        # Wagtail answers a missing permission with a redirect to the dashboard.
        assert response.status_code == 302, url
        assert response["Location"] == "/admin/", url
    order.refresh_from_db()
    assert order.status == "quoted"
    assert SampleOrder.objects.count() == 1


def test_institution_members_do_not_get_the_oversight_views(client, order):
    member = UserFactory(username="member")
    member.groups.add(Group.objects.get(name=MEMBERS_GROUP))
    MembershipFactory(user=member, institution=order.instrument.institution, role="staff")
    client.force_login(member)
    assert client.get("/admin/").status_code == 200
    for section in SECTIONS:
        response = client.get(f"/admin/{section}/")
        assert response.status_code in (302, 403), section
    home = client.get("/admin/").content.decode()
    assert "/admin/sampleorder/" not in home
