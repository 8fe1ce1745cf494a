"""The catalogue lists' per-row helpers give exactly what Django's own would (issue 17)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from marketplace.accounts.models import Institution
from marketplace.catalogue.filters import CHOICE_FILTERS
from marketplace.catalogue.models import Instrument, OpeningInterval
from marketplace.catalogue.templatetags.catalogue_tags import (
    choice_label,
    code_url,
    detail_url,
    opening_interval,
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_choice_label_is_the_display_value_in_the_active_language(language):
    institution = Institution(
        region="530100", type=Institution._meta.get_field("type").choices[0][0]
    )
    with translation.override(language):
        for value, _label in Instrument._meta.get_field("category").choices:
            instrument = Instrument(category=value, status="in_service")
            assert choice_label(instrument, "category") == instrument.get_category_display()
        assert choice_label(institution, "region") == institution.get_region_display()
        assert choice_label(institution, "type") == institution.get_type_display()


def test_choice_label_follows_a_language_switch_in_the_same_process():
    instrument = Instrument(category="analytical", status="in_service")
    seen = {}
    for language in ("zh-hans", "en", "zh-hans"):
        with translation.override(language):
            label = choice_label(instrument, "category")
            assert label == instrument.get_category_display()
            seen[language] = label
    assert seen["zh-hans"] != seen["en"]


def test_choice_label_of_a_value_outside_the_choices_is_the_value():
    assert choice_label(Instrument(category="retired-kind"), "category") == "retired-kind"


@pytest.mark.parametrize("code", ["INS-0001", "abc_12", "带中文", "a b", "x%y"])
@pytest.mark.parametrize("kind", ["instrument", "incubator", "technology", "institution"])
def test_detail_url_is_the_reversed_url(kind, code):
    assert detail_url(kind, code) == reverse(f"catalogue:{kind}_detail", args=[code])


@pytest.mark.parametrize("code", ["INS-0001", "abc_12", "带中文", "a b", "x%y"])
@pytest.mark.parametrize("name", ["bookings:calendar", "sampletesting:new"])
def test_code_url_is_the_reversed_url(name, code):
    assert code_url(name, code) == reverse(name, args=[code])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_opening_interval_reads_as_the_interval_itself(language):
    with translation.override(language):
        for weekday in range(7):
            interval = OpeningInterval(
                weekday=weekday, start=dt.time(8, 5), end=dt.time(17 + weekday % 2, 30)
            )
            assert opening_interval(interval) == str(interval)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_choice_options_render_as_the_template_loop_did(language):
    loop = Template(
        '{% for value, label in choices %}<option value="{{ value }}"'
        "{% if value == selected %} selected{% endif %}>{{ label }}</option>{% endfor %}"
    )
    tag = Template("{% load catalogue_tags %}{% choice_options choices selected %}")
    with translation.override(language):
        for filters in CHOICE_FILTERS.values():
            for spec in filters.values():
                for selected in ("", spec.choices.values[-1]):
                    context = {"choices": spec.choices.choices, "selected": selected}
                    assert tag.render(Context(context)) == loop.render(Context(context))


def test_menus_with_the_same_values_keep_their_own_labels():
    tag = Template("{% load catalogue_tags %}{% choice_options choices selected %}")
    yes_no = [("1", "是"), ("0", "否")]
    have_not = [("1", "有"), ("0", "无")]
    first = tag.render(Context({"choices": yes_no, "selected": "1"}))
    second = tag.render(Context({"choices": have_not, "selected": "1"}))
    assert first == '<option value="1" selected>是</option><option value="0">否</option>'
    assert second == '<option value="1" selected>有</option><option value="0">无</option>'


# The loop `{% instrument_rows page %}` replaced in templates/catalogue/instrument_list.html.
INSTRUMENT_ROWS_LOOP = """{% load i18n catalogue_tags %}{% for instrument in page %}
  <li>
    <h2><a href="{% detail_url "instrument" instrument.code %}">{{ instrument.name }}</a></h2>
    <p class="meta">{{ instrument|choice_label:"category" }} · {{ instrument.model_number }} · {{ instrument.institution.name }} · {{ instrument.institution|choice_label:"region" }}</p>
    <p>
      {% if instrument.offers_machine_time %}<span class="badge">{% translate "机时预约" %}</span>{% endif %}
      {% if instrument.offers_sample_testing %}<span class="badge">{% translate "送样检测" %}</span>{% endif %}
      {% if instrument.price_hourly is not None %}<span class="price">{{ instrument.price_hourly|yuan }} / {% translate "小时" %}</span>{% endif %}
      {% if instrument.status != "in_service" %}<span class="badge badge-warn">{{ instrument|choice_label:"status" }}</span>{% endif %}
    </p>
  </li>
  {% empty %}
  <li>{% translate "没有符合条件的仪器。" %}</li>
  {% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_instrument_rows_are_the_template_loop_byte_for_byte(language):
    from decimal import Decimal

    institution = Institution(code="I&1", name='研究院 <"甲">', region="530100")
    instruments = [
        Instrument(
            code=code,
            name=name,
            category=category,
            model_number=model,
            institution=institution,
            offers_machine_time=machine,
            offers_sample_testing=sample,
            price_hourly=price,
            status=status,
        )
        for code, name, category, model, machine, sample, price, status in (
            (
                "INS-1",
                "显微镜 & <b>",
                "analytical",
                "JEM-2100",
                True,
                True,
                Decimal("450"),
                "in_service",
            ),
            ("带中文", "光谱仪", "laser", "", False, True, None, "under_maintenance"),
            ("a b", "x'y", "retired-kind", "M<1>", True, False, Decimal("0.50"), "retired"),
            ("C-3", "离心机", "analytical", "Z", False, False, Decimal("12345.6"), "in_service"),
        )
    ]
    loop = Template(INSTRUMENT_ROWS_LOOP)
    tag = Template("{% load catalogue_tags %}{% instrument_rows page %}")
    with translation.override(language):
        for page in (instruments, instruments[1:2], []):
            context = {"page": page}
            assert tag.render(Context(context)) == loop.render(Context(context))


# The loop `{% institution_rows page %}` replaced in templates/marketplace/institution_list.html.
INSTITUTION_ROWS_LOOP = """{% load i18n catalogue_tags %}{% for institution in page %}
  <li>
    <h2><a href="{% detail_url "institution" institution.code %}">{{ institution.name }}</a></h2>
    <p class="meta">{{ institution|choice_label:"type" }} · {{ institution|choice_label:"region" }} · {% blocktranslate count counter=institution.instrument_count %}{{ counter }} 台开放仪器{% plural %}{{ counter }} 台开放仪器{% endblocktranslate %}</p>
  </li>
  {% empty %}
  <li>{% translate "没有符合条件的机构。" %}</li>
  {% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_institution_rows_are_the_template_loop_byte_for_byte(language):
    types = [value for value, _label in Institution._meta.get_field("type").choices]
    institutions = [
        Institution(code=code, name=name, type=kind, region=region, instrument_count=count)
        for code, name, kind, region, count in (
            ("I&1", '研究院 <"甲">', types[0], "530100", 1),
            ("带中文", "大学", types[-1], "533400", 0),
            ("a b", "x'y", "retired-kind", "999999", 2),
            ("C-3", "中心", types[0], "530100", 12345),
            ("C-4", "所", types[0], "530100", 1),
        )
    ]
    loop = Template(INSTITUTION_ROWS_LOOP)
    tag = Template("{% load catalogue_tags %}{% institution_rows page %}")
    with translation.override(language):
        for page in (institutions, institutions[1:2], []):
            context = {"page": page}
            assert tag.render(Context(context)) == loop.render(Context(context))


# The loop `{% filter_fields filters %}` replaced in templates/catalogue/_filters.html.
FILTER_FIELDS_LOOP = """{% load i18n catalogue_tags %}{% for filter in filters %}
  <div class="field">
    <label for="f-{{ filter.name }}">{{ filter.label }}</label>
    <select id="f-{{ filter.name }}" name="{{ filter.name }}">
      <option value="">{% translate "全部" %}</option>
      {% choice_options filter.choices filter.value %}
    </select>
  </div>
  {% endfor %}"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_filter_fields_are_the_template_loop_byte_for_byte(language):
    from marketplace.catalogue.views import FILTER_LABELS

    loop = Template(FILTER_FIELDS_LOOP)
    tag = Template("{% load catalogue_tags %}{% filter_fields filters %}")
    with translation.override(language):
        for kind, specs in CHOICE_FILTERS.items():
            for pick in (0, -1, None):
                filters = [
                    {
                        "name": name,
                        "label": FILTER_LABELS[name],
                        "choices": spec.choices.choices,
                        "value": "" if pick is None else spec.choices.values[pick],
                    }
                    for name, spec in specs.items()
                ]
                context = {"filters": filters}
                rendered = tag.render(Context(context))
                assert rendered == loop.render(Context(context)), kind
                assert rendered.count("<select") == len(specs)
        assert tag.render(Context({"filters": []})) == loop.render(Context({"filters": []}))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_page_links_are_the_pagination_include_byte_for_byte(language):
    from django.core.paginator import Paginator

    include = Template('{% include "includes/pagination.html" with page_obj=page %}')
    tag = Template("{% load catalogue_tags %}{% page_links page query_prefix %}")
    plain = Template("{% load catalogue_tags %}{% page_links page %}")
    seen_links = 0
    with translation.override(language):
        for total in (0, 5, 20, 21, 45, 40_000):
            paginator = Paginator(range(total), 20)
            for number in {1, 2, paginator.num_pages // 2 or 1, paginator.num_pages}:
                page = paginator.get_page(number)
                for prefix in ("", "region=530100&category=a+b", "q=%3Cb%3E"):
                    context = {"page": page, "query_prefix": prefix}
                    rendered = tag.render(Context(context))
                    assert rendered == include.render(Context(context))
                    seen_links += 'rel="next"' in rendered
                assert plain.render(Context({"page": page})) == include.render(
                    Context({"page": page})
                )
    assert seen_links


# The loops `{% incubator_rows page %}` and `{% technology_rows page %}` replaced in
# templates/catalogue/incubator_list.html and technology_list.html.
INCUBATOR_ROWS_LOOP = """{% load i18n catalogue_tags %}{% for incubator in page %}
  <li>
    <h2><a href="{% detail_url "incubator" incubator.code %}">{{ incubator.name }}</a></h2>
    <p class="meta">{{ incubator|choice_label:"level" }} · {{ incubator|choice_label:"type" }} · {{ incubator|choice_label:"region" }}{% if incubator.county %} {{ incubator.county }}{% endif %}</p>
    <p>{% blocktranslate with vacant=incubator.workstations_vacant total=incubator.workstations_total %}空余工位 {{ vacant }} / {{ total }}{% endblocktranslate %}</p>
  </li>
  {% empty %}
  <li>{% translate "没有符合条件的孵化载体。" %}</li>
  {% endfor %}"""  # noqa: E501
TECHNOLOGY_ROWS_LOOP = """{% load i18n catalogue_tags %}{% for technology in page %}
  <li>
    <h2><a href="{% detail_url "technology" technology.code %}">{{ technology.title }}</a></h2>
    <p class="meta">{{ technology.field }} · {{ technology|choice_label:"ip_type" }}{% if technology.trl %} · TRL {{ technology.trl }}{% endif %} · {{ technology.institution.name }}</p>
    <p>{% for label in technology.transfer_mode_labels %}<span class="badge">{{ label }}</span> {% endfor %}
      <span class="price">{% if technology.asking_price is None %}{% translate "面议" %}{% else %}{{ technology.asking_price|yuan }}{% endif %}</span></p>
  </li>
  {% empty %}
  <li>{% translate "没有符合条件的科技成果。" %}</li>
  {% endfor %}"""  # noqa: E501


def _choices(model, name: str) -> list:
    return [value for value, _label in model._meta.get_field(name).choices]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_incubator_rows_are_the_template_loop_byte_for_byte(language):
    from marketplace.catalogue.models import Incubator

    levels, types = _choices(Incubator, "level"), _choices(Incubator, "type")
    incubators = [
        Incubator(
            code=code,
            name=name,
            level=level,
            type=kind,
            region=region,
            county=county,
            workstations_total=total,
        )
        for code, name, level, kind, region, county, total in (
            ("INC-1", "创客 & <空间>", levels[0], types[0], "530100", "五华区", 120),
            ("带中文", "孵化器", levels[-1], types[-1], "533400", "", 0),
            ("a b", "x'y", "retired-level", "old-type", "999999", "<县>", 12345),
        )
    ]
    loop = Template(INCUBATOR_ROWS_LOOP)
    tag = Template("{% load catalogue_tags %}{% incubator_rows page %}")
    with translation.override(language):
        for page in (incubators, incubators[1:2], []):
            context = {"page": page}
            assert tag.render(Context(context)) == loop.render(Context(context))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_technology_rows_are_the_template_loop_byte_for_byte(language):
    from decimal import Decimal

    from marketplace.catalogue.models import Technology

    institution = Institution(code="I&1", name='研究院 <"甲">', region="530100")
    ip_types = _choices(Technology, "ip_type")
    technologies = [
        Technology(
            code=code,
            title=title,
            field=field,
            ip_type=ip_type,
            trl=trl,
            asking_price=price,
            institution=institution,
            **{f"mode_{mode}": True for mode in modes},
        )
        for code, title, field, ip_type, trl, price, modes in (
            ("TEC-1", "绿色 & <能源>", "新能源", ip_types[0], 5, Decimal("1200000"), ["transfer"]),
            ("带中文", "成果", "", ip_types[-1], None, None, []),
            ("a b", "x'y", "<材料>", "old-kind", 9, Decimal("0.50"), ["license", "equity"]),
        )
    ]
    loop = Template(TECHNOLOGY_ROWS_LOOP)
    tag = Template("{% load catalogue_tags %}{% technology_rows page %}")
    with translation.override(language):
        for page in (technologies, technologies[1:2], []):
            context = {"page": page}
            assert tag.render(Context(context)) == loop.render(Context(context))
