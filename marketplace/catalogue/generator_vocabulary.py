"""The synthetic catalogue generator's vocabulary, loaded once from generator_data/*.json.

The JSON files are meant to be edited by hand (each starts with a `_comment` describing its
fields); this module only reads them and reshapes them into the tuples and dicts the generator
draws from. Order is kept exactly as written: the generator picks by position, so the same
files and seed always give the same catalogue.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).with_name("generator_data")


def load(topic: str) -> dict[str, Any]:
    """One data file, e.g. load("places") reads generator_data/places.json."""
    with (DATA_DIR / f"{topic}.json").open(encoding="utf-8") as source:
        return json.load(source)


def _pairs(items: list[list]) -> list[tuple]:
    return [tuple(item) for item in items]


# --- Places --------------------------------------------------------------------------------------
_places = load("places")
# (code, name, short name, telephone area code, centre (lat, lng), counties [(name, code)],
# local place names [(name, code prefix)])
REGIONS = [
    (
        region["code"],
        region["name"],
        region["short_name"],
        region["area_code"],
        tuple(region["centre"]),
        _pairs(region["counties"]),
        _pairs(region["places"]),
    )
    for region in _places["regions"]
]
REGION_INDUSTRIES = {region["code"]: region["industries"] for region in _places["regions"]}
LAT_RANGE = tuple(_places["bounds"]["lat"])
LNG_RANGE = tuple(_places["bounds"]["lng"])
GENERAL_INDUSTRIES = _places["general_industries"]
STREETS = _places["streets"]
CAMPUS_PLACES = _places["campus_places"]

_people = load("people")
SURNAMES = _people["surnames"]
GIVEN_CHARS = _people["given_name_chars"]

# --- Institutions --------------------------------------------------------------------------------
_institution_types = load("institutions")["types"]
# type -> (weight, [(name suffix, code suffix)])
INSTITUTION_KINDS = {
    kind: (entry["weight"], _pairs(entry["name_suffixes"]))
    for kind, entry in _institution_types.items()
}
INSTITUTION_BLURBS = {kind: entry["blurb"] for kind, entry in _institution_types.items()}
CREDIT_PREFIX = {kind: entry["credit_prefix"] for kind, entry in _institution_types.items()}

# --- Instruments ---------------------------------------------------------------------------------
_instruments = load("instruments")
MAKERS = {key: (maker["name"], maker["country"]) for key, maker in _instruments["makers"].items()}


def _range(bounds: list | None) -> tuple | None:
    return tuple(bounds) if bounds else None


# One dict per kind of instrument. models: (maker key, model[, origin country]); value in 万元;
# hourly/sample: yuan ranges or None; modes: weights of (both, machine time, sample only).
INSTRUMENT_TYPES = [
    {
        "abbr": entry["abbr"],
        "category": entry["category"],
        "names": entry["names"],
        "models": _pairs(entry["models"]),
        "value": tuple(entry["value_wan"]),
        "hourly": _range(entry["hourly_yuan"]),
        "sample": _range(entry["per_sample_yuan"]),
        "modes": (
            entry["mode_weights"]["both"],
            entry["mode_weights"]["machine_time_only"],
            entry["mode_weights"]["sample_testing_only"],
        ),
        "specs": entry["specs"],
        "capabilities": entry["capabilities"],
        "use": entry["use"],
        "weight": entry["weight"],
    }
    for entry in _instruments["types"]
]

_booking = load("booking")
# (weight, [(weekdays, [(start, end), ...]), ...])
OPENING_PATTERNS = [
    (pattern["weight"], [(days["weekdays"], _pairs(days["hours"])) for days in pattern["days"]])
    for pattern in _booking["opening_patterns"]
]
# (weight, [(hours before, refund percent), ...])
REFUND_POLICIES = [
    (policy["weight"], [(tier["hours_before"], tier["refund_percent"]) for tier in policy["tiers"]])
    for policy in _booking["refund_policies"]
]

# --- Incubators ----------------------------------------------------------------------------------
_incubators = load("incubators")
# type -> (weight, code, name templates, floor area range m², workstation range)
INCUBATOR_TYPES = {
    kind: (
        entry["weight"],
        entry["code"],
        entry["name_templates"],
        tuple(entry["floor_area_m2"]),
        tuple(entry["workstations"]),
    )
    for kind, entry in _incubators["types"].items()
}
INCUBATOR_LEVELS = list(_incubators["levels"].items())  # [(level, weight)]
INCUBATOR_SERVICES = _incubators["services"]

# --- Technologies --------------------------------------------------------------------------------
_technologies = load("technologies")
# field -> [(subjects, [(method, ip types)])]; a title is a subject plus a method of its group.
TECH_FIELDS = {
    field: [
        (group["subjects"], [(method, ip_types) for method, ip_types in group["methods"]])
        for group in entry["groups"]
    ]
    for field, entry in _technologies["fields"].items()
}
TECH_FIELD_WEIGHTS = {field: entry["weight"] for field, entry in _technologies["fields"].items()}
CULTIVAR_HEADS = _technologies["cultivar_name_heads"]
CULTIVAR_TAILS = _technologies["cultivar_name_tails"]
TECH_PROBLEMS = _technologies["problems"]
TECH_GAINS = _technologies["gains"]
TRANSFER_MODES = _technologies["transfer_modes"]
TRL_WEIGHTS = _technologies["trl_weights"]  # TRL 1..9
