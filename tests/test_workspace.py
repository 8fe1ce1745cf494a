"""工作台: what a person started and what waits for their institution, across all workflows."""

import re
from decimal import Decimal

import pytest

from marketplace.inquiries.services import open_inquiry
from marketplace.residency.services import submit_application
from marketplace.sampletesting.services import quote, request_order
from tests.factories import (
    IncubatorFactory,
    InstitutionFactory,
    InstrumentFactory,
    MembershipFactory,
    TechnologyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_institution():
    institution = InstitutionFactory(code="YLU")
    manager = UserFactory(username="manager")
    MembershipFactory(user=manager, institution=institution, role="manager")
    founder = UserFactory(username="founder")
    instrument = InstrumentFactory(institution=institution)
    first = request_order(
        founder, instrument, sample_count=1, sample_description="粉末", test_items="XRD"
    )
    request_order(founder, instrument, sample_count=2, sample_description="薄膜", test_items="SEM")
    quote(first, manager, Decimal("300.00"), 3)
    submit_application(
        founder,
        IncubatorFactory(institution=institution),
        {
            "company_name": "昆明星火科技有限公司",
            "contact_name": "李明",
            "contact_phone": "13800000000",
            "team_size": 4,
            "business_summary": "智能灌溉设备",
        },
    )
    open_inquiry(founder, TechnologyFactory(institution=institution), "想了解许可条件", "license")
    return founder, manager


def test_the_founder_sees_what_they_started(client, busy_institution):
    founder, _ = busy_institution
    client.force_login(founder)
    html = client.get("/workspace/").content.decode()
    assert '<a href="/sample-orders/">2 / 2</a>' in html
    assert '<a href="/residency/applications/">1 / 1</a>' in html
    assert '<a href="/inquiries/">1 / 1</a>' in html
    assert "/sample-orders/queue/" not in html
    assert "/statistics/institution/" not in html  # no dashboard for a non-member


def test_the_manager_sees_what_waits_for_the_institution_in_a_fixed_number_of_queries(
    client, busy_institution, django_assert_num_queries
):
    _, manager = busy_institution
    client.force_login(manager)
    # session, user, memberships, one aggregate per workflow (4), the waiting items of the
    # three workflows that have some (3), the institutions whose ledgers are linked (1,
    # issue 13), the header's unread-notices badge with the Wagtail user bar's permissions
    # (one query: marketplace.signed_in, issue 17)
    # + one look for run-out payment holds per workflow with holds (bookings, sample orders)
    with django_assert_num_queries(14):
        html = client.get("/workspace/").content.decode()
    assert 'href="/institutions/YLU/ledger/"' in html
    # issue 19: the institution's sharing dashboard, one link per institution, no extra query
    institution_pk = manager.memberships.get().institution_id
    assert f'href="/statistics/institution/?institution={institution_pk}"' in html
    assert '<a href="/sample-orders/queue/"><span class="badge badge-warn">2</span></a>' in html
    assert '<a href="/residency/queue/"><span class="badge badge-warn">1</span></a>' in html
    assert '<a href="/inquiries/queue/"><span class="badge badge-warn">1</span></a>' in html
    assert '<a href="/bookings/queue/">0</a>' in html


def test_the_workspace_asks_anonymous_visitors_to_log_in(client):
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_manager_sees_the_waiting_items_oldest_first_with_their_age(client, busy_institution):
    from django.utils import timezone

    from marketplace.inquiries.models import Inquiry
    from marketplace.sampletesting.models import SampleOrder

    _, manager = busy_institution
    # The inquiry has waited longest, then the first order.
    now = timezone.now()
    Inquiry.objects.update(created_at=now - timezone.timedelta(days=3))
    first, second = SampleOrder.objects.order_by("pk")
    SampleOrder.objects.filter(pk=first.pk).update(created_at=now - timezone.timedelta(days=2))
    client.force_login(manager)
    html = client.get("/workspace/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    waiting = html[html.index('id="waiting"') :]
    inquiry = Inquiry.objects.get()
    order = [
        waiting.index(f'href="/inquiries/{inquiry.pk}/"'),
        waiting.index(f'href="/sample-orders/{first.pk}/"'),
        waiting.index(f'href="/sample-orders/{second.pk}/"'),
    ]
    assert order == sorted(order)
    assert re.search(r"<time [^>]*>3\W*日</time>", waiting)  # its age (Django timesince)
    assert "/residency/applications/" in waiting


def test_the_founder_has_no_waiting_list(client, busy_institution):
    founder, _ = busy_institution
    client.force_login(founder)
    assert 'id="waiting"' not in client.get("/workspace/").content.decode()


def test_the_dashboard_link_from_the_workspace_opens_the_members_dashboard(
    client, busy_institution
):
    _, manager = busy_institution
    client.force_login(manager)
    html = client.get("/workspace/").content.decode()
    link = re.search(
        r'href="(/statistics/institution/\?institution=\d+)" class="dashboard-link"', html
    )
    assert link
    response = client.get(link.group(1))
    assert response.status_code == 200
    assert manager.memberships.get().institution.name in response.content.decode()


def test_a_payment_hold_that_ran_out_is_not_counted_as_waiting(client, busy_institution):
    """The founder accepted a quote and never paid: once the hold runs out the order is
    expired, and neither side's workspace counts it as open any more."""
    import datetime as dt

    from django.utils import timezone

    from marketplace.sampletesting.models import SampleOrder, Status
    from marketplace.sampletesting.services import accept_quote

    founder, manager = busy_institution
    quoted = SampleOrder.objects.get(status=Status.QUOTED)
    accept_quote(quoted, founder, version=quoted.quote_version)
    SampleOrder.objects.filter(pk=quoted.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    client.force_login(manager)
    html = client.get("/workspace/").content.decode()
    assert '<a href="/sample-orders/queue/"><span class="badge badge-warn">1</span></a>' in html
    assert SampleOrder.objects.get(pk=quoted.pk).status == Status.EXPIRED
    client.force_login(founder)
    assert '<a href="/sample-orders/">1 / 2</a>' in client.get("/workspace/").content.decode()
