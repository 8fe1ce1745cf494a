"""The catalogue lists are made from values, not model instances (issue 17): each item a list
shows is what the list serializer makes of the listing's model instance, byte for byte, for
listings with every optional value missing and with every one set, in Chinese and English,
under a script prefix, on shallow and deep pages; and a field added to a list serializer that
the values plan cannot read fails at once instead of showing something else."""

import datetime
import json
from decimal import Decimal

import pytest
from django.test.utils import override_script_prefix
from django.utils import translation
from rest_framework import serializers

from marketplace.accounts.models import Institution
from marketplace.api import read_as_values, render_settings, represent_values, values_plan
from marketplace.catalogue import api, paging
from marketplace.catalogue.models import Incubator, IncubatorCapacity, Instrument, Technology
from tests.factories import (
    IncubatorFactory,
    InstitutionFactory,
    InstrumentFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db

LISTS = [
    ("/api/v1/institutions/", Institution, api.InstitutionSerializer),
    ("/api/v1/instruments/", Instrument, api.InstrumentSerializer),
    ("/api/v1/incubators/", Incubator, api.IncubatorSerializer),
    ("/api/v1/technologies/", Technology, api.TechnologySerializer),
]


@pytest.fixture
def varied():
    """Per kind, a listing with every optional value empty and one with every value set."""
    bare = InstitutionFactory(
        code="V-BARE", name="空白机构", type="enterprise", region="533400", credit_code=""
    )
    full = InstitutionFactory(
        code="V-FULL",
        name="全量研究院",
        type="university",
        region="530100",
        address="昆明市呈贡区",
        website="https://example.org/",
        description='简介\n第二行 "引号" <b>',
        contact_name="张三",
        contact_email="zhang@example.org",
        contact_phone="0871-65031234",
        instrument_count=7,
    )
    InstrumentFactory(
        code="V-INS-BARE",
        institution=bare,
        name="仪器",
        category="laser",
        model_number="",
        manufacturer="",
        origin_country="",
        original_value=Decimal("0"),
        commissioned_on=None,
        location="",
        offers_machine_time=False,
        offers_sample_testing=False,
        price_hourly=None,
        price_internal_hourly=None,
        price_per_sample=None,
        price_internal_per_sample=None,
        status="retired",
    )
    InstrumentFactory(
        code="V-INS-FULL~1:@",
        institution=full,
        origin_country="JP",
        original_value=Decimal("3280000.5"),
        commissioned_on=datetime.date(2019, 5, 17),
        location="材料楼 101",
        price_internal_per_sample=Decimal("12.5"),
    )
    IncubatorFactory(
        code="V-INC-BARE",
        institution=bare,
        type="science_park",
        level="prefectural",
        region="533400",
        county="",
        address="",
        lat=None,
        lng=None,
        floor_area_m2=None,
        workstations_total=0,
        offices_total=0,
        workstations_vacant=0,
    )
    IncubatorCapacity.objects.filter(incubator__code="V-INC-BARE").delete()
    IncubatorFactory(
        code="V-INC-FULL",
        institution=full,
        type="incubator",
        level="national",
        county="呈贡区",
        address="大学城 1 号",
        floor_area_m2=Decimal("1234.5"),
        workstations_total=100,
        offices_total=8,
    )
    # Counters above the totals (a lowered total not yet applied) show capped.
    IncubatorCapacity.objects.filter(incubator__code="V-INC-FULL").update(
        workstations_vacant=150, offices_vacant=9
    )
    TechnologyFactory(
        code="V-TEC-BARE",
        institution=bare,
        field="",
        ip_type="know_how",
        ip_status="",
        trl=None,
        mode_transfer=False,
        mode_license=True,
        asking_price=None,
    )
    TechnologyFactory(
        code="V-TEC-FULL",
        institution=full,
        trl=9,
        mode_transfer=True,
        mode_license=True,
        mode_equity=True,
        mode_joint_development=True,
        asking_price=Decimal("80000"),
    )


def model_items(model, serializer_class) -> list[dict]:
    """What DRF's own Serializer.to_representation makes of each listing's model instance,
    as the renderer writes it."""
    rows = model.objects.order_by("code")
    if model is not Institution:
        rows = rows.published().select_related("institution")
    return [
        json.loads(json.dumps(serializers.Serializer.to_representation(serializer_class(), row)))
        for row in rows
    ]


@pytest.mark.parametrize(("path", "model", "serializer_class"), LISTS)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("prefix", ["/", "/mirror/"])
def test_every_list_shows_what_the_serializer_makes_of_each_instance(
    client, varied, path, model, serializer_class, language, prefix
):
    with override_script_prefix(prefix):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        with translation.override(language):
            expected = model_items(model, serializer_class)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(expected) >= 2
    # Same values, same key order (the bytes the renderer writes follow from these).
    assert [list(item) for item in body["results"]] == [list(item) for item in expected]
    assert body["results"] == expected


@pytest.mark.parametrize(("path", "model", "serializer_class"), LISTS)
@pytest.mark.parametrize("page_size", [1, 20, 100])
def test_deep_pages_of_every_size_show_the_same_items(
    client, monkeypatch, varied, path, model, serializer_class, page_size
):
    """Deep pages read their rows by id (paging.DeferredJoinPaginator): as values too."""
    monkeypatch.setattr(paging, "DEFERRED_FROM", 1)
    with translation.override("en"):
        expected = model_items(model, serializer_class)
    shown = []
    for page in range(1, len(expected) // page_size + 2):
        query = {"page": page, "page_size": page_size}
        response = client.get(path, query, HTTP_ACCEPT_LANGUAGE="en")
        if response.status_code == 404:
            break
        shown += response.json()["results"]
    assert shown == expected


def test_filters_and_empty_results_keep_the_shape(client, varied):
    vacant = client.get("/api/v1/incubators/", {"vacant": "1"}).json()
    assert [(i["code"], i["workstations_vacant"]) for i in vacant["results"]] == [
        ("V-INC-FULL", 100)
    ]
    modes = client.get("/api/v1/technologies/", {"transfer_mode": "equity"}).json()
    assert [i["transfer_modes"] for i in modes["results"]] == [
        ["transfer", "license", "equity", "joint_development"]
    ]
    nothing = client.get("/api/v1/instruments/", {"q": "没有这台仪器"}).json()
    assert nothing == {"count": 0, "next": None, "previous": None, "results": []}


def test_the_values_plan_reads_only_what_the_items_show():
    columns, _plan = values_plan(api.InstrumentSerializer, render_settings())
    assert "description" not in columns
    assert {"institution__code", "institution__name", "institution__region"} <= set(columns)
    assert len(columns) == len(set(columns))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_column_added_to_a_list_serializer_is_read_as_values_by_itself(varied, language):
    class WithPayee(api.InstitutionSerializer):
        class Meta(api.InstitutionSerializer.Meta):
            fields = [*api.InstitutionSerializer.Meta.fields, "payee_bank", "updated_at"]

    Institution.objects.filter(code="V-FULL").update(payee_bank="富滇银行")
    with translation.override(language):
        columns, plan = values_plan(WithPayee, render_settings())
        rows = read_as_values(Institution.objects.order_by("code"), columns)
        items = represent_values(plan, rows)
        expected = model_items(Institution, WithPayee)
    assert "payee_bank" in columns
    assert [item["payee_bank"] for item in items] == ["", "富滇银行"]
    assert json.dumps(items, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)


def test_a_field_the_values_plan_cannot_read_fails_loudly():
    """A method field (or a model property) added to a list serializer without saying which
    columns it is made of refuses to compile, naming the field, instead of showing a value
    the model-instance serializer would not."""

    class WithMethod(api.TechnologySerializer):
        shout = serializers.SerializerMethodField()

        class Meta(api.TechnologySerializer.Meta):
            fields = [*api.TechnologySerializer.Meta.fields, "shout"]

        def get_shout(self, obj) -> str:
            return obj.title.upper()

    class WithProperty(api.TechnologySerializer):
        class Meta(api.TechnologySerializer.Meta):
            fields = [*api.TechnologySerializer.Meta.fields, "public_details"]

    for serializer_class, field in ((WithMethod, "shout"), (WithProperty, "public_details")):
        with pytest.raises(TypeError, match=rf"{serializer_class.__name__}\.{field}"):
            values_plan(serializer_class, render_settings())


def test_plans_that_hold_no_float_give_items_the_renderer_need_not_walk(varied):
    """Institutions, instruments and technologies are made of strings, ints, bools, None and
    dicts and lists of them: their items come as PlainItems, which config.api.JSONRenderer
    writes without its walk, in exactly DRF's bytes. Incubators show lat/lng (floats): their
    plan is not plain and their items are walked as before."""
    from rest_framework import renderers

    from config.api import JSONRenderer
    from marketplace.api import PlainItems

    plain = {
        api.InstitutionSerializer: Institution,
        api.InstrumentSerializer: Instrument,
        api.TechnologySerializer: Technology,
    }
    for serializer_class, model in [*plain.items(), (api.IncubatorSerializer, Incubator)]:
        with translation.override("zh-hans"):
            columns, plan = values_plan(serializer_class, render_settings())
            items = represent_values(plan, read_as_values(model.objects.order_by("code"), columns))
        assert isinstance(items, PlainItems) is (serializer_class in plain), serializer_class
        page = {"count": len(items), "next": None, "previous": None, "results": items}
        ours = JSONRenderer().render(page, "application/json", {})
        assert ours == renderers.JSONRenderer().render(page, "application/json", {})


def test_a_choice_with_a_float_value_keeps_the_plan_walked():
    from marketplace.api import _converter, _is_plain

    class Rated(serializers.Serializer):
        stars = serializers.ChoiceField(choices=[(1.5, "一星半"), (2, "两星")])
        kind = serializers.ChoiceField(choices=[("a", "甲"), ("b", "乙")])
        day = serializers.DateField()

    fields = Rated().fields
    stars = _converter(fields["stars"], render_settings())
    kind = _converter(fields["kind"], render_settings())
    day = _converter(fields["day"], render_settings())
    assert not _is_plain(stars) and _is_plain(kind) and _is_plain(day)
    # What each field itself gives, for a row's value and for anything else.
    assert stars("1.5") == fields["stars"].to_representation("1.5") == 1.5
    assert kind("a") == "a" and kind("z") == "z"
    assert day(datetime.date(2026, 12, 7)) == "2026-12-07"
    assert day("2026-12-07") == fields["day"].to_representation("2026-12-07") == "2026-12-07"
