"""The API kit every endpoint shares: paging, error and money bodies, +08:00 times, log rows."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.query import BaseIterable
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField
from rest_framework.pagination import PageNumberPagination
from rest_framework.relations import RelatedField
from rest_framework.response import Response
from rest_framework.settings import api_settings

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

    def lean_converter(self, settings):
        return money_json


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
    # These classes' own to_representation (a subclass that keeps it, as URLField and
    # EmailField keep CharField's `str(value)`; not one that overrides it).
    if kind.to_representation is serializers.CharField.to_representation:
        return str
    if kind.to_representation is serializers.IntegerField.to_representation:
        return int
    if kind is serializers.ChoiceField:
        return _choice_converter(field)
    if kind is serializers.DateField and _iso_dates(field):
        return _iso_date_converter(field)
    return field.to_representation


def _choice_converter(field):
    """ChoiceField.to_representation for a column's plain string (what a row holds): the
    stored choice's value as the field maps it, or the string itself; anything else (an Enum
    member) goes through the field as before. JSON-plain when every choice is a str or int."""
    mapping = field.choice_strings_to_values
    represent = field.to_representation

    def convert(value):
        return mapping.get(value, value) if type(value) is str else represent(value)

    if all(isinstance(choice, str | int) and not _odd(choice) for choice in mapping.values()):
        json_plain(convert)
    return convert


def _iso_dates(field) -> bool:
    """Whether DateField writes ISO 8601 (`value.isoformat()`): its own format, or DRF's
    DATE_FORMAT as set when the plan is made (a plan is made once per process)."""
    output_format = getattr(field, "format", api_settings.DATE_FORMAT)
    return isinstance(output_format, str) and output_format.lower() == ISO_8601


def _iso_date_converter(field):
    """DateField.to_representation of a date column in ISO 8601: `date.isoformat()`; any
    other value (a string, a datetime) goes through the field as before."""
    represent = field.to_representation

    def convert(value):
        return value.isoformat() if type(value) is dt.date else represent(value)

    return json_plain(convert)


# --- JSON-plain items: what the renderer need not walk ------------------------------------


def json_plain(function: Callable) -> Callable:
    """Mark `function` as giving only JSON-plain values: str, int, bool, None, and lists and
    dicts of them — never a float, nor an Enum that is neither a str nor an int (the values
    config.api.JSONRenderer walks a body for, as orjson writes them otherwise than DRF). A
    values plan made of such functions only gives PlainItems."""
    function.json_plain = True
    return function


_PLAIN_BUILTINS = frozenset({str, int, money_json})


def _is_plain(function) -> bool:
    return function in _PLAIN_BUILTINS or getattr(function, "json_plain", False) is True


def _odd(value) -> bool:
    """A float, or an Enum that is neither a str nor an int (see `json_plain`)."""
    import enum

    return isinstance(value, float) or (
        isinstance(value, enum.Enum) and not isinstance(value, str | int)
    )


class PlainItems(list):
    """The items of a list read as values whose plan is JSON-plain throughout (`json_plain`):
    config.api.JSONRenderer writes them with orjson without walking them first."""


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


# --- Lists read as values --------------------------------------------------------------------


class ValuesSource(NamedTuple):
    """What a field that is no plain column shows, made from column values in a list read as
    values (`ValuesListMixin`): the query paths it reads, from the serializer's model
    ("price_hourly", "capacity__offices_vacant"), and the function of their values (in that
    order) that gives the field's output. A serializer names them in `Meta.values_sources`
    (field name → source); a field class may offer `lean_values(settings, model)` instead."""

    columns: tuple[str, ...]
    output: Callable[..., Any]


def _related_model(model, attrs: list[str]):
    """The model `attrs` leads to from `model` over non-null foreign keys (or one-to-ones) of
    its own, so each row has exactly one; None if the path is anything else."""
    if model is None or not attrs:
        return None
    for attr in attrs:
        try:
            field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return None
        if not (field.concrete and (field.many_to_one or field.one_to_one)) or field.null:
            return None
        model = field.related_model
    return model


def _column(columns: list[str], path: str) -> int:
    """The position of `path` in the row, added to `columns` when it is not read yet."""
    if path not in columns:
        columns.append(path)
    return columns.index(path)


def _compile_values(serializer, model, settings, prefix: str, columns: list[str]) -> list[tuple]:
    """What each field of `serializer` is made of in a row of `columns` (added as needed):
    (name, "column", position, its conversion), (name, "source", positions, the function
    of their values) or (name, "nested", the related serializer's function of the row)."""
    sources = getattr(getattr(serializer, "Meta", None), "values_sources", {})
    plan = []
    for field in serializer._readable_fields:
        name = field.field_name
        source = sources.get(name)
        lean_values = getattr(field, "lean_values", None)
        if source is None and lean_values is not None:
            source = lean_values(settings, model)
        if source is not None:
            positions = tuple(_column(columns, prefix + path) for path in source.columns)
            plan.append((name, "source", positions, source.output))
        elif isinstance(field, LeanRepresentation) and (
            related := _related_model(model, field.source_attrs)
        ):
            # The related row's columns are in the same row, under the relation's path.
            inner = f"{prefix}{'__'.join(field.source_attrs)}__"
            nested = _compile_values(type(field)(), related, settings, inner, columns)
            plan.append((name, "nested", _values_function(nested), None))
        elif type(field).get_attribute is serializers.Field.get_attribute and _plain_attribute(
            model, field.source_attrs
        ):
            position = _column(columns, prefix + "__".join(field.source_attrs))
            plan.append((name, "column", position, _converter(field, settings)))
        else:
            raise TypeError(
                f"{type(serializer).__name__}.{name}: not a column; "
                "name its columns in Meta.values_sources"
            )
    return plan


def _values_function(plan: list[tuple]) -> Callable[[tuple], dict]:
    """One function of a row that makes the item `plan` describes, as `_represent` would
    from the same reads and conversions: a dict display in the fields' order, a column
    None where it is None and converted otherwise, a source its function's value, a
    nested item its own function of the row. Written once per plan as Python source: a
    loop over (name, read, convert) with a call to read each value was most of a
    100-item list's own time (`instruments?page_size=100`: 100 rows of 16 fields). The
    source holds only positions and generated names; the names and functions are bound
    in its namespace."""
    namespace: dict[str, Any] = {}
    items = []
    for index, (name, kind, where, how) in enumerate(plan):
        key = f"k{index}"
        namespace[key] = name
        if kind == "column":
            namespace[f"c{index}"] = how
            value = f"None if (v := row[{where:d}]) is None else c{index}(v)"
        elif kind == "source":
            namespace[f"o{index}"] = how
            value = f"o{index}({', '.join(f'row[{position:d}]' for position in where)})"
        else:
            namespace[f"n{index}"] = where
            value = f"n{index}(row)"
        items.append(f"{key}: {value}")
    source = f"def item(row):\n    return {{{', '.join(items)}}}\n"
    exec(compile(source, "<values plan>", "exec"), namespace)  # noqa: S102 (see above)
    item = namespace["item"]
    # JSON-plain when every column's conversion, every source and every nested item is.
    if all(_is_plain(how if kind != "nested" else where) for _name, kind, where, how in plan):
        json_plain(item)
    return item


# (serializer class, render_settings()) → (the columns a row holds, the plan over a row).
_VALUES_PLANS: dict[tuple[type, tuple], tuple[tuple[str, ...], Callable[[tuple], dict]]] = {}


def values_plan(cls: type, settings: tuple) -> tuple[tuple[str, ...], Callable[[tuple], dict]]:
    """The columns a list of `cls` reads (query paths, the order of a row) and the plan that
    makes a row of them into what `cls` shows of the listing (a function of the row),
    compiled once per class and render settings. Raises TypeError for a field that is no
    column and has no values source: a field added to the serializer must say what it is
    made of."""
    key = (cls, settings)
    compiled = _VALUES_PLANS.get(key)
    if compiled is None:
        columns: list[str] = []
        plan = _compile_values(cls(), cls.Meta.model, settings, "", columns)
        compiled = _VALUES_PLANS[key] = (tuple(columns), _values_function(plan))
    return compiled


def represent_values(plan: Callable[[tuple], dict], rows) -> list[dict]:
    """The items of `rows` (tuples of the columns of `values_plan`) made with its `plan`: as
    PlainItems when the plan is JSON-plain (`json_plain`)."""
    items = map(plan, rows)
    return PlainItems(items) if _is_plain(plan) else list(items)


class _ValueRows(BaseIterable):
    """The rows of a queryset as tuples of `columns` (as values_list reads them), the
    values selected only when the rows are read: a subclass per list names its columns."""

    columns: tuple[str, ...] = ()

    def __iter__(self):
        query = self.queryset.query.chain()
        query.set_values(self.columns)
        compiler = query.get_compiler(self.queryset.db)
        return compiler.results_iter(
            tuple_expected=True, chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size
        )


_ROW_CLASSES: dict[tuple[str, ...], type[_ValueRows]] = {}


def read_as_values(queryset: models.QuerySet, columns: tuple[str, ...]) -> models.QuerySet:
    """`queryset` whose rows, when read, are tuples of `columns`. Unlike `values_list()`,
    which joins the columns' tables into the query at once, the query stays the model's while
    it is counted, paged (its ids read) and filtered: only the page's rows read the columns,
    and only they join for them."""
    rows = _ROW_CLASSES.get(columns)
    if rows is None:
        rows = _ROW_CLASSES[columns] = type("ValueRows", (_ValueRows,), {"columns": columns})
    queryset = queryset.all()
    queryset._iterable_class = rows
    return queryset


# A read-only viewset whose list is made from values, not model instances: the page's rows
# are read as the columns its serializer's values plan names (`values_plan`), and each row
# made into the item with that plan, which gives what the serializer gives an instance of the
# row (tests/test_catalogue_api_values.py holds them to it). Building a model instance per
# row, and reading every attribute of it through the plan, was half of a 100-item list.
# (No docstring: drf-spectacular would make it the view's description.)
class ValuesListMixin:
    def list(self, request, *args, **kwargs):
        columns, plan = values_plan(self.get_serializer_class(), render_settings())
        rows = read_as_values(self.filter_queryset(self.get_queryset()), columns)
        page = self.paginate_queryset(rows)
        if page is None:
            return Response(represent_values(plan, rows))
        return self.get_paginated_response(represent_values(plan, page))
