"""Who may do what, for every action of every workflow, read from the action tables.

For each action with an API endpoint and each kind of person — the owner, a member of the
providing institution, a member of another institution, a platform moderator (资源审核员) and
a stranger — an item is built in a status where the action is offered and the endpoint is
called: those the table offers it to succeed; a reader who may not act gets 403; whoever may
not read the item gets 404; a refusal never changes the item's status. A new action in a table
is covered without touching this module (give it a payload below if it takes input).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from marketplace.accounts.permissions import MODERATORS_GROUP, Role
from marketplace.bookings.actions import BOOKING_ACTIONS
from marketplace.bookings.models import Booking
from marketplace.inquiries.actions import INQUIRY_ACTIONS
from marketplace.inquiries.models import Inquiry
from marketplace.residency.actions import RESIDENCY_ACTIONS
from marketplace.residency.models import Application
from marketplace.sampletesting.actions import SAMPLE_ORDER_ACTIONS
from marketplace.sampletesting.models import SampleOrder
from tests.factories import (
    IncubatorFactory,
    InstitutionFactory,
    InstrumentFactory,
    MembershipFactory,
    TechnologyFactory,
    UserFactory,
)
from tests.residency_fixtures import pdf_upload

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
PEOPLE = ["owner", "member", "other_member", "moderator", "stranger"]
# The role each person holds on the item; people without one may not even read it.
ROLE_OF = {"owner": Role.OWNER, "member": Role.MEMBER, "moderator": Role.MODERATOR}


@dataclass
class Cast:
    owner: object
    member: object
    other_member: object
    moderator: object
    stranger: object
    institution: object


def _cast() -> Cast:
    institution = InstitutionFactory(code="YLU")
    member = UserFactory(username="member")
    MembershipFactory(user=member, institution=institution, role="manager")
    other_member = UserFactory(username="other-member")
    MembershipFactory(user=other_member, institution=InstitutionFactory(code="QJLAB"))
    moderator = UserFactory(username="moderator")
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return Cast(
        owner=UserFactory(username="owner"),
        member=member,
        other_member=other_member,
        moderator=moderator,
        stranger=UserFactory(username="stranger"),
        institution=institution,
    )


# --- One item of each workflow in a given status ------------------------------------------


def _booking(cast: Cast, status: str, action) -> Booking:
    instrument = InstrumentFactory(institution=cast.institution, price_hourly=Decimal("450.00"))
    now = timezone.now()
    # A no-show is offered only once the slot has started.
    start = now - dt.timedelta(hours=1) if action.name == "no_show" else now + dt.timedelta(days=5)
    return Booking.objects.create(
        instrument=instrument,
        user=cast.owner,
        start=start,
        end=start + dt.timedelta(hours=2),
        status=status,
        price=Decimal("900.00"),
        hold_expires_at=now + dt.timedelta(days=1),
    )


def _sample_order(cast: Cast, status: str, action) -> SampleOrder:
    instrument = InstrumentFactory(institution=cast.institution, offers_sample_testing=True)
    return SampleOrder.objects.create(
        instrument=instrument,
        user=cast.owner,
        sample_count=2,
        sample_description="粉末",
        test_items="物相分析",
        status=status,
        price=Decimal("800.00"),
        quote_version=1 if status != "requested" else 0,
        turnaround_days=4,
    )


def _application(cast: Cast, status: str, action) -> Application:
    incubator = IncubatorFactory(institution=cast.institution, workstations_vacant=12)
    return Application.objects.create(
        incubator=incubator,
        applicant=cast.owner,
        company_name="昆明星火科技有限公司",
        contact_name="李明",
        contact_phone="0871-65000000",
        team_size=6,
        stage="prototype",
        business_summary="面向高原特色农业的智能灌溉设备。",
        status=status,
    )


def _inquiry(cast: Cast, status: str, action) -> Inquiry:
    technology = TechnologyFactory(
        institution=cast.institution, details_under_nda=True, mode_license=True
    )
    deal = {}
    if status == "agreed":  # an agreed inquiry carries its deal
        deal = {
            "deal_mode": "license",
            "deal_amount": Decimal("150000.00"),
            "contract_date": timezone.now().astimezone(SHANGHAI).date(),
        }
    return Inquiry.objects.create(
        technology=technology,
        inquirer=cast.owner,
        intended_mode="license",
        message="希望了解许可条件。",
        status=status,
        **deal,
    )


WORKFLOWS = {
    "bookings": (BOOKING_ACTIONS, _booking, Booking),
    "sample-orders": (SAMPLE_ORDER_ACTIONS, _sample_order, SampleOrder),
    "applications": (RESIDENCY_ACTIONS, _application, Application),
    "inquiries": (INQUIRY_ACTIONS, _inquiry, Inquiry),
}

# What each action's input needs; every body also states a reason (a moderator must).
PAYLOADS = {
    ("booking", "reject"): {"reason": "时段冲突"},
    ("booking", "pay"): {"method": "offline"},
    ("booking", "confirm_offline_payment"): {"reference": "B-1"},
    ("booking", "complete"): {"actual_minutes": 90},
    ("sample_order", "quote"): {"price": "600.00", "turnaround_days": 3},
    ("sample_order", "accept_quote"): {"quote_version": 1},
    ("sample_order", "pay"): {"method": "offline"},
    ("sample_order", "confirm_offline_payment"): {"reference": "B-2"},
    ("application", "accept"): {"workstations": 1},
    ("inquiry", "reply"): {"message": "请提供报价。"},
    ("inquiry", "agree"): {
        "mode": "license",
        "amount": "150000.00",
        "contract_date": lambda: timezone.now().astimezone(SHANGHAI).date().isoformat(),
    },
}


def _payload(workflow, action) -> dict:
    body = {"reason": "平台监管：双方已同意终止"}
    for key, value in PAYLOADS.get((workflow.name, action.name), {}).items():
        body[key] = value() if callable(value) else value
    return body


CASES = [
    pytest.param(prefix, name, who, id=f"{prefix}-{name}-{who}")
    for prefix, (workflow, _, _) in WORKFLOWS.items()
    for name, action in workflow.actions.items()
    if action.api_path is not None
    for who in PEOPLE
]


@pytest.mark.parametrize(("prefix", "name", "who"), CASES)
def test_every_action_answers_each_kind_of_person_as_its_table_says(api_client, prefix, name, who):
    workflow, build, model = WORKFLOWS[prefix]
    action = workflow.actions[name]
    cast = _cast()
    status = sorted(action.statuses)[0]
    item = build(cast, status, action)
    person = getattr(cast, who)
    role = ROLE_OF.get(who)
    assert workflow.flags(item, person)[name] == (role in action.roles)

    api_client.force_authenticate(person)
    response = api_client.post(
        f"/api/v1/{prefix}/{item.pk}/{action.api_path}/",
        _payload(workflow, action),
        format="json",
    )

    if role is None:
        expected = 404
    elif role in action.roles:
        expected = 200
    else:
        expected = 403
    assert response.status_code == expected, response.content
    if expected != 200:
        assert model.objects.get(pk=item.pk).status == status


# --- Actions only the pages offer (no API endpoint of their own) ---------------------------

PAGES = {"sample-orders": "/sample-orders", "applications": "/residency/applications"}
PAGE_PAYLOADS = {
    ("sample_order", "deliver_report"): lambda: {"report": pdf_upload("report.pdf")},
    ("application", "comment"): lambda: {"text": "内部：先查征信"},
}

PAGE_CASES = [
    pytest.param(prefix, name, who, id=f"{prefix}-{name}-{who}")
    for prefix, (workflow, _, _) in WORKFLOWS.items()
    for name, action in workflow.actions.items()
    if action.api_path is None
    for who in PEOPLE
]


@pytest.mark.parametrize(("prefix", "name", "who"), PAGE_CASES)
def test_every_page_only_action_answers_each_kind_of_person_as_its_table_says(
    client, prefix, name, who
):
    workflow, build, model = WORKFLOWS[prefix]
    action = workflow.actions[name]
    cast = _cast()
    status = sorted(action.statuses)[0]
    item = build(cast, status, action)
    person = getattr(cast, who)
    role = ROLE_OF.get(who)
    offered = role in action.roles
    assert workflow.flags(item, person)[name] == offered

    client.force_login(person)
    body = {"reason": "平台监管：双方已同意终止"}
    body.update(PAGE_PAYLOADS.get((workflow.name, name), dict)())
    response = client.post(
        f"{PAGES[prefix]}/{item.pk}/{name}/", body, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    if role is None:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert ("操作成功。" in response.content.decode()) == offered
    if not offered:
        assert model.objects.get(pk=item.pk).status == status
