"""JSON API of search: GET /api/v1/search/ and GET /api/v1/search/suggest/."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import ErrorSerializer

from .documents import KINDS
from .engines import get_engine
from .facets import FACETS, labelled
from .query import MAX_PAGE, MAX_PAGE_SIZE, SORTS, SearchError, parse_request, run
from .results import result_line


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KINDS)
    code = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    snippet = serializers.CharField(
        help_text="HTML：匹配处以 <mark> 标出 / HTML, matches in <mark>"
    )
    details = serializers.DictField(
        help_text="按类型的比较信息（代码与金额字符串，金额单位元）/ facts to compare, by kind: "
        "instrument institution, region, price_hourly, price_internal_hourly, "
        "price_per_sample, service_modes; incubator institution, region, level, type, "
        "workstations_vacant, offices_vacant; technology institution, region, ip_type, trl, "
        "transfer_modes, asking_price (amounts in CNY yuan as strings, null when not offered)"
    )
    summary = serializers.ListField(
        child=serializers.CharField(),
        help_text="同样的信息，按当前语言写成短语 / the same facts as short labelled phrases",
    )


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    count = serializers.IntegerField(min_value=0)
    label = serializers.CharField()


class SearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=0)
    results = SearchHitSerializer(many=True)
    facets = serializers.DictField(child=FacetValueSerializer(many=True))
    relaxed = serializers.BooleanField(
        help_text="没有完全匹配时为 true，结果来自放宽的查询 / true when nothing matched exactly "
        "and the results come from the forgiving query"
    )


class SuggestResponseSerializer(serializers.Serializer):
    q = serializers.CharField(allow_blank=True)
    suggestions = serializers.ListField(child=serializers.CharField())


def _facet_parameter(name: str, facet) -> OpenApiParameter:
    if facet.values is not None:
        schema = {"type": "string", "enum": list(facet.values)}
    else:
        schema = {"type": "string", "pattern": facet.pattern}
    return OpenApiParameter(
        name,
        schema,
        required=False,
        description=f"{facet.label}（分面过滤；可重复或逗号分隔，表示任一）/ facet filter, any of",
    )


SEARCH_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, required=False, description="搜索词 / query"),
    *[_facet_parameter(name, facet) for name, facet in FACETS.items()],
    OpenApiParameter("sort", OpenApiTypes.STR, required=False, enum=list(SORTS)),
    OpenApiParameter(
        "page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, required=False
    ),
    OpenApiParameter(
        "page_size", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}, required=False
    ),
]


class SearchView(APIView):
    """One search over instruments, incubators, technologies, news and policy."""

    authentication_classes: list = []

    @extend_schema(
        parameters=SEARCH_PARAMETERS,
        responses={200: SearchResponseSerializer, 400: ErrorSerializer},
        tags=["search"],
        summary="全文搜索 / full-text search with facets",
    )
    def get(self, request):
        try:
            search_request = parse_request(request.query_params)
        except SearchError as error:
            raise exceptions.ValidationError(error.errors) from None
        result = run(get_engine(), search_request)
        return Response(
            {
                "count": result.count,
                "results": [
                    {
                        "kind": hit.kind,
                        "code": hit.code,
                        "title": hit.title,
                        "url": hit.url,
                        "snippet": hit.snippet,
                        "details": hit.details,
                        "summary": result_line(hit.kind, hit.details),
                    }
                    for hit in result.hits
                ],
                "facets": labelled(result.facets),
                "relaxed": result.relaxed,
            }
        )


class SuggestView(APIView):
    """Titles for the search box, matched by Chinese text, pinyin or initials."""

    authentication_classes: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=False, description="已输入的文字"),
        ],
        responses={200: SuggestResponseSerializer, 400: ErrorSerializer},
        tags=["search"],
        summary="搜索建议 / suggestions as you type",
    )
    def get(self, request):
        text = request.query_params.get("q", "")
        if "\x00" in text:
            raise exceptions.ValidationError({"q": [str(_("搜索词含有无效字符。"))]})
        text = text[:50]
        return Response(
            {"q": text, "suggestions": get_engine().suggest(text) if text.strip() else []}
        )
