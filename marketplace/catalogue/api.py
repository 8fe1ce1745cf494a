"""Public read API of the catalogue (API.md, "Catalogue"): lists with filters, details by code,
instrument availability, and CSV export of any filtered list."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from itertools import chain
from urllib.parse import quote

from django.db.models import CharField, Value
from django.db.models.functions import Cast
from django.http import Http404, StreamingHttpResponse
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from marketplace.accounts.models import INSTITUTION_DETAILS, Institution, InstitutionType
from marketplace.api import (
    ChoiceLabelField,
    DetailSerializer,
    ErrorSerializer,
    LeanListSerializer,
    LeanRepresentation,
    MoneyField,
    MoneySerializer,
    ValuesListMixin,
    ValuesSource,
    json_plain,
    render_settings,
    values_plan,
)
from marketplace.money import money_json
from marketplace.regions import Region
from marketplace.statements import Statement

from .availability import (
    AvailabilityRangeError,
    parse_range,
    parse_time,
    published_rules,
    rules_availability_json,
)
from .filters import (
    CHOICE_FILTERS,
    FilterError,
    apply_filters,
    parse_filters,
)
from .models import (
    TRANSFER_MODE_COLUMNS,
    Incubator,
    Instrument,
    OpeningInterval,
    RefundTier,
    Technology,
)
from .paging import CataloguePagination, stored_filtered_list
from .vocabularies import IncubatorLevel, IncubatorType, InstrumentCategory, IpType

# What an instrument's booking rules (InstrumentDetailSerializer.get_booking) read of it.
BOOKING_RULE_COLUMNS = (
    "timezone",
    "slot_minutes",
    "min_minutes",
    "max_minutes",
    "min_notice_hours",
    "max_advance_days",
    "approval_required",
    "training_required",
    "max_active_bookings",
    "max_hours_per_week",
)

# Any path segment: a code that cannot exist is a JSON 404 from the view, not a routing miss.
CODE_REGEX = r"[^/]+"


# (choice table, language, stored value) → the label as a string; a few hundred at most.
_LABELS: dict[tuple[str, str, str], str] = {}


class LabelField(ChoiceLabelField):
    """ChoiceLabelField with the translated label kept per process and language: turning the
    lazy label into a string is a gettext call through every fallback catalogue, once per
    listing of a list; the same label in the same language is the same string."""

    def __init__(self, choices, **kwargs):
        self.table = f"{choices.__module__}.{choices.__qualname__}"
        super().__init__(choices, **kwargs)

    def to_representation(self, value) -> str:
        return self._label(get_language(), value)

    def _label(self, language, value) -> str:
        key = (self.table, language, value)
        label = _LABELS.get(key)
        if label is None:
            label = _LABELS[key] = super().to_representation(value)
        return label

    def lean_converter(self, settings):
        """to_representation in the language of `settings` (render_settings(), read once per
        list by LeanListSerializer instead of once per listing)."""
        language = settings[0]
        return json_plain(lambda value: self._label(language, value))


# (model, script prefix, URLconf) → the detail URL with the code left out, and its tail.
_URL_PARTS: dict[tuple[str, str, str | None], tuple[str, str]] = {}
_PROBE = "probe"
# The characters `quote()` never escapes (RFC 3986's unreserved), ASCII only.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]+", re.ASCII)


class ListingUrlField(serializers.CharField):
    """The listing's page (`get_absolute_url()`), as `CharField(source="get_absolute_url")`
    gave it, without DRF's per-item look at the method's signature (inspect.signature on
    every listing of every list) and without a `reverse()` per listing: the URL around the
    code is reversed once per process and the code quoted as `reverse()` quotes it. A code
    that the `<str:code>` pattern would not take (empty, or with a "/") still goes through
    `get_absolute_url()`, so it fails or succeeds exactly as before."""

    def __init__(self, **kwargs):
        super().__init__(source="get_absolute_url", **kwargs)

    def get_attribute(self, instance):
        return self._url(instance, get_script_prefix(), get_urlconf())

    def lean_getter(self, settings):
        """get_attribute with the script prefix and URLconf of `settings` (render_settings(),
        read once per list by LeanListSerializer instead of once per listing)."""
        _language, prefix, urlconf = settings
        return lambda instance: self._url(instance, prefix, urlconf)

    def lean_values(self, settings, model) -> ValuesSource:
        """The URL of a row of a list read as values: its code is the column. An odd code
        goes through `reverse()` as `Listing.get_absolute_url()` does."""
        _language, prefix, urlconf = settings

        def url(code) -> str:
            if not code or "/" in code:
                return reverse(f"catalogue:{model._meta.model_name}_detail", args=[code])
            return self._code_url(model, code, prefix, urlconf)

        return ValuesSource(("code",), json_plain(url))

    @classmethod
    def _url(cls, instance, prefix, urlconf) -> str:
        code = instance.code
        if not code or "/" in code:
            return instance.get_absolute_url()
        return cls._code_url(type(instance), code, prefix, urlconf)

    @staticmethod
    def _code_url(model, code: str, prefix: str, urlconf) -> str:
        key = (model._meta.label, prefix, urlconf)
        parts = _URL_PARTS.get(key)
        if parts is None:
            probe = reverse(f"catalogue:{model._meta.model_name}_detail", args=[_PROBE])
            head, _probe, tail = probe.rpartition(_PROBE)
            parts = _URL_PARTS[key] = (head, tail)
        if not _UNRESERVED.fullmatch(code):  # quote() leaves letters, digits and -._~ as they are
            code = quote(code, safe=RFC3986_SUBDELIMS + "/~:@")
        return f"{parts[0]}{code}{parts[1]}"


@json_plain
def institution_url(code: str) -> str:
    """An institution's page, as the API shows it."""
    return f"/institutions/{code}/"


class InstitutionSerializer(LeanRepresentation, serializers.ModelSerializer):
    region_name = LabelField(Region, source="region")
    type_name = LabelField(InstitutionType, source="type")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Institution
        list_serializer_class = LeanListSerializer
        fields = [
            "code",
            "name",
            "type",
            "type_name",
            "region",
            "region_name",
            *INSTITUTION_DETAILS,
            "instrument_count",
            "url",
        ]
        extra_kwargs = {"instrument_count": {"help_text": "开放仪器数 / published instruments"}}
        values_sources = {"url": ValuesSource(("code",), institution_url)}

    def get_url(self, obj) -> str:
        return institution_url(obj.code)


class InstitutionRefSerializer(LeanRepresentation, serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


# The price columns of an instrument, in the order `pricing_json` takes them.
PRICE_COLUMNS = (
    "price_hourly",
    "price_internal_hourly",
    "price_per_sample",
    "price_internal_per_sample",
)


@json_plain
def pricing_json(hourly, internal_hourly, per_sample, internal_per_sample) -> dict:
    """An instrument's `pricing` (PricingSerializer) of its PRICE_COLUMNS."""
    return {
        "hourly": money_json(hourly),
        "internal_hourly": money_json(internal_hourly),
        "per_sample": money_json(per_sample),
        "internal_per_sample": money_json(internal_per_sample),
    }


class PricingSerializer(serializers.Serializer):
    hourly = MoneySerializer(allow_null=True)
    internal_hourly = MoneySerializer(allow_null=True)
    per_sample = MoneySerializer(allow_null=True)
    internal_per_sample = MoneySerializer(allow_null=True)


class OpeningIntervalSerializer(serializers.ModelSerializer):
    # "HH:MM" wall-clock times, as in the import format (not RFC 3339 "time").
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()

    class Meta:
        model = OpeningInterval
        fields = ["weekday", "start", "end"]

    def get_start(self, obj) -> str:
        return obj.start.strftime("%H:%M")

    def get_end(self, obj) -> str:
        return obj.end.strftime("%H:%M")


class RefundTierSerializer(serializers.ModelSerializer):
    class Meta:
        model = RefundTier
        fields = ["hours_before", "refund_percent"]


class BookingRulesSerializer(serializers.Serializer):
    timezone = serializers.CharField()
    opening_hours = OpeningIntervalSerializer(many=True)
    slot_minutes = serializers.IntegerField()
    min_minutes = serializers.IntegerField()
    max_minutes = serializers.IntegerField()
    min_notice_hours = serializers.IntegerField()
    max_advance_days = serializers.IntegerField()
    approval_required = serializers.BooleanField()
    training_required = serializers.BooleanField()
    # The quotas in force per person (the instrument's own or the platform default).
    max_active_bookings = serializers.IntegerField(source="booking_quota_active")
    max_hours_per_week = serializers.IntegerField(source="booking_quota_hours")
    refund_policy = RefundTierSerializer(many=True, source="refund_tiers")


class InstrumentSerializer(LeanRepresentation, serializers.ModelSerializer):
    institution = InstitutionRefSerializer()
    region = serializers.CharField(source="institution.region")
    category_name = LabelField(InstrumentCategory, source="category")
    model = serializers.CharField(source="model_number")
    original_value = MoneyField()
    service_modes = serializers.ListField(child=serializers.CharField())
    pricing = serializers.SerializerMethodField()
    url = ListingUrlField()

    class Meta:
        model = Instrument
        list_serializer_class = LeanListSerializer
        fields = [
            "code",
            "name",
            "institution",
            "region",
            "category",
            "category_name",
            "model",
            "manufacturer",
            "origin_country",
            "original_value",
            "commissioned_on",
            "location",
            "service_modes",
            "pricing",
            "status",
            "url",
        ]
        values_sources = {
            "service_modes": ValuesSource(
                ("offers_machine_time", "offers_sample_testing"),
                json_plain(Instrument.service_modes_of),
            ),
            "pricing": ValuesSource(PRICE_COLUMNS, pricing_json),
        }

    @extend_schema_field(PricingSerializer)
    def get_pricing(self, obj):
        return pricing_json(*(getattr(obj, column) for column in PRICE_COLUMNS))


class InstrumentDetailSerializer(InstrumentSerializer):
    booking = serializers.SerializerMethodField()

    class Meta(InstrumentSerializer.Meta):
        fields = [
            *InstrumentSerializer.Meta.fields,
            "description",
            "capabilities",
            "booking",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]

    @extend_schema_field(BookingRulesSerializer)
    def get_booking(self, obj):
        # What BookingRulesSerializer(obj).data gives, without building its three
        # serializers per request; the opening hours and refund tiers in one statement.
        opening, tiers = booking_lists(obj.pk)
        return {
            "timezone": str(obj.timezone),
            "opening_hours": opening,
            "slot_minutes": int(obj.slot_minutes),
            "min_minutes": int(obj.min_minutes),
            "max_minutes": int(obj.max_minutes),
            "min_notice_hours": int(obj.min_notice_hours),
            "max_advance_days": int(obj.max_advance_days),
            "approval_required": bool(obj.approval_required),
            "training_required": bool(obj.training_required),
            "max_active_bookings": int(obj.booking_quota_active),
            "max_hours_per_week": int(obj.booking_quota_hours),
            "refund_policy": tiers,
        }


def _booking_lists_query(pk: int):
    """An instrument's opening hours (kind 0) and refund tiers (kind 1) as one UNION."""
    opening = (
        OpeningInterval.objects.filter(instrument_id__in=[pk])
        .order_by()
        .values_list(Value(0), "weekday", Cast("start", CharField()), Cast("end", CharField()))
    )
    tiers = (
        RefundTier.objects.filter(instrument_id__in=[pk])
        .order_by()
        .values_list(Value(1), "hours_before", Cast("refund_percent", CharField()), Value(""))
    )
    return opening.union(tiers, all=True)


_BOOKING_LISTS = Statement(_booking_lists_query, int)


def booking_lists(pk: int) -> tuple[list[dict], list[dict]]:
    """The instrument's opening hours ({weekday, start, end} as "HH:MM", by weekday and
    start) and refund tiers ({hours_before, refund_percent}, the longest notice first), as
    OpeningIntervalSerializer and RefundTierSerializer show them, read in one statement."""
    opening, tiers = [], []
    for kind, number, first, second in _BOOKING_LISTS.rows(pk):
        if kind:
            tiers.append((number, int(first)))
        else:
            opening.append((number, parse_time(first), parse_time(second)))
    opening.sort(key=lambda row: row[:2])
    tiers.sort(key=lambda row: -row[0])
    return (
        [
            {"weekday": weekday, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
            for weekday, start, end in opening
        ],
        [{"hours_before": hours, "refund_percent": percent} for hours, percent in tiers],
    )


class IncubatorSerializer(LeanRepresentation, serializers.ModelSerializer):
    institution = InstitutionRefSerializer()
    type_name = LabelField(IncubatorType, source="type")
    level_name = LabelField(IncubatorLevel, source="level")
    region_name = LabelField(Region, source="region")
    floor_area_m2 = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    url = ListingUrlField()
    # Live counters (catalogue.IncubatorCapacity), not revisioned listing fields.
    workstations_vacant = serializers.IntegerField(read_only=True)
    offices_vacant = serializers.IntegerField(read_only=True)

    class Meta:
        model = Incubator
        list_serializer_class = LeanListSerializer
        fields = [
            "code",
            "name",
            "institution",
            "type",
            "type_name",
            "level",
            "level_name",
            "region",
            "region_name",
            "county",
            "address",
            "lat",
            "lng",
            "floor_area_m2",
            "workstations_total",
            "workstations_vacant",
            "offices_total",
            "offices_vacant",
            "url",
        ]
        values_sources = {
            "workstations_vacant": ValuesSource(
                ("capacity__workstations_vacant", "workstations_total"), Incubator.vacancy
            ),
            "offices_vacant": ValuesSource(
                ("capacity__offices_vacant", "offices_total"), Incubator.vacancy
            ),
        }


class IncubatorDetailSerializer(IncubatorSerializer):
    class Meta(IncubatorSerializer.Meta):
        fields = [
            *IncubatorSerializer.Meta.fields,
            "operator",
            "established_on",
            "incubated_companies",
            "services",
            "focus_industries",
            "description",
            "website",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]


class TechnologySerializer(LeanRepresentation, serializers.ModelSerializer):
    institution = InstitutionRefSerializer()
    region = serializers.CharField(source="institution.region")
    ip_type_name = LabelField(IpType, source="ip_type")
    transfer_modes = serializers.ListField(child=serializers.CharField())
    asking_price = MoneyField(allow_null=True)
    url = ListingUrlField()

    class Meta:
        model = Technology
        list_serializer_class = LeanListSerializer
        fields = [
            "code",
            "title",
            "institution",
            "region",
            "field",
            "ip_type",
            "ip_type_name",
            "ip_status",
            "trl",
            "transfer_modes",
            "asking_price",
            "url",
        ]
        values_sources = {
            "transfer_modes": ValuesSource(
                TRANSFER_MODE_COLUMNS, json_plain(Technology.transfer_modes_of)
            )
        }


class TechnologyDetailSerializer(TechnologySerializer):
    details = serializers.SerializerMethodField(
        help_text="技术详细资料；保密（details_under_nda）时为 null / full technical details; "
        "null while they are under NDA"
    )

    class Meta(TechnologySerializer.Meta):
        fields = [
            *TechnologySerializer.Meta.fields,
            "summary",
            "description",
            "details_under_nda",
            "details",
            "ip_numbers",
            "inventors",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]

    def get_details(self, obj) -> str | None:
        return None if obj.details_under_nda else obj.details


class AvailabilitySerializer(serializers.Serializer):
    class FreeSerializer(serializers.Serializer):
        start = serializers.DateTimeField()
        end = serializers.DateTimeField()

    timezone = serializers.CharField()
    slot_minutes = serializers.IntegerField()
    free = FreeSerializer(many=True)


def _filter_parameters(kind: str) -> list[OpenApiParameter]:
    params = [
        OpenApiParameter("q", str, description="关键词 / keywords (≤ 100 characters)"),
        OpenApiParameter("institution", str, description="机构编码 / institution code"),
    ]
    for name, spec in CHOICE_FILTERS[kind].items():
        params.append(OpenApiParameter(name, str, enum=list(spec.choices.values)))
    if kind == "technology":
        params += [
            OpenApiParameter("field", str),
            OpenApiParameter("trl_min", int),
            OpenApiParameter("trl_max", int),
        ]
    if kind == "incubator":
        params.append(OpenApiParameter("vacant", str, enum=["1", "true"]))
    return params


def _csv_stream(header: list[str], rows: Iterator[list]) -> Iterator[str]:
    from marketplace.csv_safety import neutralise

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # The BOM makes Excel read the file as UTF-8, so Chinese text is not garbled.
    yield "\ufeff"
    writer.writerow(header)
    for row in rows:
        # A cell such as "=HYPERLINK(…)" would run as a formula in a spreadsheet: disarmed.
        writer.writerow([neutralise(cell) for cell in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _money_text(amount) -> str:
    return "" if amount is None else f"{amount:.2f}"


# Columns of each kind's CSV export: (bilingual header, value of a row).
CSV_COLUMNS = {
    "instrument": [
        ("编码 code", lambda o: o.code),
        ("仪器名称 name", lambda o: o.name),
        ("所属机构 institution", lambda o: o.institution.name),
        ("州市 region", lambda o: o.institution.get_region_display()),
        ("分类 category", lambda o: o.get_category_display()),
        ("型号 model", lambda o: o.model_number),
        ("厂商 manufacturer", lambda o: o.manufacturer),
        ("原值（元）original value (CNY)", lambda o: _money_text(o.original_value)),
        ("机时价格（元/小时）hourly (CNY)", lambda o: _money_text(o.price_hourly)),
        ("送样价格（元/样）per sample (CNY)", lambda o: _money_text(o.price_per_sample)),
        ("服务方式 service modes", lambda o: " ".join(o.service_modes)),
        ("状态 status", lambda o: o.get_status_display()),
    ],
    "incubator": [
        ("编码 code", lambda o: o.code),
        ("载体名称 name", lambda o: o.name),
        ("类型 type", lambda o: o.get_type_display()),
        ("级别 level", lambda o: o.get_level_display()),
        ("州市 region", lambda o: o.get_region_display()),
        ("地址 address", lambda o: o.address),
        ("工位总数 workstations", lambda o: o.workstations_total),
        ("空余工位 vacant", lambda o: o.workstations_vacant),
        ("运营机构 institution", lambda o: o.institution.name),
    ],
    "technology": [
        ("编码 code", lambda o: o.code),
        ("成果名称 title", lambda o: o.title),
        ("所属机构 institution", lambda o: o.institution.name),
        ("领域 field", lambda o: o.field),
        ("知识产权 IP type", lambda o: o.get_ip_type_display()),
        ("TRL", lambda o: o.trl or ""),
        ("转化方式 transfer modes", lambda o: " ".join(o.transfer_modes)),
        ("报价（元）asking price (CNY)", lambda o: _money_text(o.asking_price) or "面议"),
    ],
}


class ListingViewSet(ValuesListMixin, viewsets.ReadOnlyModelViewSet):
    """Published listings only; filters are validated and combine with AND."""

    kind: str
    lookup_field = "code"
    lookup_value_regex = CODE_REGEX
    pagination_class = CataloguePagination
    detail_serializer_class: type[serializers.Serializer]

    # What a detail field that is no column of the listing reads (`detail_columns`).
    detail_sources: dict[str, tuple[str, ...]] = {}

    def detail_columns(self) -> tuple[str, ...]:
        """The columns the detail shows, read with .only() (not the moderation, revision and
        import columns): its list's columns (the values plan the list reads) and the fields the
        detail adds, a field that is no column as `detail_sources` names it. A field that is
        neither fails every detail request (.only() refuses the name), not silently."""
        columns, _plan = values_plan(self.serializer_class, render_settings())
        listed = set(self.serializer_class.Meta.fields)
        own = (
            self.detail_sources.get(name, (name,))
            for name in self.detail_serializer_class.Meta.fields
            if name not in listed
        )
        return ("institution", *columns, *chain.from_iterable(own))

    def base_queryset(self):
        return (
            self.queryset.model.objects.published().select_related("institution").order_by("code")
        )

    def get_queryset(self):
        queryset = self.base_queryset()
        if self.action == "retrieve":
            queryset = queryset.only(*self.detail_columns())
        if self.action == "list":
            try:
                applied = parse_filters(self.kind, self.request.query_params)
            except FilterError as exc:
                raise exceptions.ValidationError(exc.errors) from None
            # What the list is, for its total in the count store (paging.StoredList): the
            # kind and the validated filters determine the query, as base_queryset is fixed.
            queryset, self.stored_list = stored_filtered_list(self.kind, queryset, applied)
        elif self.action == "export":
            try:
                queryset, _applied = apply_filters(self.kind, queryset, self.request.query_params)
            except FilterError as exc:
                raise exceptions.ValidationError(exc.errors) from None
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return self.detail_serializer_class
        return self.serializer_class

    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request, *args, **kwargs):
        columns = CSV_COLUMNS[self.kind]
        queryset = self.get_queryset()
        rows = ([fn(obj) for _h, fn in columns] for obj in queryset.iterator(chunk_size=2000))
        response = StreamingHttpResponse(
            _csv_stream([header for header, _fn in columns], rows),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{self.kind}s.csv"'
        return response


def _list_schema(kind: str, serializer, detail):
    csv_params = _filter_parameters(kind)
    return extend_schema_view(
        list=extend_schema(
            parameters=csv_params,
            responses={200: serializer(many=True), 400: ErrorSerializer, 404: DetailSerializer},
            tags=["catalogue"],
        ),
        retrieve=extend_schema(responses={200: detail, 404: DetailSerializer}, tags=["catalogue"]),
        export=extend_schema(
            parameters=csv_params,
            responses={
                (200, "text/csv"): OpenApiTypes.STR,
                (400, "application/json"): ErrorSerializer,
            },
            tags=["catalogue"],
            summary="CSV 导出 / CSV export (UTF-8 with BOM)",
        ),
    )


@_list_schema("instrument", InstrumentSerializer, InstrumentDetailSerializer)
class InstrumentViewSet(ListingViewSet):
    kind = "instrument"
    queryset = Instrument.objects.all()
    serializer_class = InstrumentSerializer
    detail_serializer_class = InstrumentDetailSerializer
    detail_sources = {"booking": BOOKING_RULE_COLUMNS}

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, required=True),
            OpenApiParameter("end", OpenApiTypes.DATE, required=True),
        ],
        responses={200: AvailabilitySerializer, 400: ErrorSerializer, 404: DetailSerializer},
        tags=["catalogue"],
        summary="空闲机时 / free machine time (range ≤ 62 days)",
    )
    @action(detail=True, methods=["get"])
    def availability(self, request, code=None):
        # Two statements compiled once (availability.published_rules and its blackouts and
        # bookings), not the ORM's four queries built per request.
        rules = published_rules(code)
        if rules is None:  # as get_object_or_404 said it
            raise Http404(f"No {Instrument._meta.object_name} matches the given query.")
        try:
            first, last = parse_range(
                request.query_params.get("start"), request.query_params.get("end")
            )
        except AvailabilityRangeError as exc:
            raise exceptions.ValidationError({"range": [str(exc)]}) from None
        return Response(rules_availability_json(rules, first, last))


@_list_schema("incubator", IncubatorSerializer, IncubatorDetailSerializer)
class IncubatorViewSet(ListingViewSet):
    kind = "incubator"
    queryset = Incubator.objects.all()
    serializer_class = IncubatorSerializer
    detail_serializer_class = IncubatorDetailSerializer


@_list_schema("technology", TechnologySerializer, TechnologyDetailSerializer)
class TechnologyViewSet(ListingViewSet):
    kind = "technology"
    queryset = Technology.objects.all()
    serializer_class = TechnologySerializer
    detail_serializer_class = TechnologyDetailSerializer


@extend_schema_view(
    list=extend_schema(
        responses={200: InstitutionSerializer(many=True), 404: DetailSerializer}, tags=["catalogue"]
    ),
    retrieve=extend_schema(
        responses={200: InstitutionSerializer, 404: DetailSerializer}, tags=["catalogue"]
    ),
)
class InstitutionViewSet(ValuesListMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Institution.objects.order_by("code")
    serializer_class = InstitutionSerializer
    lookup_field = "code"
    lookup_value_regex = CODE_REGEX
