"""The HTML front door of every workflow's actions: one POST view driven by the action table."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Lookup, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.accounts.permissions import is_platform_moderator, member_institution_ids
from marketplace.accounts.profile import profile_required
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


def page_of(request: HttpRequest, rows, size: int, *, count: int | None = None):
    """The `?page=` page of `rows`, `size` rows a page (a bad or too large number: the last);
    `count`, when the caller has counted the rows already, spares the paginator its count."""
    paginator = Paginator(rows, size)
    if count is not None:
        paginator.count = count  # a cached_property: this is the value it would have read
    return paginator.get_page(request.GET.get("page"))


class _InPage(Lookup):
    """`column IN (SELECT …)` of a page's ids (a sorted, sliced queryset of one column); on
    PostgreSQL `column = ANY(ARRAY(SELECT …))`, which it runs once, first, and then reads the
    page's rows by their keys (an `IN (SELECT …)` it may hash and join against every row)."""

    lookup_name = "in_page"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def in_page(page_ids) -> _InPage:
    """A condition on the primary key: one of `page_ids`, the ids of a page (a paginator's
    page of an ordered `values_list("pk", flat=True)`), asked inside the query that reads
    the page's rows: one statement for the ids and the rows, none for an empty page."""
    return _InPage(F("pk"), Subquery(page_ids))


def item_or_404(workflow: Workflow, request: HttpRequest, pk: int):
    """The workflow's item `pk` if the person may see it; else 404, as if it did not exist."""
    try:
        return workflow.get_for(request.user, pk)
    except NotFound:
        raise Http404 from None


def require_queue_reader(user) -> None:
    """Queues are for members of an institution and for platform moderators; others get 404."""
    if not (member_institution_ids(user) or is_platform_moderator(user)):
        raise Http404


def status_condition(request: HttpRequest, statuses, default=None) -> tuple[Q, dict]:
    """A queue's `?status=` as a condition on its rows: that status (or, when none or an
    unknown one is asked, the `default` statuses; an empty Q, all rows, if None), and the
    filter's context for the page."""
    wanted = request.GET.get("status", "")
    if wanted in statuses.values:
        condition = Q(status=wanted)
    else:
        wanted = ""
        condition = Q(status__in=default) if default is not None else Q()
    context = {
        "statuses": statuses.choices,
        "wanted": wanted,
        "query_prefix": urlencode({"status": wanted}) if wanted else "",
    }
    return condition, context


def status_filter(request: HttpRequest, rows, statuses, default=None) -> tuple:
    """A queue's `?status=`: the rows in that status (or, when none or an unknown one is
    asked, in the `default` statuses, all if None), and the filter's context for the page."""
    condition, context = status_condition(request, statuses, default)
    return rows.filter(condition), context


def mine_view(rows, *, template: str, size: int, name: str = "", context=None):
    """GET: the person's own items, `size` a page — `rows(user)` gives them in order; the
    template sees the page as `page` (and as `name`, when given) beside `context`."""

    @login_required
    def view(request: HttpRequest) -> HttpResponse:
        page = page_of(request, rows(request.user), size)
        named = {name: page} if name else {}
        return render(request, template, {**(context or {}), **named, "page": page})

    return view


def queue_view(rows, statuses, *, template: str, size: int, default=None, name="", context=None):
    """GET: an institution's queue, for its members and the platform's moderators (others
    get 404) — `rows(user)` gives the items in order, filtered by `?status=` of `statuses`
    (or the `default` statuses, as `status_filter`); the template sees the page as `page`
    (and as `name`, when given), the filter's context and `context`."""

    @login_required
    def view(request: HttpRequest) -> HttpResponse:
        require_queue_reader(request.user)
        items, filters = status_filter(request, rows(request.user), statuses, default)
        page = page_of(request, items, size)
        named = {name: page} if name else {}
        return render(request, template, {**(context or {}), **named, "page": page, **filters})

    return view


def create_page(request: HttpRequest, form, create, *, template, context, done, detail):
    """A page that starts a workflow item: GET shows `form`; a valid POST calls
    `create(cleaned_data)` (→ the new item), says `done` and goes to its `detail` page; a
    refusal shows on the form, and a POST that created nothing answers 400."""
    if request.method == "POST" and form.is_valid():
        try:
            item = create(form.cleaned_data)
        except NotFound:
            raise Http404 from None
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, done)
            return redirect(detail, pk=item.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {**context, "form": form}, status=status)


def start_view(listings, form, start, *, template: str, done: str, detail: str):
    """GET/POST `…/<code>/…`: the page that starts a workflow item on the listing `code` of
    `listings` (404 when there is none), as `create_page`: `form(request, listing)` is the
    form, `start(user, listing, form)` makes the item; the template sees the listing under its
    model's name (`technology`, `instrument`, …)."""

    @login_required
    @require_http_methods(["GET", "POST"])
    @profile_required
    def view(request: HttpRequest, code: str) -> HttpResponse:
        listing = get_object_or_404(listings, code=code)
        bound = form(request, listing)
        return create_page(
            request,
            bound,
            lambda data: start(request.user, listing, bound),
            template=template,
            context={listing._meta.model_name: listing},
            done=done,
            detail=detail,
        )

    return view


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
