"""Sample-testing pages: request, my orders, the institution's queue, an order's page and its
actions. Each POST calls one service; permissions live in the services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from marketplace.accounts.permissions import is_platform_moderator
from marketplace.catalogue.models import Instrument
from marketplace.catalogue.permissions import is_instrument_member
from marketplace.payments.providers import online_payment_enabled
from marketplace.uploads import raw_upload_names, serve_private
from marketplace.workflow_pages import (
    act_view,
    item_or_404,
    mine_view,
    queue_view,
    start_view,
)

from . import services
from .actions import SAMPLE_ORDER_ACTIONS
from .forms import QuoteForm, SampleOrderForm
from .models import OPEN_STATUSES, SampleOrder, Status

PAGE_SIZE = 50


new = start_view(
    Instrument.objects.published().select_related("institution").filter(offers_sample_testing=True),
    lambda request, instrument: SampleOrderForm(request.POST or None),
    lambda user, instrument, form: services.request_order(user, instrument, **form.cleaned_data),
    template="sampletesting/new.html",
    done=gettext_lazy("送样检测委托已提交，请等待报价。"),
    detail="sampletesting:detail",
)


mine = mine_view(
    lambda user: (
        services.HOLDS.shown(SampleOrder.objects.filter(user=user))
        .select_related("instrument")
        .order_by("-created_at", "-pk")
    ),
    template="sampletesting/list.html",
    size=PAGE_SIZE,
    context={"queue": False},
)

# Orders on the member's institutions' instruments; open ones unless a status is asked.
queue = queue_view(
    lambda user: (
        services.HOLDS.shown(SampleOrder.objects.for_institution_members(user))
        .select_related("instrument", "user")
        .order_by("created_at", "pk")
    ),
    Status,
    default=OPEN_STATUSES,
    template="sampletesting/list.html",
    size=PAGE_SIZE,
    context={"queue": True},
)


def _order_or_404(request: HttpRequest, pk: int) -> SampleOrder:
    return item_or_404(SAMPLE_ORDER_ACTIONS, request, pk)


@login_required
def detail(request: HttpRequest, pk: int, quote_form: QuoteForm | None = None) -> HttpResponse:
    order = _order_or_404(request, pk)
    # Who acts for the institution, and the platform's moderators, see who asked.
    staff = is_instrument_member(request.user, order) or is_platform_moderator(request.user)
    return render(
        request,
        "sampletesting/detail.html",
        {
            "order": order,
            "transitions": order.transitions.select_related("by").order_by("at", "pk"),
            "payments": order.payments.order_by("created_at", "pk"),
            "show_requester": staff,
            "queue_link": staff,
            "can": SAMPLE_ORDER_ACTIONS.flags(order, request.user),
            "quote_form": quote_form
            or QuoteForm(
                initial={
                    "price": order.price if order.price is not None else order.indicative_price,
                    "turnaround_days": order.turnaround_days,
                    "note": order.quote_note,
                }
            ),
            "online_payment": online_payment_enabled(),
        },
        status=400 if quote_form is not None else 200,
    )


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order_or_404(request, pk)
    if not order.report:
        raise Http404
    return serve_private(order.report, order.report_name or f"report-{order.pk}.pdf")


_act = act_view(SAMPLE_ORDER_ACTIONS, detail="sampletesting:detail", queue="sampletesting:queue")


@raw_upload_names
@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The order's actions (`SAMPLE_ORDER_ACTIONS`); a quote with mistakes comes back as the
    order's page with the form's errors (400) instead of a message."""
    if action == "quote" and not QuoteForm(request.POST).is_valid():
        _order_or_404(request, pk)
        return detail(request, pk, quote_form=QuoteForm(request.POST))
    return _act(request, pk, action)
