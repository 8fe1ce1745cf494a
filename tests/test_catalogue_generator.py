"""generate_catalogue: deterministic, importable, varied synthetic catalogues for benchmarks."""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from marketplace.accounts.models import Institution, InstitutionType
from marketplace.catalogue import generator_vocabulary as vocabulary
from marketplace.catalogue.generator import REGIONS, dump_catalogue, generate_catalogue
from marketplace.catalogue.importer import import_catalogue, validate_catalogue
from marketplace.catalogue.models import Incubator, Instrument, OpeningInterval, Technology
from marketplace.catalogue.vocabularies import (
    IncubatorLevel,
    IncubatorType,
    InstrumentCategory,
    IpType,
    TransferMode,
)

SIZES = {"instruments": 300, "incubators": 100, "technologies": 200}


@pytest.fixture(scope="module")
def catalogue() -> dict:
    return generate_catalogue(seed=2026, institutions=40, **SIZES)


def generated_text(**options) -> str:
    out = io.StringIO()
    call_command("generate_catalogue", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def test_the_same_seed_gives_byte_identical_output():
    first = generated_text(instruments=60, incubators=20, technologies=40, seed=7)
    second = generated_text(instruments=60, incubators=20, technologies=40, seed=7)
    assert first == second
    assert json.loads(first)["instruments"][0]["code"]


def test_different_seeds_give_different_catalogues():
    one = generated_text(instruments=60, incubators=20, technologies=40, seed=7)
    other = generated_text(instruments=60, incubators=20, technologies=40, seed=8)
    assert one != other


# sha256 of dump_catalogue(generate_catalogue(**PINNED_ARGUMENTS)). It changes with any change to
# generator.py's logic or to generator_data/*.json: when that is meant, update it in the same commit.
PINNED_ARGUMENTS = {"instruments": 60, "incubators": 20, "technologies": 40, "seed": 7}
PINNED_SHA256 = "7eea7e180053d0ec2b44666e720659dc597b6377a97c11a8a79d8199c6ac6d3a"


def test_a_small_catalogue_is_pinned_byte_for_byte():
    out = io.StringIO()
    dump_catalogue(generate_catalogue(**PINNED_ARGUMENTS), out)
    assert hashlib.sha256(out.getvalue().encode("utf-8")).hexdigest() == PINNED_SHA256


def test_the_output_has_exactly_the_requested_counts(catalogue):
    assert {kind: len(catalogue[kind]) for kind in SIZES} == SIZES
    assert len(catalogue["institutions"]) == 40


def test_the_output_file_holds_the_same_bytes_as_standard_output(tmp_path):
    path = tmp_path / "catalogue.json"
    call_command(
        "generate_catalogue",
        instruments=20,
        incubators=5,
        technologies=10,
        seed=3,
        output=str(path),
        stderr=io.StringIO(),
    )
    stdout = generated_text(instruments=20, incubators=5, technologies=10, seed=3)
    assert path.read_text(encoding="utf-8") == stdout


@pytest.mark.django_db
def test_the_generated_catalogue_passes_validation_with_no_errors(catalogue):
    assert [str(error) for error in validate_catalogue(catalogue)] == []


@pytest.mark.django_db
def test_the_generated_catalogue_imports_every_record(catalogue):
    report = import_catalogue(catalogue)

    assert report.ok
    assert Institution.objects.count() == 40
    assert Instrument.objects.count() == 300
    assert Incubator.objects.count() == 100
    assert Technology.objects.count() == 200
    published = sum(1 for record in catalogue["instruments"] if record.get("published"))
    assert Instrument.objects.filter(live=True).count() == published
    intervals = sum(
        len(record["booking"]["opening_hours"])
        for record in catalogue["instruments"]
        if "booking" in record
    )
    assert OpeningInterval.objects.count() == intervals


def test_names_are_varied_and_realistic(catalogue):
    instruments = catalogue["instruments"]
    assert len({record["name"] for record in instruments}) >= 20
    assert len({record["manufacturer"] for record in instruments}) >= 15
    assert len({record["category"] for record in instruments}) >= 8
    assert len({record["title"] for record in catalogue["technologies"]}) >= 150
    assert len({record["name"] for record in catalogue["institutions"]}) == 40
    assert not any(record["name"][-1].isdigit() for record in instruments)


def test_institutions_cover_every_region_of_yunnan(catalogue):
    assert {record["region"] for record in catalogue["institutions"]} == {r[0] for r in REGIONS}


def test_incubators_lie_inside_yunnan_and_cover_every_type(catalogue):
    incubators = catalogue["incubators"]
    assert all(21.2 <= record["lat"] <= 29.2 for record in incubators)
    assert all(97.6 <= record["lng"] <= 106.1 for record in incubators)
    assert {record["type"] for record in incubators} >= {
        "maker_space",
        "incubator",
        "accelerator",
        "science_park",
        "demo_base",
        "campus_platform",
        "small_business_base",
    }


def test_most_listings_are_published_and_a_few_are_drafts(catalogue):
    listings = [r for kind in SIZES for r in catalogue[kind]]
    drafts = sum(1 for record in listings if not record.get("published"))
    assert 0.01 * len(listings) < drafts < 0.12 * len(listings)


def test_some_technologies_are_priced_on_request(catalogue):
    prices = Counter(record["asking_price"] is None for record in catalogue["technologies"])
    assert prices[True] > 0
    assert prices[False] > prices[True]


def test_the_file_is_json_with_one_record_per_line(catalogue):
    out = io.StringIO()
    dump_catalogue(catalogue, out)
    text = out.getvalue()
    assert json.loads(text) == catalogue
    record_lines = [line for line in text.splitlines() if line.startswith("  {")]
    assert len(record_lines) == sum(len(records) for records in catalogue.values())
    assert all(isinstance(json.loads(line.rstrip(",")), dict) for line in record_lines)


@pytest.mark.parametrize(
    "options",
    [
        {"instruments": -1},
        {"technologies": "many"},
        {"seed": "x"},
        {"institutions": 0},
    ],
)
def test_bad_numbers_are_refused_with_a_clear_message(options):
    # In the command language (Chinese by default), and in English when asked.
    with pytest.raises(CommandError, match="须为|不能为负数|至少为 1"):
        generated_text(**options)
    with pytest.raises(CommandError, match="must be|must not be negative"):
        generated_text(language="en", **options)


def test_an_unwritable_output_path_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="cannot write"):
        call_command(
            "generate_catalogue", output=str(tmp_path / "missing" / "out.json"), language="en"
        )
    with pytest.raises(CommandError, match="这是一个目录"):
        call_command("generate_catalogue", output=str(tmp_path))


# The vocabulary in generator_data/*.json -----------------------------------------------------


def test_every_data_file_is_one_the_loader_reads():
    files = sorted(path.stem for path in vocabulary.DATA_DIR.glob("*.json"))
    assert files == [
        "booking",
        "incubators",
        "institutions",
        "instruments",
        "people",
        "places",
        "technologies",
    ]
    assert all(vocabulary.load(topic)["_comment"] for topic in files)


def test_every_instrument_type_has_names_and_models_of_known_makers():
    assert len(vocabulary.INSTRUMENT_TYPES) >= 40  # 41 in instruments.json
    for kind in vocabulary.INSTRUMENT_TYPES:
        assert kind["names"], kind["abbr"]
        assert kind["models"], kind["abbr"]
        assert {model[0] for model in kind["models"]} <= set(vocabulary.MAKERS), kind["abbr"]
        assert kind["category"] in InstrumentCategory.values, kind["abbr"]
        assert kind["hourly"] or kind["sample"], kind["abbr"]
        assert len(kind["specs"]) >= 2 and len(kind["capabilities"]) >= 2, kind["abbr"]


def test_every_region_has_counties_places_and_industries():
    assert len(vocabulary.REGIONS) == 16
    for code, _name, _short, _area, centre, counties, places in vocabulary.REGIONS:
        assert counties and places and vocabulary.REGION_INDUSTRIES[code], code
        assert vocabulary.LAT_RANGE[0] <= centre[0] <= vocabulary.LAT_RANGE[1], code
        assert vocabulary.LNG_RANGE[0] <= centre[1] <= vocabulary.LNG_RANGE[1], code


def test_the_vocabulary_uses_only_the_catalogues_own_codes():
    assert set(vocabulary.INSTITUTION_KINDS) <= set(InstitutionType.values)
    assert set(vocabulary.CREDIT_PREFIX.values()) <= {"12", "52", "91"}
    assert set(vocabulary.INCUBATOR_TYPES) <= set(IncubatorType.values)
    assert {level for level, _ in vocabulary.INCUBATOR_LEVELS} <= set(IncubatorLevel.values)
    assert set(vocabulary.TRANSFER_MODES) <= set(TransferMode.values)
    ip_types = {
        ip_type
        for groups in vocabulary.TECH_FIELDS.values()
        for _subjects, methods in groups
        for _method, types in methods
        for ip_type in types
    }
    assert ip_types <= set(IpType.values)
    assert len(vocabulary.TRL_WEIGHTS) == 9


def test_opening_patterns_are_weekdays_with_ordered_hours():
    for _weight, pattern in vocabulary.OPENING_PATTERNS:
        for weekdays, spans in pattern:
            assert set(weekdays) <= set(range(7))
            times = [time for span in spans for time in span]
            assert all(re.fullmatch(r"[0-2]\d:[0-5]\d", time) for time in times)
            assert times == sorted(times) and len(set(times)) == len(times)
