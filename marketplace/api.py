"""The API kit every endpoint shares: paging, error and money bodies, +08:00 times, log rows."""

from __future__ import annotations

import operator
from zoneinfo import ZoneInfo

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.pagination import PageNumberPagination
from rest_framework.relations import RelatedField
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


# --- Lean representation of read-only serializers ---------------------------------------------

# What a compiled getter answers for a field DRF would leave out (SkipField).
_SKIP = object()


def _plain_attribute(model, attrs: list[str]) -> bool:
    """Whether `attrs` walks `model`'s own columns only: non-null foreign keys, then a concrete
    field. Reading such a path is a plain getattr chain — never a callable, never a missing
    related object — so DRF's `get_attribute` (callable checks, exception handling) is moot."""
    if model is None or not attrs:
        return False
    for position, attr in enumerate(attrs):
        try:
            field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return False
        last = position == len(attrs) - 1
        if field.is_relation:
            if last or not (field.many_to_one or field.one_to_one) or field.null:
                return False
            if not field.concrete:
                return False
            model = field.related_model
        elif not (last and field.concrete):
            return False
    return True


def _getter(field, model, settings):
    bound = getattr(field, "lean_getter", None)
    if bound is not None:
        return bound(settings)
    if field.source == "*" or not field.source_attrs:
        return lambda instance: instance
    if type(field).get_attribute is serializers.Field.get_attribute and _plain_attribute(
        model, field.source_attrs
    ):
        return operator.attrgetter(".".join(field.source_attrs))
    get = field.get_attribute

    def read(instance):
        try:
            return get(instance)
        except SkipField:
            return _SKIP

    return read


def _converter(field, settings):
    bound = getattr(field, "lean_converter", None)
    if bound is not None:
        return bound(settings)
    if isinstance(field, LeanRepresentation):
        nested = _plan(type(field), settings)
        return lambda value: _represent(nested, value)
    kind = type(field)
    # Exactly these classes' to_representation (not subclasses, which may differ).
    if kind is serializers.CharField:
        return str
    if kind is serializers.IntegerField:
        return int
    return field.to_representation


def _compile(serializer, settings) -> list[tuple]:
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    plan = []
    for field in serializer._readable_fields:
        if isinstance(field, RelatedField):
            raise TypeError(f"{type(serializer).__name__}.{field.field_name}: a related field")
        plan.append(
            (field.field_name, _getter(field, model, settings), _converter(field, settings))
        )
    return plan


def render_settings() -> tuple:
    """What a representation may depend on besides the object, as of now: the active language,
    the script prefix and the URLconf (each a thread-local look-up)."""
    return (get_language(), get_script_prefix(), get_urlconf())


# (serializer class, render_settings()) → its plan; a few per class (one per language).
_PLANS: dict[tuple[type, tuple], list[tuple]] = {}


def _plan(cls: type, settings: tuple) -> list[tuple]:
    key = (cls, settings)
    plan = _PLANS.get(key)
    if plan is None:
        plan = _PLANS[key] = _compile(cls(), settings)
    return plan


def _represent(plan: list[tuple], instance) -> dict:
    ret = {}
    for name, read, convert in plan:
        value = read(instance)
        if value is None:
            ret[name] = None
        elif value is not _SKIP:
            ret[name] = convert(value)
    return ret


# A read-only serializer whose output is DRF's, made from a plan compiled once per class and
# render settings (language, script prefix, URLconf): the fields are built once per process
# instead of once per request (ModelSerializer builds every field from the model on each
# instance), and each item is a loop over (name, read, convert) with no per-field method
# dispatch. For a 20-item list that was about half of serialising it.
#
# Only for serializers whose fields read nothing from the serializer's context or request
# (a field's behaviour is fixed when the plan is built, without a context). A field whose
# output depends on the render settings offers `lean_getter(settings)` and/or
# `lean_converter(settings)`, giving the read or the conversion with those settings fixed
# (as LabelField and ListingUrlField do), so a list reads the settings once
# (LeanListSerializer), not per item and field; nested lean serializers share the settings.
# Related fields (PKOnlyObject) are refused when compiling.
# (No docstring: drf-spectacular would make it every subclass's description.)
class LeanRepresentation:
    def to_representation(self, instance):
        return _represent(_plan(type(self), render_settings()), instance)


# The `many=True` list of a LeanRepresentation serializer (its Meta.list_serializer_class):
# the render settings are read once for the whole list. No docstring, as above.
class LeanListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        iterable = data.all() if isinstance(data, models.manager.BaseManager) else data
        plan = _plan(type(self.child), render_settings())
        return [_represent(plan, item) for item in iterable]
