"""What the catalogue's lists repeat for every row, done once per process (issue 17).

`{{ listing|choice_label:"category" }}` is `{{ listing.get_category_display }}`: Django's
`get_FOO_display` builds a dict of every choice on each call, hashing each lazy label (one
`gettext` per choice: ~40 per row of /instruments/, 800 per page). Here the labels of a field
are read once per language and process. Fields whose choices are computed at run time (a
callable) are read on every call, as Django does.

`{% detail_url "instrument" code %}` is `{% url "catalogue:instrument_detail" code %}`: the
URL is reversed once per kind and script prefix, and a code of plain letters, digits, `-` and
`_` (every generated and imported code) is put into it; anything else goes through
`reverse()` as before.

`{% choice_options choices selected %}` writes a filter's `<option>`s (the instrument category
menu has dozens): each label is escaped once per language and process.
"""

from __future__ import annotations

import re

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.formats import localize
from django.utils.hashable import make_hashable
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# (model, field name, language) → {value: label}
_LABELS: dict[tuple[type, str, str | None], dict] = {}
# (script prefix, kind) → (URL before the code, URL after it)
_DETAIL_URLS: dict[tuple[str, str], tuple[str, str]] = {}
# (language, the (value, label) pairs) → [(value, escaped value, escaped label)]
_OPTIONS: dict[tuple[str | None, tuple], list[tuple[object, str, str]]] = {}
_PLAIN_CODE = re.compile(r"[A-Za-z0-9_-]+")
_PLACEHOLDER = "0"


def _labels(model: type, name: str) -> dict | None:
    key = (model, name, get_language())
    labels = _LABELS.get(key)
    if labels is None:
        field = model._meta.get_field(name)
        if isinstance(field.choices, CallableChoiceIterator):
            return None
        labels = _LABELS[key] = {
            make_hashable(value): force_str(label, strings_only=True)
            for value, label in field.flatchoices
        }
    return labels


@register.filter
def choice_label(obj, name: str):
    """The label of `obj`'s choice field `name` in the active language (get_FOO_display)."""
    labels = _labels(type(obj), name)
    if labels is None:
        return getattr(obj, f"get_{name}_display")()
    value = getattr(obj, obj._meta.get_field(name).attname)
    return labels.get(make_hashable(value), force_str(value, strings_only=True))


@register.simple_tag
def detail_url(kind: str, code) -> str:
    """reverse(f"catalogue:{kind}_detail", args=[code]), the pattern reversed once."""
    code = str(code)
    if not _PLAIN_CODE.fullmatch(code):
        return reverse(f"catalogue:{kind}_detail", args=[code])
    key = (get_script_prefix(), kind)
    parts = _DETAIL_URLS.get(key)
    if parts is None:
        url = reverse(f"catalogue:{kind}_detail", args=[_PLACEHOLDER])
        head, _, tail = url.rpartition(f"/{_PLACEHOLDER}/")
        parts = _DETAIL_URLS[key] = (f"{head}/", f"/{tail}")
    return f"{parts[0]}{code}{parts[1]}"


@register.simple_tag
def choice_options(choices, selected) -> str:
    """`<option value="…"[ selected]>label</option>` for each (value, label) of `choices`."""
    # The labels are part of the key: two menus with the same values and other labels (a yes/no
    # pair, levels 1–9) must not share their options. Hashing a lazy label translates it, one
    # dictionary look-up each (marketplace/translation.py); escaping stays once per process.
    key = (get_language(), tuple(choices))
    options = _OPTIONS.get(key)
    if options is None:
        options = _OPTIONS[key] = [
            (value, conditional_escape(localize(value)), conditional_escape(label))
            for value, label in choices
        ]
    return mark_safe(  # noqa: S308 - every value and label is escaped above
        "".join(
            f'<option value="{value_html}"{" selected" if value == selected else ""}>'
            f"{label_html}</option>"
            for value, value_html, label_html in options
        )
    )
