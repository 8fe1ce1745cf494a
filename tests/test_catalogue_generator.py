"""generate_catalogue: deterministic, importable, varied synthetic catalogues for benchmarks."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from marketplace.accounts.models import Institution
from marketplace.catalogue.generator import REGIONS, dump_catalogue, generate_catalogue
from marketplace.catalogue.importer import import_catalogue, validate_catalogue
from marketplace.catalogue.models import Incubator, Instrument, OpeningInterval, Technology

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
    with pytest.raises(CommandError, match=" / "):
        generated_text(**options)


def test_an_unwritable_output_path_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="cannot write"):
        call_command("generate_catalogue", output=str(tmp_path / "missing" / "out.json"))
    with pytest.raises(CommandError, match="is a directory"):
        call_command("generate_catalogue", output=str(tmp_path))
