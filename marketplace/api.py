"""The API kit every endpoint shares: paging, error and money bodies, +08:00 times, log rows."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


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

    at = serializers.SerializerMethodField()
    # System notes are stored as codes; the API shows them in the request's language.
    note = serializers.CharField(source="note_text", read_only=True)

    class Meta:
        fields = ["from_status", "to_status", "at", "note"]

    def get_at(self, obj) -> str:
        return local_iso(obj.at)


def item_urlpatterns(prefix: str, name: str, list_view, detail_view, action_patterns) -> list:
    """A workflow's API: GET (and POST) `{prefix}/` as `{name}-list`, GET `{prefix}/<pk>/` as
    `{name}-detail`, then the action endpoints (`action_urlpatterns`)."""
    from django.urls import path

    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}-list"),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}-detail"),
        *action_patterns,
    ]


# --- A workflow's action endpoints, generated from its table of actions ---------------------


def action_urlpatterns(
    workflow,
    *,
    prefix: str,
    detail,
    detail_serializer,
    tags,
    operation_id=None,
    detail_for_user: bool = False,
):
    """POST `{prefix}/<pk>/{action.api_path}/` for every action of `workflow` that has one.

    `detail(item)` answers with the item as the API shows it after the action — or
    `detail(item, user)` with `detail_for_user`, where what is shown depends on who asks; an
    action's `respond(detail, result, item)` may wrap it (a cancel answers with the refund too).
    `operation_id(action)` names the OpenAPI operation where a workflow had named them.
    """
    from django.urls import path
    from drf_spectacular.utils import extend_schema
    from rest_framework.permissions import IsAuthenticated
    from rest_framework.views import APIView

    patterns = []
    for action in workflow.actions.values():
        if action.api_path is None:
            continue

        def post(self, request, pk: int, _action=action):
            item = workflow.get_for(request.user, pk)
            data = {} if _action.input is None else validated(_action.input, request.data)
            result = _action.perform(item, request.user, data, request)
            show = (lambda obj: detail(obj, request.user)) if detail_for_user else detail
            if _action.respond is not None:
                return Response(_action.respond(show, result, item))
            return Response(show(item))

        schema = {
            "request": action.input,
            "responses": {200: action.response or detail_serializer, **WORKFLOW_ERRORS},
            "summary": action.api_summary,
            "tags": tags,
        }
        if action.description:
            schema["description"] = action.description
        if operation_id is not None:
            schema["operation_id"] = operation_id(action)
        view = type(
            f"{workflow.name.title()}{action.name.title().replace('_', '')}View",
            (APIView,),
            {
                "permission_classes": [IsAuthenticated],
                "post": extend_schema(**schema)(post),
                "__doc__": action.api_summary,
            },
        )
        patterns.append(
            path(
                f"{prefix}/<int:pk>/{action.api_path}/",
                view.as_view(),
                name=f"{workflow.name}-{action.api_path}",
            )
        )
    return patterns
