"""The API kit every endpoint shares: paging, error and money bodies, +08:00 times, log rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from zoneinfo import ZoneInfo

from django.db import models
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from marketplace.money import money_json


class Pagination(PageNumberPagination):
    """`?page=N&page_size=M` (M ≤ 100) → {"count", "next", "previous", "results"}."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ErrorSerializer(serializers.Serializer):
    """400 body: {"errors": {field: [messages]}}."""

    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class DetailSerializer(serializers.Serializer):
    """401/403/404/429 body: {"detail": "..."}."""

    detail = serializers.CharField()


class MoneySerializer(serializers.Serializer):
    """Money in the API: {"amount": "300.00", "currency": "CNY"}."""

    amount = serializers.CharField()
    currency = serializers.CharField()


# An `Endpoint`'s request when it is not given: its `input`.
FROM_INPUT = "<from the input>"


def workflow_error_response(exc) -> Response:
    """A workflow refusal as API.md wants it: 400 with field errors, else {"detail"}; + code."""
    if exc.http_status == 400:
        field = getattr(exc, "field", None) or "non_field_errors"
        return Response({"errors": {field: [exc.message]}, "code": exc.code}, status=400)
    return Response({"detail": exc.message, "code": exc.code}, status=exc.http_status)


# --- What every workflow API shares ---------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")

# What reading something answers besides 200: not signed in, or not there (or not yours).
READ_ERRORS = {401: DetailSerializer, 404: DetailSerializer}

# The refusals a workflow action can answer with (marketplace.workflow → exception_handler).
WORKFLOW_ERRORS = {
    400: ErrorSerializer,
    401: DetailSerializer,
    403: DetailSerializer,
    404: DetailSerializer,
    409: DetailSerializer,
}


def local_iso(moment) -> str | None:
    """A stored (UTC) moment as ISO 8601 with the +08:00 offset, as API.md promises."""
    return moment.astimezone(SHANGHAI).isoformat() if moment else None


@extend_schema_field(OpenApiTypes.STR)
class LocalTimeField(serializers.ReadOnlyField):
    """A stored moment of the object as `local_iso` shows it (+08:00); None stays None
    (say `allow_null=True` where it may be missing, so the schema says so)."""

    def to_representation(self, value) -> str | None:
        return local_iso(value)


# A model as the API shows it: its moments as `LocalTimeField`s (+08:00, null where the model
# allows it); everything else as DRF's ModelSerializer makes it. No docstring: drf-spectacular
# would make it every subclass's description.
class ModelSerializer(serializers.ModelSerializer):
    def build_standard_field(self, field_name, model_field):
        if isinstance(model_field, models.DateTimeField):
            return LocalTimeField, {"allow_null": model_field.null}
        return super().build_standard_field(field_name, model_field)


@extend_schema_field(MoneySerializer)
class MoneyField(serializers.ReadOnlyField):
    """A stored amount of the object as `money_json` shows it ({"amount", "currency"}); None
    stays None (say `allow_null=True` where it may be missing, so the schema says so)."""

    def to_representation(self, value) -> dict | None:
        return money_json(value)


@extend_schema_field(OpenApiTypes.BOOL)
class HasFileField(serializers.ReadOnlyField):
    """Whether the object's file (the field's `source`) is there: true or false."""

    def to_representation(self, value) -> bool:
        return bool(value)


@extend_schema_field(OpenApiTypes.STR)
class ChoiceLabelField(serializers.ReadOnlyField):
    """The label of a stored choice in the reader's language, as `get_FOO_display()` gives it,
    from a table made once: Django's `get_FOO_display()` rebuilds the field's whole choice
    table (hashing every lazy label, a translation look-up each) on every call, which was
    most of a 20-item catalogue list's serialisation."""

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices.choices)
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        label = self.labels.get(value)
        return str(value if label is None else label)


def file_download(*media_types: str) -> dict:
    """The responses of a file download: the bytes (as any of `media_types`), 401 and 404."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiResponse

    files = {(200, media): OpenApiResponse(OpenApiTypes.BINARY) for media in media_types}
    return {**files, **READ_ERRORS}


def paginated(name: str, item_serializer: type[serializers.Serializer]):
    """The schema of a paginated list of `item_serializer` items, as component `name`."""
    from drf_spectacular.utils import inline_serializer

    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.CharField(allow_null=True),
            "previous": serializers.CharField(allow_null=True),
            "results": item_serializer(many=True),
        },
    )


def reason_serializer(
    name: str, *, required: bool, label=None, max_length: int = 500
) -> type[serializers.Serializer]:
    """The input of a reject, decline, cancel or close: {"reason": "..."}; required or not.

    `name` is the class name, so each workflow keeps its OpenAPI component."""
    options = {"max_length": max_length}
    if label is not None:
        options["label"] = label
    if not required:
        options.update(required=False, allow_blank=True, default="")
    return type(name, (serializers.Serializer,), {"reason": serializers.CharField(**options)})


def validated(serializer_class: type[serializers.Serializer], data) -> dict:
    """`data` through `serializer_class`; a 400 with the field errors if it breaks a rule."""
    body = serializer_class(data=data)
    body.is_valid(raise_exception=True)
    return body.validated_data


class TransitionSerializer(serializers.ModelSerializer):
    """A row of a workflow's transition log; a subclass names its model in Meta."""

    at = LocalTimeField()
    # System notes are stored as codes; the API shows them in the request's language.
    note = serializers.CharField(source="note_text", read_only=True)

    class Meta:
        fields = ["from_status", "to_status", "at", "note"]


def transition_serializer(name: str, model) -> type[TransitionSerializer]:
    """The `TransitionSerializer` of a workflow's log `model`; `name` is the class name, so
    each workflow keeps its OpenAPI component."""
    meta = type("Meta", (TransitionSerializer.Meta,), {"model": model})
    return type(name, (TransitionSerializer,), {"Meta": meta})


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
        item = None if self.load is None else self.load(user, *route.values())
        data = {} if self.input is None else validated(self.input, request.data)
        result = None if self.perform is None else self.perform(item, user, data, request)
        body = self.answer(item, result, user)
        if isinstance(body, HttpResponseBase):
            return body
        return Response(body, status=self.status)


def endpoint_urlpatterns(endpoints, *, tags) -> list:
    """The URLs of `endpoints` (`Endpoint`s): one view per route, documented under `tags`."""
    from django.urls import path
    from drf_spectacular.utils import extend_schema
    from rest_framework.negotiation import DefaultContentNegotiation
    from rest_framework.permissions import IsAuthenticated
    from rest_framework.views import APIView

    class AnyAccept(DefaultContentNegotiation):
        """A download answers with the file or a JSON error whatever the client's Accept says."""

        def select_renderer(self, request, renderers, format_suffix=None):
            return renderers[0], renderers[0].media_type

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
            "permission_classes": [IsAuthenticated],
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
) -> list:
    """A workflow's API from its declaration: GET (and POST) `{prefix}/` (`list_view`), GET
    `{prefix}/<pk>/` — the item `workflow.get_for(user, pk)` finds, as `detail(item, user)`
    shows it — then POST `{prefix}/<pk>/{action.api_path}/` for every action of `workflow`
    that has one; the routes are named after the workflow (`sample-order-list`, …).

    `operation_prefix` names the OpenAPI operations where a workflow had named them
    ("sample_orders" → sample_orders_retrieve, sample_orders_quote, …); `detail_summary` is
    the detail's summary.
    An action's `respond(show, result, item)` may wrap the detail (a cancel answers with the
    refund too).
    """
    from django.urls import path

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
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}-list"),
        *endpoint_urlpatterns(endpoints, tags=tags),
    ]
