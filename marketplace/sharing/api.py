"""Open-sharing API (开放共享评价): public indicators, rating a completed service, the
institution's answer, moderation, machine time recorded by members, and cancelling a booking
hit by downtime. Thin views over `services` and `indicators`; refusals become 400/403/404/409
in the project's exception handler."""

from __future__ import annotations

from django.utils.translation import get_language, gettext
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.views import APIView

from cms.page_cache import CATALOGUE
from marketplace.accounts.models import Institution
from marketplace.api import DetailSerializer, ErrorSerializer, MoneySerializer, local_iso, paginated
from marketplace.api_views import Endpoint, ListView, endpoint_urlpatterns, list_schema
from marketplace.catalogue.models import Instrument
from marketplace.money import money_json
from marketplace.workflow import NotFound, call

from . import freshness, indicators, services
from .models import Rating, ReviewStatus, Scope, UsageRecord

TAGS = ["open-sharing"]
YEAR = OpenApiParameter(
    "year", int, description="年度（默认今年）/ year (default: this year)", required=False
)


class YearQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


def _year(query: dict) -> int:
    return query.get("year") or indicators.current_year()


# --- Response shapes ------------------------------------------------------------------------


class TallySerializer(serializers.Serializer):
    effective_hours = serializers.DecimalField(max_digits=14, decimal_places=1)
    external_hours = serializers.DecimalField(max_digits=14, decimal_places=1)
    share_rate = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text="共享率（%）/ percent"
    )
    services = serializers.IntegerField()
    external_services = serializers.IntegerField()
    users_served = serializers.IntegerField()
    income_internal = MoneySerializer()
    income_external = MoneySerializer()
    average_rating = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    ratings = serializers.IntegerField()


def tally_json(tally) -> dict:
    return {
        "effective_hours": f"{tally.effective_hours}",
        "external_hours": f"{tally.external_hours}",
        "share_rate": None if tally.share_rate is None else f"{tally.share_rate}",
        "services": tally.services,
        "external_services": tally.external_services,
        "users_served": tally.users_served,
        "income_internal": money_json(tally.income_internal),
        "income_external": money_json(tally.income_external),
        "average_rating": None if tally.average_rating is None else f"{tally.average_rating}",
        "ratings": tally.ratings,
    }


class MonthSerializer(TallySerializer):
    month = serializers.IntegerField()


class NamedTallySerializer(TallySerializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ProvinceStatisticsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    total = TallySerializer()
    months = MonthSerializer(many=True)
    regions = NamedTallySerializer(many=True)
    categories = NamedTallySerializer(many=True)
    institutions = NamedTallySerializer(many=True, help_text="有效工作机时前 20 名 / top 20")


class IndicatorsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    effective_hours = serializers.DecimalField(max_digits=14, decimal_places=1)
    external_hours = serializers.DecimalField(max_digits=14, decimal_places=1)
    internal_hours = serializers.DecimalField(max_digits=14, decimal_places=1)
    research_hours = serializers.DecimalField(max_digits=14, decimal_places=1)
    maintenance_hours = serializers.DecimalField(max_digits=14, decimal_places=1)
    downtime_hours = serializers.DecimalField(max_digits=14, decimal_places=1)
    share_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    services = serializers.IntegerField()
    external_services = serializers.IntegerField()
    users_served = serializers.IntegerField()
    external_users_served = serializers.IntegerField()
    income_internal = MoneySerializer()
    income_external = MoneySerializer()
    median_response_hours = serializers.DecimalField(
        max_digits=10, decimal_places=1, allow_null=True
    )
    cancellation_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    no_show_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    average_rating = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    ratings = serializers.IntegerField()


def indicators_json(data: dict, *, year: int, code: str, name: str) -> dict:
    body = {"year": year, "code": code, "name": name}
    for key, value in data.items():
        if key.startswith("income_"):
            body[key] = money_json(value)
        elif value is None or isinstance(value, int):
            body[key] = value
        else:
            body[key] = f"{value}"
    return body


class RatingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    instrument = serializers.CharField(help_text="仪器编码 / instrument code")
    timeliness = serializers.IntegerField()
    quality = serializers.IntegerField()
    attitude = serializers.IntegerField()
    average = serializers.DecimalField(max_digits=3, decimal_places=1)
    comment = serializers.CharField(help_text="公开后才显示给他人 / shown to others once approved")
    comment_status = serializers.CharField()
    reply = serializers.CharField()
    reply_status = serializers.CharField()
    created_at = serializers.CharField()


def rating_json(rating: Rating, *, public: bool = False) -> dict:
    comment = rating.comment
    reply = rating.reply
    if public:
        comment = comment if rating.comment_status == ReviewStatus.APPROVED else ""
        reply = reply if rating.reply_status == ReviewStatus.APPROVED else ""
    return {
        "id": rating.pk,
        "instrument": rating.record.instrument.code,
        "timeliness": rating.timeliness,
        "quality": rating.quality,
        "attitude": rating.attitude,
        "average": f"{rating.average}",
        "comment": comment,
        "comment_status": rating.comment_status,
        "reply": reply,
        "reply_status": rating.reply_status,
        "created_at": local_iso(rating.created_at),
    }


class RateInput(serializers.Serializer):
    timeliness = serializers.IntegerField(min_value=1, max_value=5, help_text="及时性 1–5")
    quality = serializers.IntegerField(min_value=1, max_value=5, help_text="服务质量 1–5")
    attitude = serializers.IntegerField(min_value=1, max_value=5, help_text="服务态度 1–5")
    comment = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, help_text="可选 / optional"
    )


class ReplyInput(serializers.Serializer):
    reply = serializers.CharField(max_length=1000)


class ReviewInput(serializers.Serializer):
    part = serializers.ChoiceField(choices=[("comment", "comment"), ("reply", "reply")])
    approve = serializers.BooleanField()


class UsageInput(serializers.Serializer):
    kind = serializers.CharField(
        max_length=16,
        help_text="research（内部科研使用）、maintenance（维护保养）或 downtime（故障停机）",
    )
    start = serializers.DateTimeField(help_text="带时区偏移 / with a UTC offset")
    end = serializers.DateTimeField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class UsageRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    instrument = serializers.CharField()
    kind = serializers.CharField()
    source = serializers.CharField()
    external = serializers.BooleanField()
    minutes = serializers.IntegerField()
    income = MoneySerializer()
    start = serializers.CharField(allow_null=True)
    end = serializers.CharField(allow_null=True)
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    note = serializers.CharField()


def usage_json(record: UsageRecord) -> dict:
    return {
        "id": record.pk,
        "instrument": record.instrument.code,
        "kind": record.kind,
        "source": record.source,
        "external": record.external,
        "minutes": record.minutes,
        "income": money_json(record.income),
        "start": local_iso(record.started_at),
        "end": local_iso(record.ended_at),
        "year": record.year,
        "month": record.month,
        "note": record.note,
    }


class CancelInput(serializers.Serializer):
    booking = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class CancelledSerializer(serializers.Serializer):
    booking = serializers.IntegerField()
    status = serializers.CharField()
    refund = MoneySerializer()


# --- Views ------------------------------------------------------------------------------------


@list_schema(
    responses={
        200: paginated("PaginatedServiceRatingList", RatingSerializer),
        404: DetailSerializer,
    },
    summary="仪器的用户评价（公开的文字经审核）/ an instrument's ratings",
    operation_id="instrument_ratings_list",
    tags=TAGS,
)
class InstrumentRatingsView(ListView):
    permission_classes = APIView.permission_classes  # public

    def rows(self, request, code: str):
        instrument = Instrument.objects.published().filter(code=code).first()
        if instrument is None:
            raise NotFound(gettext("仪器不存在"))
        return (
            Rating.objects.filter(record__instrument=instrument)
            .select_related("record__instrument")
            .order_by("-created_at", "-pk")
        )

    def show(self, page) -> list:
        return [rating_json(rating, public=True) for rating in page]


@list_schema(
    "PaginatedUsageRecordList",
    UsageRecordSerializer,
    summary="仪器使用记录（本单位成员）/ an instrument's usage records (members)",
    operation_id="instrument_usage_list",
    tags=TAGS,
)
class InstrumentUsageView(ListView):
    """GET the instrument's usage records; POST records time used outside the platform."""

    def rows(self, request, code: str):
        instrument = services.instrument_for_member(request.user, code)
        records = UsageRecord.objects.filter(instrument=instrument).select_related("instrument")
        return records.order_by("-at", "-pk")

    def show(self, page) -> list:
        return [usage_json(record) for record in page]


def _record_usage(instrument, user, data: dict, request) -> UsageRecord:
    return services.record_usage(
        user, instrument, data["kind"], data["start"], data["end"], data.get("note", "")
    )


def _province(nothing, user, query: dict, request) -> dict:
    year = _year(query)
    # Kept in the shared cache until a figure moves (freshness.py); names are translated.
    return freshness.cached(
        f"statistics-api:{year}:{get_language()}",
        (freshness.FIGURES, CATALOGUE),
        lambda: _province_body(year),
    )


def _province_body(year: int) -> dict:
    def named(code, name, tally):
        return {"code": code, "name": name, **tally_json(tally)}

    return {
        "year": year,
        "total": tally_json(indicators.year_tally(Scope.PROVINCE, "", year)),
        "months": [
            {"month": t.month, **tally_json(t)}
            for t in indicators.monthly(Scope.PROVINCE, "", year)
        ],
        "regions": [named(r["code"], str(r["name"]), r["tally"]) for r in indicators.regions(year)],
        "categories": [
            named(c["code"], str(c["name"]), c["tally"]) for c in indicators.categories(year)
        ],
        "institutions": [
            named(row.institution.code, row.institution.name, row.tally)
            for row in indicators.ranking(year)
        ],
    }


def _institution(user, code: str) -> Institution:
    institution = Institution.objects.filter(code=code).first()
    if institution is None:
        raise NotFound(gettext("机构不存在"))
    return institution


def _instrument(user, code: str) -> Instrument:
    instrument = Instrument.objects.published().filter(code=code).first()
    if instrument is None:
        raise NotFound(gettext("仪器不存在"))
    return instrument


def _indicators(figures):
    """An indicators endpoint's perform: the year's `figures(listing, year)` of the listing."""

    def perform(listing, user, query: dict, request) -> dict:
        year = _year(query)
        body = figures(listing, year)
        return indicators_json(body, year=year, code=listing.code, name=listing.name)

    return perform


def _as_is(item, body: dict, user) -> dict:
    return body


def _rating(item, rating: Rating, user) -> dict:
    return rating_json(rating)


def _rate(item, user, data: dict, request) -> Rating:
    return services.rate(user, item, **data)


def _cancel_for_downtime(record, user, data: dict, request) -> tuple:
    return services.cancel_for_downtime(user, record, data["booking"])


def _cancelled(record, result: tuple, user) -> dict:
    booking, refund = result
    return {"booking": booking.pk, "status": booking.status, "refund": money_json(refund)}


INDICATORS = {200: IndicatorsSerializer, 400: ErrorSerializer, 404: DetailSerializer}
RATED = {"input": RateInput, "status": status.HTTP_201_CREATED, "response": RatingSerializer}
ENDPOINTS = [
    Endpoint("statistics/", "statistics", None, _province, _as_is, method="get",
             query=YearQuery, public=True, parameters=[YEAR],
             responses={200: ProvinceStatisticsSerializer, 400: ErrorSerializer},
             summary="全省开放共享统计 / province open-sharing statistics",
             operation_id="statistics_province"),
    Endpoint("statistics/institutions/<str:code>/", "statistics-institution", _institution,
             _indicators(indicators.institution_figures), _as_is, method="get", query=YearQuery,
             public=True, parameters=[YEAR], responses=INDICATORS,
             summary="机构年度开放共享指标 / an institution's indicators of a year",
             operation_id="statistics_institution"),
    Endpoint("statistics/instruments/<str:code>/", "statistics-instrument", _instrument,
             _indicators(indicators.instrument_figures), _as_is, method="get", query=YearQuery,
             public=True, parameters=[YEAR], responses=INDICATORS,
             summary="仪器年度开放共享指标 / an instrument's indicators of a year",
             operation_id="statistics_instrument"),
    Endpoint("instruments/<str:code>/usage/", "instrument-usage",
             services.instrument_for_member, _record_usage,
             lambda instrument, record, user: usage_json(record), base=InstrumentUsageView,
             input=UsageInput, status=status.HTTP_201_CREATED, response=UsageRecordSerializer,
             summary="登记平台外机时（内部科研、维护、停机）/ record machine time used off-platform",
             operation_id="instrument_usage_create"),
    Endpoint("bookings/<int:pk>/rating/", "booking-rating",
             lambda user, pk: services.service_for(user, booking_id=pk), _rate, _rating, **RATED,
             summary="评价已完成的机时预约（每项一次）/ rate a completed booking (once)",
             operation_id="bookings_rate"),
    Endpoint("sample-orders/<int:pk>/rating/", "sample-order-rating",
             lambda user, pk: services.service_for(user, order_id=pk), _rate, _rating, **RATED,
             summary="评价已完成的送样检测（每项一次）/ rate a completed sample order (once)",
             operation_id="sample_orders_rate"),
    Endpoint("ratings/<int:pk>/reply/", "rating-reply", services.rating_for_member,
             call(services.reply, "reply"), _rating, input=ReplyInput, response=RatingSerializer,
             summary="机构公开回复评价（一次）/ the institution answers a rating (once)",
             operation_id="ratings_reply"),
    Endpoint("ratings/<int:pk>/review/", "rating-review", services.rating_for_member,
             call(services.review, "part", "approve"), _rating, input=ReviewInput,
             response=RatingSerializer,
             summary="资源审核员审核评价或回复的文字 / a moderator makes a text public or not",
             operation_id="ratings_review"),
    Endpoint("downtime/<int:pk>/cancel-booking/", "downtime-cancel-booking",
             services.downtime_for, _cancel_for_downtime, _cancelled, input=CancelInput,
             response=CancelledSerializer,
             summary="因仪器停机取消预约并全额退款 / cancel a booking hit by downtime, full refund",
             operation_id="downtime_cancel_booking"),
]  # fmt: skip
urlpatterns = endpoint_urlpatterns(ENDPOINTS, tags=TAGS)
