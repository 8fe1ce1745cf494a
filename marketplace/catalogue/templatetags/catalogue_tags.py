"""What the catalogue's lists repeat for every row, done once per process (issue 17).

`{{ listing|choice_label:"category" }}` is `{{ listing.get_category_display }}`: Django's
`get_FOO_display` builds a dict of every choice on each call, hashing each lazy label (one
`gettext` per choice: ~40 per row of /instruments/, 800 per page). Here the labels of a field
are read once per language and process. Fields whose choices are computed at run time (a
callable) are read on every call, as Django does.

`{% detail_url "instrument" code %}` is `{% url "catalogue:instrument_detail" code %}` and
`{% code_url "bookings:calendar" code %}` is `{% url "bookings:calendar" code %}`: the URL is
reversed once per name and script prefix, and a code of plain letters, digits, `-` and
`_` (every generated and imported code) is put into it; anything else goes through
`reverse()` as before.

`{% choice_options choices selected %}` writes a filter's `<option>`s (the instrument category
menu has dozens): each label is escaped once per language and process.

`{% instrument_rows page %}` writes the rows of /instruments/ as the template loop it replaces
wrote them, byte for byte (tests/test_catalogue_tags.py renders both): 20 rows of a dozen
template nodes each were a sixth of the page's time; the row's words are translated once per
page, not once per row.

`{% institution_rows page %}`, `{% incubator_rows page %}` and `{% technology_rows page %}` do
the same for /institutions/ (the count's plural form looked up once per count and page, not
once per row), /incubators/ and /technologies/; `{% filter_fields filters %}` for the
lists' filter menus and `{% page_links page query_prefix %}` for templates/includes/
pagination.html: each writes what the template it replaced wrote, byte for byte (tests/
test_catalogue_tags.py renders both).
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
from django.utils.translation import get_language, gettext, ngettext

from marketplace.money import display

register = template.Library()

# (model, field name, language) → {value: label}
_LABELS: dict[tuple[type, str, str | None], dict] = {}
# (script prefix, URL name) → (URL before the code, URL after it)
_CODE_URLS: dict[tuple[str, str], tuple[str, str]] = {}
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
def code_url(name: str, code) -> str:
    """reverse(name, args=[code]) for a URL that takes a listing's code (the instrument's
    calendar, its sample order form), the pattern reversed once."""
    code = str(code)
    if not _PLAIN_CODE.fullmatch(code):
        return reverse(name, args=[code])
    key = (get_script_prefix(), name)
    parts = _CODE_URLS.get(key)
    if parts is None:
        url = reverse(name, args=[_PLACEHOLDER])
        head, _, tail = url.rpartition(f"/{_PLACEHOLDER}/")
        parts = _CODE_URLS[key] = (f"{head}/", f"/{tail}")
    return f"{parts[0]}{code}{parts[1]}"


@register.simple_tag
def detail_url(kind: str, code) -> str:
    """reverse(f"catalogue:{kind}_detail", args=[code]), the pattern reversed once."""
    return code_url(f"catalogue:{kind}_detail", code)


@register.filter
def opening_interval(interval) -> str:
    """`str(interval)` of an OpeningInterval ("星期一 08:30–17:30"), its weekday's label read
    once per language and process (the model's __str__ goes through get_weekday_display)."""
    return f"{choice_label(interval, 'weekday')} {interval.start:%H:%M}–{interval.end:%H:%M}"


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


@register.simple_tag
def instrument_rows(page) -> str:
    """The `<li>` of each instrument of `page` (the list's rows), or the empty list's line."""
    if not page:
        return mark_safe(  # noqa: S308 - escaped
            f"\n  <li>{conditional_escape(gettext('没有符合条件的仪器。'))}</li>\n  "
        )
    machine_time = f'<span class="badge">{conditional_escape(gettext("机时预约"))}</span>'
    sample_testing = f'<span class="badge">{conditional_escape(gettext("送样检测"))}</span>'
    per_hour = conditional_escape(gettext("小时"))
    rows = []
    for instrument in page:
        institution = instrument.institution
        price = instrument.price_hourly
        status = instrument.status
        rows.append(
            "\n  <li>\n"
            f'    <h2><a href="{conditional_escape(detail_url("instrument", instrument.code))}">'
            f"{conditional_escape(instrument.name)}</a></h2>\n"
            f'    <p class="meta">{conditional_escape(choice_label(instrument, "category"))} · '
            f"{conditional_escape(instrument.model_number)} · "
            f"{conditional_escape(institution.name)} · "
            f"{conditional_escape(choice_label(institution, 'region'))}</p>\n"
            "    <p>\n"
            f"      {machine_time if instrument.offers_machine_time else ''}\n"
            f"      {sample_testing if instrument.offers_sample_testing else ''}\n"
            "      "
            + (
                ""
                if price is None
                else f'<span class="price">{conditional_escape(display(price))} / {per_hour}</span>'
            )
            + "\n      "
            + (
                ""
                if status == "in_service"
                else '<span class="badge badge-warn">'
                f"{conditional_escape(choice_label(instrument, 'status'))}</span>"
            )
            + "\n    </p>\n  </li>\n  "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value is escaped above


def _number(value) -> str:
    """`{{ value }}` of a number in a template: localized, then escaped."""
    return conditional_escape(localize(value))


@register.simple_tag
def institution_rows(page) -> str:
    """The `<li>` of each institution of `page` (/institutions/' rows), or the empty line."""
    if not page:
        return mark_safe(  # noqa: S308 - escaped
            f"\n  <li>{conditional_escape(gettext('没有符合条件的机构。'))}</li>\n  "
        )
    counted: dict[object, str] = {}
    rows = []
    for institution in page:
        count = institution.instrument_count
        shown = counted.get(count)
        if shown is None:
            # {% blocktranslate count %}: the message is not escaped, the number is.
            shown = counted[count] = ngettext(
                "%(counter)s 台开放仪器", "%(counter)s 台开放仪器", count
            ) % {"counter": _number(count)}
        rows.append(
            "\n  <li>\n"
            f'    <h2><a href="{conditional_escape(detail_url("institution", institution.code))}">'
            f"{conditional_escape(institution.name)}</a></h2>\n"
            f'    <p class="meta">{conditional_escape(choice_label(institution, "type"))} · '
            f"{conditional_escape(choice_label(institution, 'region'))} · {shown}</p>\n"
            "  </li>\n  "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value is escaped above


@register.simple_tag
def incubator_rows(page) -> str:
    """The `<li>` of each incubator of `page` (/incubators/' rows), or the empty list's line."""
    if not page:
        return mark_safe(  # noqa: S308 - escaped
            f"\n  <li>{conditional_escape(gettext('没有符合条件的孵化载体。'))}</li>\n  "
        )
    vacancies = gettext("空余工位 %(vacant)s / %(total)s")
    rows = []
    for incubator in page:
        county = incubator.county
        rows.append(
            "\n  <li>\n"
            f'    <h2><a href="{conditional_escape(detail_url("incubator", incubator.code))}">'
            f"{conditional_escape(incubator.name)}</a></h2>\n"
            f'    <p class="meta">{conditional_escape(choice_label(incubator, "level"))} · '
            f"{conditional_escape(choice_label(incubator, 'type'))} · "
            f"{conditional_escape(choice_label(incubator, 'region'))}"
            f"{f' {conditional_escape(county)}' if county else ''}</p>\n"
            "    <p>"
            + vacancies
            % {
                "vacant": _number(incubator.workstations_vacant),
                "total": _number(incubator.workstations_total),
            }
            + "</p>\n  </li>\n  "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value is escaped above


@register.simple_tag
def technology_rows(page) -> str:
    """The `<li>` of each technology of `page` (/technologies/' rows), or the empty line."""
    if not page:
        return mark_safe(  # noqa: S308 - escaped
            f"\n  <li>{conditional_escape(gettext('没有符合条件的科技成果。'))}</li>\n  "
        )
    negotiable = conditional_escape(gettext("面议"))
    rows = []
    for technology in page:
        price = technology.asking_price
        trl = technology.trl
        badges = "".join(
            f'<span class="badge">{conditional_escape(label)}</span> '
            for label in technology.transfer_mode_labels
        )
        rows.append(
            "\n  <li>\n"
            f'    <h2><a href="{conditional_escape(detail_url("technology", technology.code))}">'
            f"{conditional_escape(technology.title)}</a></h2>\n"
            f'    <p class="meta">{conditional_escape(technology.field)} · '
            f"{conditional_escape(choice_label(technology, 'ip_type'))}"
            f"{f' · TRL {_number(trl)}' if trl else ''} · "
            f"{conditional_escape(technology.institution.name)}</p>\n"
            f"    <p>{badges}\n"
            '      <span class="price">'
            f"{negotiable if price is None else conditional_escape(display(price))}</span></p>\n"
            "  </li>\n  "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value is escaped above


@register.simple_tag
def filter_fields(filters) -> str:
    """A `<div class="field">` with a `<select>` for each of a list's choice filters."""
    every = conditional_escape(gettext("全部"))
    fields = []
    for spec in filters:
        name = conditional_escape(spec["name"])
        fields.append(
            '\n  <div class="field">\n'
            f'    <label for="f-{name}">{conditional_escape(spec["label"])}</label>\n'
            f'    <select id="f-{name}" name="{name}">\n'
            f'      <option value="">{every}</option>\n'
            f"      {choice_options(spec['choices'], spec['value'])}\n"
            "    </select>\n  </div>\n  "
        )
    return mark_safe("".join(fields))  # noqa: S308 - every value is escaped above


@register.simple_tag
def page_links(page_obj, query_prefix="") -> str:
    """The previous / next links and "第 n / m 页" of a list (templates/includes/pagination.html)."""
    # The include's file ends with a line break after its `{% endif %}`.
    if not page_obj.has_other_pages():
        return "\n"
    prefix = f"{conditional_escape(query_prefix)}&amp;" if query_prefix else ""
    previous = (
        f'<a href="?{prefix}page={_number(page_obj.previous_page_number())}" rel="prev">'
        f"{conditional_escape(gettext('上一页'))}</a>"
        if page_obj.has_previous()
        else ""
    )
    following = (
        f'<a href="?{prefix}page={_number(page_obj.next_page_number())}" rel="next">'
        f"{conditional_escape(gettext('下一页'))}</a>"
        if page_obj.has_next()
        else ""
    )
    where = gettext("第 %(number)s / %(total)s 页") % {
        "number": _number(page_obj.number),
        "total": _number(page_obj.paginator.num_pages),
    }
    return mark_safe(  # noqa: S308 - every value is escaped above
        f'\n<nav class="pagination" aria-label="{conditional_escape(gettext("分页"))}">\n'
        f"  {previous}\n  <span>{where}</span>\n  {following}\n</nav>\n\n"
    )
