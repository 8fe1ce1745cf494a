"""工作台: one page where a person sees what is theirs and what waits for their institution
across every workflow — bookings, sample-testing orders, residency applications, inquiries."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.models import Institution
from marketplace.accounts.permissions import member_institution_ids
from marketplace.bookings.models import ACTIVE_STATUSES as BOOKING_ACTIVE
from marketplace.bookings.models import Booking
from marketplace.bookings.models import Status as BookingStatus
from marketplace.inquiries.models import Inquiry
from marketplace.inquiries.models import Status as InquiryStatus
from marketplace.payments.payables import holds_of
from marketplace.residency.models import OPEN_STATUSES as RESIDENCY_OPEN
from marketplace.residency.models import Application
from marketplace.residency.models import Status as ResidencyStatus
from marketplace.sampletesting.models import OPEN_STATUSES as SAMPLE_OPEN
from marketplace.sampletesting.models import SampleOrder

INQUIRY_OPEN = (InquiryStatus.OPEN, InquiryStatus.NEGOTIATING)

# (label, model, statuses still open for the owner, statuses that wait for the institution,
#  "mine" url name, queue url name, detail url name, the related listing an item names); who
#  owns an item and which institution it waits for, each model declares (WorkflowItem)
WORKFLOWS = [
    (
        _("机时预约"),
        Booking,
        BOOKING_ACTIVE,
        (BookingStatus.PENDING_APPROVAL, BookingStatus.AWAITING_PAYMENT),
        "bookings:mine",
        "bookings:queue",
        "bookings:detail",
        "instrument",
    ),
    (
        _("送样检测"),
        SampleOrder,
        SAMPLE_OPEN,
        SAMPLE_OPEN,
        "sampletesting:mine",
        "sampletesting:queue",
        "sampletesting:detail",
        "instrument",
    ),
    (
        _("入孵申请"),
        Application,
        RESIDENCY_OPEN,
        (ResidencyStatus.SUBMITTED, ResidencyStatus.UNDER_REVIEW),
        "residency:mine",
        "residency:queue",
        "residency:detail",
        "incubator",
    ),
    (
        _("意向洽谈"),
        Inquiry,
        INQUIRY_OPEN,
        INQUIRY_OPEN,
        "inquiries:mine",
        "inquiries:queue",
        "inquiries:detail",
        "technology",
    ),
]


WAITING_SHOWN = 10


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    """Counts per workflow (one aggregate query each, plus the user's memberships) and, for a
    member, the items that wait for the institution, oldest first with their age (one more
    query per workflow). Payment holds that ran out are expired first (one query per workflow
    with holds, more only when some did run out)."""
    institutions = member_institution_ids(request.user)
    rows = []
    waiting_items = []
    for (
        label,
        model,
        mine_open,
        queue_open,
        mine_url,
        queue_url,
        detail_url,
        listing,
    ) in WORKFLOWS:
        owner, institution = model.owner_path, f"{model.institution_path}_id"
        if holds := holds_of(model):
            # A hold that ran out is counted as expired, not as waiting (as the lists show it).
            holds.expire_listed(
                model.objects.filter(
                    Q(**{owner: request.user}) | Q(**{f"{institution}__in": institutions})
                )
            )
        counts = model.objects.aggregate(
            mine=Count("pk", filter=Q(**{owner: request.user})),
            mine_open=Count("pk", filter=Q(**{owner: request.user, "status__in": mine_open})),
            waiting=Count(
                "pk",
                filter=Q(**{f"{institution}__in": institutions, "status__in": queue_open}),
            )
            if institutions
            else Count("pk", filter=Q(pk__in=[])),
        )
        rows.append(
            {
                "label": label,
                "mine_url": reverse(mine_url),
                "queue_url": reverse(queue_url) if institutions else "",
                **counts,
            }
        )
        if institutions and counts["waiting"]:
            oldest = (
                model.objects.filter(
                    **{f"{institution}__in": institutions, "status__in": queue_open}
                )
                .select_related(listing, owner)
                .order_by("created_at", "pk")[:WAITING_SHOWN]
            )
            waiting_items += [
                {
                    "kind": label,
                    "title": f"#{item.pk} {getattr(item, listing)}",
                    "who": item.owner.get_username(),
                    "status": item.get_status_display(),
                    "created_at": item.created_at,
                    "url": reverse(detail_url, args=[item.pk]),
                }
                for item in oldest
            ]
    waiting_items.sort(key=lambda item: item["created_at"])
    ledgers = (
        Institution.objects.filter(pk__in=institutions)
        .order_by("code")
        .values("pk", "code", "name")
        if institutions
        else []
    )
    return render(
        request,
        "marketplace/workspace.html",
        {
            "rows": rows,
            "is_member": bool(institutions),
            "waiting_items": waiting_items,
            "ledgers": ledgers,
        },
    )
