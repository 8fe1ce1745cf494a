"""Inquiry pages for people: send an inquiry, follow one's own, the institution's queue and
one inquiry's thread. Each POST calls one service; permissions live in the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from marketplace.accounts.permissions import member_institution_ids
from marketplace.catalogue.models import Technology
from marketplace.workflow import NotFound, WorkflowError
from marketplace.workflow_pages import act_view, item_or_404, mine_view, page_of, start_view

from . import services
from .actions import INQUIRY_ACTIONS
from .forms import CloseForm, DealForm, InquiryForm, ReplyForm
from .models import ACTIVE_STATUSES, Inquiry, InquiryMessage, InquiryTransition, Status

PAGE_SIZE = 30


def _open_inquiry(user, technology: Technology, form: InquiryForm) -> Inquiry:
    data = form.cleaned_data
    return services.open_inquiry(user, technology, data["message"], data["intended_mode"])


new = start_view(
    Technology.objects.published().select_related("institution"),
    lambda request, technology: InquiryForm(request.POST or None, technology=technology),
    _open_inquiry,
    template="inquiries/new.html",
    done=gettext_lazy("意向洽谈已发送，成果单位回复后会通知您。"),
    detail="inquiries:detail",
)


mine = mine_view(
    lambda user: Inquiry.objects.filter(inquirer=user).for_pages().order_by("-updated_at", "-pk"),
    template="inquiries/mine.html",
    size=PAGE_SIZE,
    name="inquiries",
)


QUEUE_FILTERS = {"": ACTIVE_STATUSES, "all": tuple(Status.values)} | {
    status: (status,) for status in Status.values
}


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Inquiries on the member's institutions' technologies; by default those still open."""
    ids = member_institution_ids(request.user)
    if not ids:
        raise Http404
    chosen = request.GET.get("status", "")
    if chosen not in QUEUE_FILTERS:
        chosen = ""
    inquiries = (
        Inquiry.objects.filter(technology__institution_id__in=ids, status__in=QUEUE_FILTERS[chosen])
        .for_pages()
        .order_by("-updated_at", "-pk")
    )
    page = page_of(request, inquiries, PAGE_SIZE)
    return render(
        request,
        "inquiries/queue.html",
        {
            "inquiries": page,
            "page": page,
            "chosen": chosen,
            "statuses": Status.choices,
            "query_prefix": f"status={chosen}" if chosen else "",
        },
    )


def _visible(request: HttpRequest, pk: int) -> Inquiry:
    return item_or_404(INQUIRY_ACTIONS, request, pk)


def _render_detail(
    request: HttpRequest, inquiry: Inquiry, forms: dict | None = None, status: int = 200
) -> HttpResponse:
    thread = InquiryMessage.objects.filter(inquiry=inquiry).select_related("author")
    transitions = InquiryTransition.objects.filter(inquiry=inquiry).select_related("by")
    is_member = services.is_institution_member(request.user, inquiry.technology)
    forms = forms or {}
    context = {
        "inquiry": inquiry,
        "technology": inquiry.technology,
        "thread": thread,
        "transitions": transitions,
        "can": INQUIRY_ACTIONS.flags(inquiry, request.user),
        "can_see_details": services.can_see_details(request.user, inquiry),
        # What the page says on behalf of whom: the institution's members see whether the
        # details are opened and reply as the institution.
        "speaks_for_institution": is_member,
        "queue_link": is_member,
        "deal": inquiry.deal_amount is not None,
        "reply_form": forms.get("reply") or ReplyForm(),
        "deal_form": forms.get("agree") or DealForm(initial={"mode": inquiry.intended_mode}),
        "close_form": forms.get("close") or CloseForm(),
    }
    return render(request, "inquiries/detail.html", context, status=status)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _visible(request, pk))


ACTION_FORMS = {"reply": ReplyForm, "agree": DealForm, "close": CloseForm}

_act = act_view(INQUIRY_ACTIONS, detail="inquiries:detail")


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The inquiry's actions (`INQUIRY_ACTIONS`); a form refused, by its own rules or by the
    service, is shown again with what was typed (400)."""
    spec = INQUIRY_ACTIONS.actions.get(action)
    if spec is None:
        raise Http404
    if action not in ACTION_FORMS:
        return _act(request, pk, action)
    inquiry = _visible(request, pk)
    form = ACTION_FORMS[action](request.POST)
    if not form.is_valid():
        return _render_detail(request, inquiry, {action: form}, status=400)
    try:
        spec.perform(inquiry, request.user, form.cleaned_data, request)
    except NotFound:
        raise Http404 from None
    except WorkflowError as exc:
        form.add_error(None, exc.message)
        return _render_detail(request, _visible(request, pk), {action: form}, status=400)
    messages.success(request, _("操作成功。"))
    return redirect("inquiries:detail", pk=inquiry.pk)
