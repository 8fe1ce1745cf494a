"""创新券 pages: the enterprise's voucher page, and using or withdrawing the voucher from a
pay panel (the share is shown there by `voucher_tags`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.workflow import NotFound, WorkflowError

from . import services
from .api import item_for
from .models import Movement, VoucherUse


def _act(request: HttpRequest, kind: str, pk: int, action, done: str) -> HttpResponse:
    try:
        item = item_for(request.user, kind, pk)
    except NotFound as error:
        raise Http404(error.message) from error
    try:
        action(item, request.user)
    except WorkflowError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, done)
    return redirect(item.get_absolute_url())


@login_required
@require_POST
def use(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _act(request, kind, pk, services.use_voucher, _("已使用创新券，请支付自付部分。"))


@login_required
@require_POST
def withdraw(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _act(request, kind, pk, services.withdraw_voucher, _("已撤回创新券。"))


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The enterprise's balances and the history of its voucher uses and movements."""
    enterprise = services.enterprise_of(request.user)
    balances = list(services.balances_of(enterprise))
    uses = (
        VoucherUse.objects.filter(balance__enterprise=enterprise)
        .select_related("institution", "user")
        .order_by("-created_at", "-pk")[:100]
    )
    movements = (
        Movement.objects.filter(balance__enterprise=enterprise)
        .select_related("programme")
        .order_by("-created_at", "-pk")[:100]
    )
    return render(
        request,
        "vouchers/mine.html",
        {
            "enterprise": enterprise,
            "balances": balances,
            "uses": uses if enterprise else [],
            "movements": movements if enterprise else [],
        },
    )
