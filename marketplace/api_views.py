"""The API's views: every paginated list, and the views made from declarations (`Endpoint`
tables, a workflow's table of actions). Apart from `marketplace.api` because DRF's APIView
reads the project's API settings (`config.api`), which import `marketplace.api`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass

from django.http.response import HttpResponseBase
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import READ_ERRORS, WORKFLOW_ERRORS, Pagination, paginated, validated


# GET: a signed-in person's rows, a page at a time ({"count", "next", "previous", "results"}).
# A subclass says which rows (`rows`), how each is shown (`serializer_class` or `show`) and
# what else the answer carries (`more`, e.g. totals); `list_schema` documents it. No docstring:
# drf-spectacular would make it every subclass's description.
class ListView(APIView):
    permission_classes = [IsAuthenticated]
    serializer_class: type[serializers.Serializer] | None = None

    def rows(self, request, **kwargs):
        raise NotImplementedError

    def show(self, page) -> list:
        return self.serializer_class(page, many=True).data

    def more(self, rows) -> dict:
        return {}

    def get(self, request, **kwargs):
        rows = self.rows(request, **kwargs)
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        response = paginator.get_paginated_response(self.show(page))
        response.data.update(self.more(rows))
        return response


def list_schema(page_name: str | None = None, item_serializer=None, *, responses=None, **schema):
    """Documents a `ListView` subclass's GET (a class decorator): 200 with a page of
    `item_serializer` items as component `page_name`, or `responses` as given; 401 and 404."""

    if responses is None:
        responses = {200: paginated(page_name, item_serializer), **READ_ERRORS}
    return extend_schema_view(get=extend_schema(responses=responses, **schema))


# An `Endpoint`'s request when it is not given: its `input`.
FROM_INPUT = "<from the input>"


class AnyAccept(DefaultContentNegotiation):
    """A download answers with the file or a JSON error whatever the client's Accept says."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@dataclass(frozen=True)
class Endpoint:
    """One API operation declared once: its route, how the item is found for the person, the
    body's rules, the one service it calls and the answer. `endpoint_urlpatterns` makes the
    view, its OpenAPI entry and its URL from it; endpoints sharing a route share one view.

    The view: `load(user, *route values)` → the item (a refusal, e.g. 404, when it is not
    theirs), then the body through `input`, then `perform(item, user, data, request)` (as a
    workflow action's, e.g. `workflow.call(service, "field")`), then `answer(item, result,
    user)` → the body answered with `status` (or a response as it is, e.g. a download).
    A table gives the first five in this order: Endpoint("refunds/<int:pk>/complete/", …).
    """

    route: str  # below /api/v1/, e.g. "refunds/<int:pk>/complete/"
    name: str  # the URL's name, e.g. "refund-complete"
    load: Callable | None  # none: the item is None
    perform: Callable | None  # none: a read, the result is None
    answer: Callable
    _: KW_ONLY
    input: type | None = None  # the body's serializer
    query: type | None = None  # the query string's rules, checked first; its values join data
    method: str = "post"
    status: int = 200
    response: object = None  # the schema of the success (`status`) body
    responses: dict | None = None  # all the responses, when not `status` and the refusals
    request: object = FROM_INPUT  # the OpenAPI request when not `input` (e.g. by media type)
    summary: str | None = None
    operation_id: str | None = None
    description: str | None = None
    parameters: tuple = ()
    parsers: tuple = ()  # the view's parsers when not the project's (e.g. uploads)
    any_accept: bool = False  # answer whatever the client's Accept says (a download)
    public: bool = False  # no sign-in needed
    # The view the route's methods are added to, when the route has a hand-written one too
    # (e.g. a ListView's GET).
    base: type | None = None

    def schema(self, tags) -> dict:
        """The operation's `extend_schema` arguments."""
        documented = {
            "responses": self.responses or {self.status: self.response, **WORKFLOW_ERRORS},
            "tags": tags,
        }
        if self.method != "get":
            documented["request"] = self.input if self.request is FROM_INPUT else self.request
        optional = {
            "summary": self.summary,
            "operation_id": self.operation_id,
            "description": self.description,
            "parameters": list(self.parameters),
        }
        documented.update({key: value for key, value in optional.items() if value})
        return documented

    def handle(self, request, **route) -> Response:
        user = request.user
        query = {} if self.query is None else validated(self.query, request.query_params)
        item = None if self.load is None else self.load(user, *route.values())
        data = query if self.input is None else {**query, **validated(self.input, request.data)}
        result = None if self.perform is None else self.perform(item, user, data, request)
        body = self.answer(item, result, user)
        if isinstance(body, HttpResponseBase):
            return body
        return Response(body, status=self.status)


def endpoint_urlpatterns(endpoints, *, tags) -> list:
    """The URLs of `endpoints` (`Endpoint`s): one view per route, documented under `tags`."""

    def method(endpoint: Endpoint, tags):
        def handle(self, request, **route):
            return endpoint.handle(request, **route)

        return extend_schema(**endpoint.schema(tags))(handle)

    routes: dict[str, list[Endpoint]] = {}
    for endpoint in endpoints:
        routes.setdefault(endpoint.route, []).append(endpoint)
    patterns = []
    for route, shared in routes.items():
        first = shared[0]
        base = next((endpoint.base for endpoint in shared if endpoint.base), APIView)
        attributes = {
            "permission_classes": [AllowAny if first.public else IsAuthenticated],
            "__doc__": base.__doc__,  # the description of the operations (none by default)
            **{endpoint.method: method(endpoint, tags) for endpoint in shared},
        }
        parsers = next((endpoint.parsers for endpoint in shared if endpoint.parsers), ())
        if parsers:
            attributes["parser_classes"] = list(parsers)
        if any(endpoint.any_accept for endpoint in shared):
            attributes["content_negotiation_class"] = AnyAccept
        class_name = first.name.title().replace("-", "").replace("_", "") + "View"
        view = type(class_name, (base,), attributes)
        patterns.append(path(route, view.as_view(), name=first.name))
    return patterns


def workflow_urlpatterns(
    workflow,
    prefix: str,
    list_view,
    detail,
    detail_serializer,
    *,
    tags,
    operation_prefix: str | None = None,
    detail_summary: str | None = None,
    list_page: str | None = None,
    list_summary: str | None = None,
    list_parameters: tuple = (),
) -> list:
    """A workflow's API from its declaration: GET (and POST) `{prefix}/` (`list_view`), GET
    `{prefix}/<pk>/` — the item `workflow.get_for(user, pk)` finds, as `detail(item, user)`
    shows it — then POST `{prefix}/<pk>/{action.api_path}/` for every action of `workflow`
    that has one; the routes are named after the workflow (`sample-order-list`, …).

    `operation_prefix` names the OpenAPI operations where a workflow had named them
    ("sample_orders" → sample_orders_retrieve, sample_orders_quote, …); `detail_summary` is
    the detail's summary. `list_page` (the component of a page of `list_view.serializer_class`
    items), `list_summary` and `list_parameters` document the list's GET, where
    `list_view` is not documented itself.
    An action's `respond(show, result, item)` may wrap the detail (a cancel answers with the
    refund too).
    """

    name = workflow.name.replace("_", "-")

    def operation_id(operation: str) -> str | None:
        if operation_prefix is None:
            return None
        return f"{operation_prefix}_{operation.replace('-', '_')}"

    def answer(action=None):
        """The item's detail, or what the action's `respond` makes of it."""

        def shown(item, result, user):
            if action is None or action.respond is None:
                return detail(item, user)
            return action.respond(lambda obj: detail(obj, user), result, item)

        return shown

    endpoints = [
        Endpoint(
            f"{prefix}/<int:pk>/",
            f"{name}-detail",
            workflow.get_for,
            None,
            answer(),
            method="get",
            responses={200: detail_serializer, **READ_ERRORS},
            summary=detail_summary,
            operation_id=operation_id("retrieve"),
        )
    ]
    for action in workflow.actions.values():
        if action.api_path is None:
            continue
        endpoints.append(
            Endpoint(
                f"{prefix}/<int:pk>/{action.api_path}/",
                f"{workflow.name}-{action.api_path}",
                workflow.get_for,
                action.perform,
                answer(action),
                input=action.input,
                response=action.response or detail_serializer,
                summary=action.api_summary,
                operation_id=operation_id(action.api_path),
                description=action.description or action.api_summary,
            )
        )
    if list_page is not None:
        list_view = list_schema(
            list_page,
            list_view.serializer_class,
            parameters=list(list_parameters) or None,
            summary=list_summary,
            operation_id=operation_id("list"),
            tags=tags,
        )(list_view)
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}-list"),
        *endpoint_urlpatterns(endpoints, tags=tags),
    ]
