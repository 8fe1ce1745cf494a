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
from marketplace.payments.providers import online_payment_enabled
from marketplace.uploads import raw_upload_names, serve_private
from marketplace.workflow_pages import (
    act_view,
    item_or_404,
    page_of,
    require_queue_reader,
    start_view,
    status_filter,
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


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    orders = SampleOrder.objects.filter(user=request.user)
    services.expire_visible_overdue(orders)
    orders = orders.select_related("instrument")
    return render(
        request,
        "sampletesting/list.html",
        {
            "page": page_of(request, orders.order_by("-created_at", "-pk"), PAGE_SIZE),
            "queue": False,
        },
    )


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Orders on the member's institutions' instruments; open ones unless a status is asked."""
    require_queue_reader(request.user)
    orders = SampleOrder.objects.for_institution_members(request.user)
    services.expire_visible_overdue(orders)
    orders = orders.select_related("instrument", "user")
    orders, filters = status_filter(request, orders, Status, OPEN_STATUSES)
    page = page_of(request, orders.order_by("created_at", "pk"), PAGE_SIZE)
    return render(request, "sampletesting/list.html", {"page": page, "queue": True, **filters})


def _order_or_404(request: HttpRequest, pk: int) -> SampleOrder:
    return item_or_404(SAMPLE_ORDER_ACTIONS, request, pk)


@login_required
def detail(request: HttpRequest, pk: int, quote_form: QuoteForm | None = None) -> HttpResponse:
    order = _order_or_404(request, pk)
    # Who acts for the institution, and the platform's moderators, see who asked.
    staff = services.is_member(request.user, order) or is_platform_moderator(request.user)
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
