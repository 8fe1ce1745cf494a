"""What gets indexed: the published pages and listings, turned into engine-neutral documents.

A document is addressed by a key ("instrument:12", "page:40"); `load(keys)` re-reads the
current published state from the database, so an index update never trusts what a signal
saw and a draft can never leak into the index.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.html import strip_tags
from django.utils.translation import override

from . import analysis
from .facets import price_bucket, trl_bucket

KINDS = ("instrument", "incubator", "technology", "news", "policy")
TEXT_LIMIT = 4000


@dataclass
class Document:
    key: str
    kind: str
    code: str
    title: str
    url: str
    text: str
    facets: dict[str, list[str]] = field(default_factory=dict)
    date: date | None = None
    price: Decimal | None = None

    @property
    def title_tokens(self) -> list[str]:
        return analysis.tokens(self.title)

    @property
    def body_tokens(self) -> list[str]:
        return analysis.tokens(self.text)

    @property
    def pinyin(self) -> tuple[list[str], list[str]]:
        return analysis.pinyin_tokens(self.title)


def _join(*parts) -> str:
    out = []
    for part in parts:
        if isinstance(part, list | tuple):
            out.extend(str(item) for item in part if item)
        elif part:
            out.append(str(part))
    return "\n".join(out)


def _listing_facets(listing, region: str) -> dict[str, list[str]]:
    return {"region": [region] if region else [], "institution": [listing.institution.code]}


def instrument_document(item) -> Document:
    with override("zh-hans"):
        text = _join(
            item.model_number,
            item.manufacturer,
            item.get_category_display(),
            item.description,
            item.capabilities,
            item.location,
            item.institution.name,
        )
    prices = [p for p in (item.price_hourly, item.price_per_sample) if p is not None]
    price = min(prices) if prices else None
    facets = _listing_facets(item, item.institution.region)
    facets["category"] = [item.category]
    facets["service_mode"] = item.service_modes
    facets["price"] = [price_bucket(price)] if price is not None else []
    return Document(
        key=f"instrument:{item.pk}",
        kind="instrument",
        code=item.code,
        title=item.name,
        url=item.get_absolute_url(),
        text=text,
        facets=facets,
        date=item.created_at.date() if item.created_at else None,
        price=price,
    )


def incubator_document(item) -> Document:
    with override("zh-hans"):
        text = _join(
            item.get_type_display(),
            item.get_level_display(),
            item.get_region_display(),
            item.county,
            item.address,
            item.operator,
            item.services,
            item.focus_industries,
            item.description,
            item.institution.name,
        )
    facets = _listing_facets(item, item.region)
    facets["incubator_type"] = [item.type]
    facets["incubator_level"] = [item.level]
    facets["vacancy"] = ["yes"] if item.workstations_vacant or item.offices_vacant else []
    return Document(
        key=f"incubator:{item.pk}",
        kind="incubator",
        code=item.code,
        title=item.name,
        url=item.get_absolute_url(),
        text=text,
        facets=facets,
        date=item.created_at.date() if item.created_at else None,
    )


def technology_document(item) -> Document:
    with override("zh-hans"):
        text = _join(
            item.summary,
            item.field,
            item.get_ip_type_display(),
            item.ip_numbers,
            item.inventors,
            item.transfer_mode_labels,
            item.description,
            item.institution.name,
        )
    facets = _listing_facets(item, item.institution.region)
    facets["ip_type"] = [item.ip_type]
    facets["trl"] = [trl_bucket(item.trl)] if item.trl else []
    facets["transfer_mode"] = item.transfer_modes
    facets["price"] = [price_bucket(item.asking_price)] if item.asking_price is not None else []
    return Document(
        key=f"technology:{item.pk}",
        kind="technology",
        code=item.code,
        title=item.title,
        url=item.get_absolute_url(),
        text=text,
        facets=facets,
        date=item.created_at.date() if item.created_at else None,
        price=item.asking_price,
    )


def _stream_text(value) -> str:
    try:
        return strip_tags(str(value.render_as_block()))
    except Exception:  # noqa: BLE001 — a block that cannot render is simply not searchable
        return ""


def page_document(page) -> Document | None:
    from cms.models import NewsPage, NoticePage, PolicyInterpretationPage, PolicyPage

    facets: dict[str, list[str]] = {}
    if isinstance(page, NewsPage | NoticePage):
        kind, day = "news", page.date
        text = _join(page.summary, page.source, _stream_text(page.body))
        if isinstance(page, NewsPage):
            text = _join(text, [tag.name for tag in page.tags.all()])
    elif isinstance(page, PolicyPage):
        kind, day = "policy", page.date_published or page.date_written
        text = _join(
            page.document_number,
            page.keywords,
            page.summary,
            page.issuer.name if page.issuer_id else "",
            page.plan_title,
            page.preamble,
            strip_tags(page.notice_text),
            _stream_text(page.structure),
            page.closing,
        )
        if page.issuer_id:
            facets["department"] = [page.issuer.slug]
    elif isinstance(page, PolicyInterpretationPage):
        kind, day = "policy", page.date
        text = _join(page.summary, page.source, _stream_text(page.body))
        policy = page.policy
        if policy is not None and policy.issuer_id:
            facets["department"] = [policy.issuer.slug]
    else:
        return None
    facets["year"] = [str(day.year)] if day else []
    return Document(
        key=f"page:{page.pk}",
        kind=kind,
        code=str(page.pk),
        title=page.title,
        url=page.url or "",
        text=text,
        facets=facets,
        date=day,
    )


# --- loading from the database --------------------------------------------------------------

LISTING_KINDS = ("instrument", "incubator", "technology")
PAGE_MODELS = ("NewsPage", "NoticePage", "PolicyPage", "PolicyInterpretationPage")


def _listing_querysets():
    from marketplace.catalogue.models import Incubator, Instrument, Technology

    return {
        "instrument": (
            Instrument.objects.published().select_related("institution"),
            instrument_document,
        ),
        "incubator": (
            Incubator.objects.published().select_related("institution"),
            incubator_document,
        ),
        "technology": (
            Technology.objects.published().select_related("institution"),
            technology_document,
        ),
    }


def _page_querysets():
    from cms import models as cms_models

    querysets = []
    for name in PAGE_MODELS:
        model = getattr(cms_models, name)
        queryset = model.objects.live().public()
        if name == "PolicyPage":
            queryset = queryset.select_related("issuer")
        elif name == "PolicyInterpretationPage":
            queryset = queryset.select_related("policy__issuer")
        elif name == "NewsPage":
            queryset = queryset.prefetch_related("tagged__tag")
        querysets.append(queryset)
    return querysets


def load(keys: Iterable[str]) -> dict[str, Document | None]:
    """The current published document for every key; None where it must leave the index."""
    from wagtail.models import Page

    keys = set(keys)
    found: dict[str, Document | None] = dict.fromkeys(keys)
    by_kind: dict[str, list[int]] = {}
    for key in keys:
        kind, _sep, pk = key.partition(":")
        if pk.isdigit():
            by_kind.setdefault(kind, []).append(int(pk))
    for kind, (queryset, build) in _listing_querysets().items():
        if by_kind.get(kind):
            for item in queryset.filter(pk__in=by_kind[kind]):
                found[f"{kind}:{item.pk}"] = build(item)
    if by_kind.get("page"):
        public = Page.objects.live().public().filter(pk__in=by_kind["page"])
        for page in public.specific():
            document = page_document(page)
            if document is not None:
                found[document.key] = document
    return found


def count_all() -> int:
    total = sum(queryset.count() for queryset, _build in _listing_querysets().values())
    return total + sum(queryset.count() for queryset in _page_querysets())


def iter_all(batch_size: int = 500) -> Iterator[Document]:
    """Every published document, streamed in batches (for rebuilding an index)."""
    for queryset, build in _listing_querysets().values():
        for item in queryset.order_by("pk").iterator(chunk_size=batch_size):
            yield build(item)
    for queryset in _page_querysets():
        for page in queryset.order_by("pk"):
            document = page_document(page)
            if document is not None:
                yield document
