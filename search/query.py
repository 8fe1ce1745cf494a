"""A search request, its validation, and the engine-neutral result both engines return."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .analysis import (
    MAX_QUERY_CHARS,
    ParsedQuery,
    highlight,
    parse_query,
    relaxed_query,
    relaxing_helps,
)
from .facets import FACETS

SORTS = ("relevance", "newest", "price")
MAX_PAGE = 500
MAX_PAGE_SIZE = 100
# Deep paging is refused (Elasticsearch's default max_result_window, the same for both engines).
MAX_RESULT_WINDOW = 10_000


class SearchError(ValueError):
    """Bad search input: {parameter: [messages]}, shown as a 400 or next to the form."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


class SearchUnavailable(RuntimeError):
    """The engine cannot answer now (server down, timeout, missing index)."""


@dataclass
class SearchRequest:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def parsed(self) -> ParsedQuery:
        return parse_query(self.q)


@dataclass
class Hit:
    key: str
    kind: str
    code: str
    title: str
    url: str
    text: str
    snippet: str = ""
    details: dict = field(default_factory=dict)


@dataclass
class SearchResult:
    count: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    engine: str
    relaxed: bool = False
    request: SearchRequest | None = None

    def highlight(self, parsed: ParsedQuery) -> None:
        phrases = parsed.highlight_phrases()
        for hit in self.hits:
            hit.snippet = highlight(hit.text, phrases, width=120)


def parse_request(params, *, allowed_kinds=None) -> SearchRequest:
    """A SearchRequest from query parameters (a QueryDict or a dict of lists); SearchError on
    anything the engines must not see: unknown facet values, bad sort, page out of range."""
    errors: dict[str, list[str]] = {}

    def values(name: str) -> list[str]:
        if hasattr(params, "getlist"):
            raw = params.getlist(name)
        else:
            raw = params.get(name, [])
            raw = [raw] if isinstance(raw, str) else list(raw)
        out = []
        for item in raw:
            out.extend(part.strip() for part in str(item).split(",") if part.strip())
        return out

    q = params.get("q", "") or ""
    q = str(q[0] if isinstance(q, list | tuple) and q else q or "")
    if "\x00" in q:
        errors["q"] = [str(_("搜索词含有无效字符。"))]
    q = q[: MAX_QUERY_CHARS * 5]

    filters: dict[str, list[str]] = {}
    for name, facet in FACETS.items():
        selected = values(name)
        if not selected:
            continue
        bad = [value for value in selected if not facet.is_valid(value)]
        if bad:
            errors[name] = [str(_("未知的取值：%(values)s")) % {"values": "、".join(bad[:5])}]
            continue
        filters[name] = sorted(set(selected))[:20]

    sort = (params.get("sort") or "relevance") if params else "relevance"
    if sort not in SORTS:
        errors["sort"] = [str(_("排序方式须为 relevance、newest 或 price。"))]

    def integer(name: str, default: int, high: int) -> int:
        raw = params.get(name) if params else None
        if raw in (None, ""):
            return default
        try:
            number = int(raw)
        except (TypeError, ValueError):
            errors[name] = [str(_("须为整数。"))]
            return default
        if not 1 <= number <= high:
            errors[name] = [str(_("须在 1 到 %(high)s 之间。")) % {"high": high}]
            return default
        return number

    page = integer("page", 1, MAX_PAGE)
    page_size = integer("page_size", 20, MAX_PAGE_SIZE)
    if page * page_size > MAX_RESULT_WINDOW and "page" not in errors:
        errors["page"] = [
            str(_("只能翻到前 %(limit)s 条结果，请缩小搜索范围。")) % {"limit": MAX_RESULT_WINDOW}
        ]
    if errors:
        raise SearchError(errors)
    return SearchRequest(q=q, filters=filters, sort=sort, page=page, page_size=page_size)


def run(engine, request: SearchRequest) -> SearchResult:
    """Search with the exact query; if that finds nothing, with the forgiving one."""
    parsed = request.parsed()
    result = engine.search(parsed, request)
    relaxed = relaxed_query(parsed) if result.count == 0 and not parsed.empty else None
    if relaxed is not None and relaxing_helps(parsed, relaxed):
        retry = engine.search(relaxed, request, relaxed=True)
        if retry.count:
            retry.relaxed = True
            result, parsed = retry, relaxed
    result.request = request
    result.highlight(parsed)
    return result
