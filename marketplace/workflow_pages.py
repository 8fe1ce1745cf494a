"""The HTML front door of every workflow's actions: one POST view driven by the action table."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.workflow import NotFound, RuleError, Workflow, WorkflowError


def page_urls(views, mine: str, queue: str = "", *, item_pages=()) -> list:
    """A workflow's pages: `mine` lists the person's items and holds each item at
    `mine<pk>/`; `queue` (default `mine` + "queue/") is the institution's queue; each of
    `item_pages` is (route below the item, view, name); POST `…/<pk>/<action>/` acts.

    `views` is the workflow's views module, with `mine`, `queue`, `detail` and `act`."""
    from django.urls import path

    return [
        path(mine, views.mine, name="mine"),
        path(queue or f"{mine}queue/", views.queue, name="queue"),
        path(f"{mine}<int:pk>/", views.detail, name="detail"),
        *(path(f"{mine}<int:pk>/{route}", view, name=name) for route, view, name in item_pages),
        path(f"{mine}<int:pk>/<str:action>/", views.act, name="act"),
    ]


def validated_input(action, request: HttpRequest) -> dict:
    """The form's fields through the action's serializer: the same rules as the API."""
    if action.input is None:
        return {}
    data = request.POST.copy()
    for name, uploaded in request.FILES.items():
        data[name] = uploaded
    body = action.input(data=data)
    if not body.is_valid():
        field, errors = next(iter(body.errors.items()))
        label = body.fields[field].label if field in body.fields else ""
        raise RuleError(f"{label}：{errors[0]}" if label else str(errors[0]), "invalid")
    return body.validated_data


def act_view(workflow: Workflow, *, detail: str, queue: str | None = None):
    """POST /…/<pk>/<action>/: validate, call the action's service, come back to the item."""

    @login_required
    @require_POST
    def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
        spec = workflow.actions.get(action)
        if spec is None:
            raise Http404
        try:
            item = workflow.get_for(request.user, pk)
        except NotFound:
            raise Http404 from None
        try:
            result = spec.perform(item, request.user, validated_input(spec, request), request)
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            if isinstance(result, HttpResponse):
                return result
            if isinstance(result, dict) and result.get("checkout_url"):
                return redirect(result["checkout_url"])
            messages.success(request, _("操作成功。"))
        if queue and request.POST.get("next") == "queue":
            return redirect(queue)
        return redirect(detail, pk=pk)

    return act
