"""What gets indexed: the published pages and listings, turned into engine-neutral documents.

A document is addressed by a key ("instrument:12", "page:40"); `load(keys)` re-reads the
current published state from the database, so an index update never trusts what a signal
saw and a draft can never leak into the index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.urls import get_script_prefix, reverse
from django.utils.html import strip_tags
from django.utils.translation import get_language, override

from . import analysis
from .facets import asking_price_bucket, hourly_price_bucket, trl_bucket

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
    # An English name is indexed with the title (and found by English queries).
    title_en: str = ""
    # Other names spelled in full pinyin besides the title (the institution, the operator).
    names: list[str] = field(default_factory=list)
    # Codes, model numbers and patent numbers: matched exactly and by prefix.
    codes: list[str] = field(default_factory=list)
    # What a result line shows for its kind (institution, city, prices …): codes and
    # amounts as strings, labelled in the reader's language when shown.
    details: dict = field(default_factory=dict)

    @property
    def title_tokens(self) -> list[str]:
        return analysis.tokens(self.title) + analysis.tokens(self.title_en)

    @property
    def code_tokens(self) -> list[str]:
        # one code after another; a separator keeps a phrase from running from one code into the next
        out: list[str] = []
        for code in self.codes:
            if out:
                out.append(analysis.SEPARATOR)
            out.extend(analysis.tokens(code))
        return out

    @property
    def body_tokens(self) -> list[str]:
        return analysis.tokens(self.text)

    @property
    def pinyin(self) -> tuple[list[str], list[str]]:
        """(syllables, initials) of the title: what suggestions match by prefix."""
        return analysis.pinyin_tokens(self.title)

    @property
    def pinyin_stream(self) -> tuple[list[str], list[str]]:
        """(syllables of the title and the other names, initials of the title)."""
        syllables, initials = self.pinyin
        for name in self.names:
            more, _initials = analysis.pinyin_tokens(name)
            if more:
                syllables = [*syllables, analysis.SEPARATOR, *more]
        return syllables, initials


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


@lru_cache(maxsize=4096)
def _label(model, field_name: str, value) -> str:
    """A choice's Chinese label, as get_FOO_display() gives it; remembered, because that
    method rebuilds the field's whole choice table on every call (a large share of a bulk
    import's document building)."""
    with override("zh-hans"):
        return str(dict(model._meta.get_field(field_name).flatchoices).get(value, value))


def _display(item, field_name: str) -> str:
    return _label(type(item), field_name, getattr(item, field_name))


@lru_cache(maxsize=64)
def _transfer_mode_label(mode: str) -> str:
    """A transfer mode's Chinese label (Technology.transfer_mode_labels, one at a time):
    remembered, each was a gettext through the whole fallback chain per document."""
    from marketplace.catalogue.vocabularies import TransferMode

    with override("zh-hans"):
        return str(TransferMode(mode).label)


# A code the detail URL spells as it is: reverse() would neither quote nor refuse it.
_PLAIN_CODE = re.compile(r"[A-Za-z0-9._~-]+")


@lru_cache(maxsize=64)
def _url_template(name: str, prefix: str, language: str | None) -> tuple[str, str]:
    marker = "0CODE0"
    url = reverse(name, args=[marker])
    head, _marker, tail = url.rpartition(marker)
    return head, tail


def _listing_url(item) -> str:
    """item.get_absolute_url() — reverse() resolved once per kind (and script prefix and
    language), not per listing: it was 7 % of a bulk import's index time (docs/performance.md).
    A code with a character reverse() would quote still goes through reverse()."""
    from marketplace.catalogue.models import Listing

    if type(item).get_absolute_url is not Listing.get_absolute_url or not _PLAIN_CODE.fullmatch(
        item.code
    ):
        return item.get_absolute_url()
    head, tail = _url_template(
        f"catalogue:{item._meta.model_name}_detail", get_script_prefix(), get_language()
    )
    return f"{head}{item.code}{tail}"


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def instrument_document(item) -> Document:
    with override("zh-hans"):
        text = _join(
            item.model_number,
            item.manufacturer,
            _display(item, "category"),
            item.description,
            item.capabilities,
            item.location,
            item.institution.name,
        )
    # the price people compare for an instrument is its machine-time fee (external, per hour)
    price = item.price_hourly if item.offers_machine_time else None
    facets = _listing_facets(item, item.institution.region)
    facets["category"] = [item.category]
    facets["service_mode"] = item.service_modes
    facets["hourly_price"] = [hourly_price_bucket(price)] if price is not None else []
    return Document(
        key=f"instrument:{item.pk}",
        kind="instrument",
        code=item.code,
        title=item.name,
        url=_listing_url(item),
        text=text,
        facets=facets,
        date=item.created_at.date() if item.created_at else None,
        price=price,
        title_en=getattr(item, "name_en", "") or "",
        names=[item.institution.name],
        codes=[item.code, item.model_number],
        details={
            "institution": item.institution.name,
            "region": item.institution.region,
            "price_hourly": _amount(price),
            "price_internal_hourly": _amount(
                item.price_internal_hourly if item.offers_machine_time else None
            ),
            "price_per_sample": _amount(
                item.price_per_sample if item.offers_sample_testing else None
            ),
            "service_modes": item.service_modes,
        },
    )


def incubator_document(item) -> Document:
    with override("zh-hans"):
        text = _join(
            _display(item, "type"),
            _display(item, "level"),
            _display(item, "region"),
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
        url=_listing_url(item),
        text=text,
        facets=facets,
        date=item.created_at.date() if item.created_at else None,
        names=[item.operator] if item.operator else [],
        codes=[item.code],
        details={
            "institution": item.institution.name,
            "region": item.region,
            "level": item.level,
            "type": item.type,
            "workstations_vacant": item.workstations_vacant,
            "offices_vacant": item.offices_vacant,
        },
    )


def technology_document(item) -> Document:
    with override("zh-hans"):
        text = _join(
            item.summary,
            item.field,
            _display(item, "ip_type"),
            item.ip_numbers,
            item.inventors,
            [_transfer_mode_label(mode) for mode in item.transfer_modes],
            item.description,
            item.institution.name,
        )
    facets = _listing_facets(item, item.institution.region)
    facets["ip_type"] = [item.ip_type]
    facets["trl"] = [trl_bucket(item.trl)] if item.trl else []
    facets["transfer_mode"] = item.transfer_modes
    facets["asking_price"] = (
        [asking_price_bucket(item.asking_price)] if item.asking_price is not None else []
    )
    return Document(
        key=f"technology:{item.pk}",
        kind="technology",
        code=item.code,
        title=item.title,
        url=_listing_url(item),
        text=text,
        facets=facets,
        date=item.created_at.date() if item.created_at else None,
        price=item.asking_price,
        names=[item.institution.name],
        codes=[item.code, *item.ip_numbers],
        details={
            "institution": item.institution.name,
            "region": item.institution.region,
            "ip_type": item.ip_type,
            "trl": item.trl,
            "transfer_modes": item.transfer_modes,
            "asking_price": _amount(item.asking_price),
        },
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
    codes = [page.document_number] if getattr(page, "document_number", "") else []
    return Document(
        key=f"page:{page.pk}",
        kind=kind,
        code=str(page.pk),
        title=page.title,
        url=page.url or "",
        text=text,
        facets=facets,
        date=day,
        codes=codes,
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


def from_written(model, pk: int, values: dict, institution, related: dict | None = None):
    """The document `load` would build for a listing a bulk writer has just written with
    these column values ({attname: value}; a column left out has its default), without
    reading it back: the instance is made as unpickling makes one (no `__init__`, whose
    modelcluster and Wagtail mixins, with the row's conversions, were a third of the time to
    index 100,000 new listings), holding what the database would give back — a decimal at
    its column's places, as both databases return it. `institution` and `related` (a
    reverse one-to-one's object or None, by accessor name) stand in for select_related."""
    from django.db import router
    from django.db.models.base import ModelState

    item = model.__new__(model)
    state = item._state = ModelState()
    state.adding = False
    state.db = router.db_for_write(model)
    attributes = item.__dict__
    for attname, default, places in _columns(model):
        value = values[attname] if attname in values else default()
        if places is not None and value is not None:
            value = value.quantize(places)
        attributes[attname] = value
    item.pk = pk
    state.fields_cache["institution"] = institution
    state.fields_cache.update(related or {})
    # looked up when called, so a test that wraps a builder sees these calls too
    return globals()[f"{model._meta.model_name}_document"](item)


@lru_cache(maxsize=16)
def _columns(model) -> list[tuple]:
    """(attname, its default's maker, a decimal's quantum or None) for each concrete column."""
    from django.db import models

    return [
        (
            column.attname,
            column.get_default,
            Decimal(1).scaleb(-column.decimal_places)
            if isinstance(column, models.DecimalField)
            else None,
        )
        for column in model._meta.concrete_fields
    ]


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
