"""import_catalogue: the demo file imports, re-import writes nothing, invalid files write nothing."""

import copy
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from marketplace.accounts.models import Institution
from marketplace.catalogue.importer import import_catalogue, validate_catalogue
from marketplace.catalogue.models import (
    Incubator,
    Instrument,
    OpeningInterval,
    RefundTier,
    Technology,
)

pytestmark = pytest.mark.django_db

DEMO = Path(settings.BASE_DIR) / "data" / "demo-catalogue.json"


@pytest.fixture
def demo():
    return json.loads(DEMO.read_text(encoding="utf-8"))


def counts():
    return (
        Institution.objects.count(),
        Instrument.objects.count(),
        Incubator.objects.count(),
        Technology.objects.count(),
        OpeningInterval.objects.count(),
        RefundTier.objects.count(),
    )


def test_the_demo_file_imports_every_record(demo, capsys):
    call_command("import_catalogue", str(DEMO))
    assert counts()[:4] == (8, 36, 14, 30)
    sem = Instrument.objects.get(code="YLU-SEM-01")
    assert sem.name == "场发射扫描电子显微镜"
    assert sem.price_hourly == Decimal("450.00")
    assert sem.price_internal_hourly == Decimal("260.00")
    assert sem.service_modes == ["machine_time", "sample_testing"]
    assert sem.opening_hours.count() == 10
    assert [
        (t.hours_before, t.refund_percent) for t in sem.refund_tiers.order_by("-hours_before")
    ] == [(48, 100), (24, 50), (0, 0)]
    drafts = [
        r["code"]
        for kind in ("instruments", "incubators", "technologies")
        for r in demo[kind]
        if not r.get("published")
    ]
    for model in (Instrument, Incubator, Technology):
        for obj in model.objects.filter(code__in=drafts):
            assert obj.live is False
    # The command speaks the site's language unless told otherwise (marketplace/commands.py).
    assert "instruments：新建 36，更新 0，未变 0" in capsys.readouterr().out


def test_reimporting_the_same_file_changes_nothing(demo):
    import_catalogue(demo)
    before = {i.code: i.updated_at for i in Instrument.objects.all()}
    children_before = counts()
    report = import_catalogue(copy.deepcopy(demo))
    assert report.ok
    assert sum(report.created.values()) == 0
    assert sum(report.updated.values()) == 0
    assert report.unchanged["instruments"] == 36
    assert {i.code: i.updated_at for i in Instrument.objects.all()} == before
    assert counts() == children_before


def test_a_changed_record_updates_in_place(demo):
    import_catalogue(demo)
    sem = Instrument.objects.get(code="YLU-SEM-01")
    changed = copy.deepcopy(demo)
    record = next(r for r in changed["instruments"] if r["code"] == "YLU-SEM-01")
    record["pricing"]["hourly"] = "480.00"
    record["booking"]["opening_hours"] = [{"weekday": 5, "start": "09:00", "end": "12:00"}]
    report = import_catalogue(changed)
    assert report.updated["instruments"] == 1
    assert report.unchanged["instruments"] == 35
    sem_after = Instrument.objects.get(code="YLU-SEM-01")
    assert sem_after.pk == sem.pk
    assert sem_after.price_hourly == Decimal("480.00")
    assert [(i.weekday, str(i.start)) for i in sem_after.opening_hours.all()] == [(5, "09:00:00")]


def test_dry_run_validates_and_writes_nothing(capsys):
    call_command("import_catalogue", str(DEMO), "--dry-run", "--language", "en")
    assert counts() == (0, 0, 0, 0, 0, 0)
    output = capsys.readouterr().out
    assert "instruments: 36 created" in output
    assert "dry run" in output


def _break(demo, mutate):
    data = copy.deepcopy(demo)
    mutate(data)
    return data


INVALID = [
    (
        "opening interval ends before it starts",
        lambda d: d["instruments"][0]["booking"]["opening_hours"][0].update(end="08:00"),
        "record instruments[0] (YLU-SEM-01): booking.opening_hours[0].end:",
        "must be after start",
    ),
    (
        "money with three decimals",
        lambda d: d["instruments"][1]["pricing"].update(hourly="1.005"),
        "record instruments[1] (YLU-TEM-01): pricing.hourly:",
        "at most two decimals",
    ),
    (
        "a date that does not exist",
        lambda d: d["instruments"][2].update(commissioned_on="2019-02-30"),
        "record instruments[2] (YLU-XRD-01): commissioned_on:",
        "not a valid date",
    ),
    (
        "text longer than the field",
        lambda d: d["instruments"][3].update(name="仪" * 201),
        "record instruments[3] (YLU-XPS-01): name:",
        "longer than 200",
    ),
    (
        "unknown institution reference",
        lambda d: d["technologies"][0].update(institution="NOPE"),
        "record technologies[0] (HTGY-T001): institution:",
        "unknown institution",
    ),
    (
        "duplicate code",
        lambda d: d["incubators"][1].update(code=d["incubators"][0]["code"]),
        "record incubators[1] (YLU-CP-01): code:",
        "duplicate code",
    ),
    (
        "unknown enum value",
        lambda d: d["technologies"][1].update(ip_type="magic"),
        "record technologies[1] (HTGY-T002): ip_type:",
        "must be one of",
    ),
    (
        "number out of range",
        lambda d: d["technologies"][2].update(trl=10),
        "record technologies[2] (HTGY-T003): trl:",
        "at most 9",
    ),
    (
        "region outside Yunnan",
        lambda d: d["incubators"][2].update(region="110100"),
        "record incubators[2]",
        "region: ",
    ),
    (
        "missing required field",
        lambda d: d["technologies"][3].pop("title"),
        "record technologies[3] (HTGY-T004): title:",
        "is required",
    ),
    (
        "huge string",
        lambda d: d["institutions"][0].update(description="长" * 20001),
        "record institutions[0] (YLU): description:",
        "longer than 20000",
    ),
    (
        "credit code with a wrong check digit",
        lambda d: d["institutions"][1].update(credit_code="125301005821663417"),
        "record institutions[1] (CCBT): credit_code:",
        "check digit",
    ),
    (
        "vacancies above the total",
        lambda d: d["incubators"][0].update(workstations_vacant=10_000),
        "record incubators[0] (YLU-CP-01): workstations_vacant:",
        "must not exceed",
    ),
    (
        "overlapping opening hours on one weekday",
        lambda d: d["instruments"][0]["booking"]["opening_hours"].append(
            {"weekday": 0, "start": "11:00", "end": "15:00"}
        ),
        "record instruments[0] (YLU-SEM-01): booking.opening_hours[",
        "overlaps",
    ),
    (
        "min longer than max",
        lambda d: d["instruments"][0]["booking"].update(min_minutes=300, max_minutes=120),
        "record instruments[0] (YLU-SEM-01): booking.min_minutes:",
        "must not exceed max_minutes",
    ),
    (
        "money given as a JSON number",
        lambda d: d["instruments"][0].update(original_value=3280000.0),
        "record instruments[0] (YLU-SEM-01): original_value:",
        "type",
    ),
    (
        "an unknown field",
        lambda d: d["instruments"][0].update(colour="blue"),
        "record instruments[0] (YLU-SEM-01): colour:",
        "not an allowed field",
    ),
]


@pytest.mark.parametrize(
    ("case", "mutate", "prefix", "fragment"), INVALID, ids=[c[0] for c in INVALID]
)
def test_an_invalid_record_is_refused_and_nothing_is_written(demo, case, mutate, prefix, fragment):
    with translation.override("en"):
        errors = [str(e) for e in validate_catalogue(_break(demo, mutate))]
    matching = [e for e in errors if e.startswith(prefix)]
    assert matching, errors
    assert any(fragment in e for e in matching), matching
    report = import_catalogue(_break(demo, mutate))
    assert not report.ok
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_every_error_is_listed_and_the_command_exits_1(demo, tmp_path):
    bad = _break(
        demo,
        lambda d: (
            d["instruments"][0]["booking"]["opening_hours"][0].update(end="08:00"),
            d["technologies"][1].update(ip_type="magic"),
            d["incubators"][0].update(region="000000"),
        ),
    )
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="3 errors, nothing was written"):
        call_command("import_catalogue", str(path), language="en")
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_a_failed_import_leaves_existing_data_untouched(demo):
    import_catalogue(demo)
    before = list(Instrument.objects.values_list("code", "price_hourly").order_by("code"))
    bad = _break(
        demo,
        lambda d: (
            d["instruments"][0]["pricing"].update(hourly="999.00"),
            d["instruments"][1].update(category="telepathy"),
        ),
    )
    assert not import_catalogue(bad).ok
    assert list(Instrument.objects.values_list("code", "price_hourly").order_by("code")) == before


def test_an_instrument_may_refer_to_an_institution_already_in_the_database(demo):
    import_catalogue({"institutions": demo["institutions"]})
    report = import_catalogue({"instruments": demo["instruments"][:3]})
    assert report.ok
    assert report.created["instruments"] == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "invalid JSON"),
        (b"\xff\xfe\x00binary\x00", "not UTF-8"),
        (b"[1, 2, 3]", "top level must be a JSON object"),
        (b'{"instruments": {"not": "a list"}}', "must be of type array"),
    ],
)
def test_unreadable_files_are_a_clear_error_without_a_traceback(
    tmp_path, cli_env, content, message
):
    path = tmp_path / "in.json"
    path.write_bytes(content)
    env = cli_env
    result = subprocess.run(
        [sys.executable, "manage.py", "import_catalogue", str(path), "--language", "en"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_imported_listings_are_found_by_search_at_once(client, demo):
    import_catalogue(demo)
    body = client.get("/api/v1/search/", {"q": "电镜", "kind": "instrument"}).json()
    assert body["count"] >= 3
    assert "CCBT-CRYO-01" in [result["code"] for result in body["results"]]
    drafts = {r["code"] for r in demo["instruments"] if not r.get("published")}
    assert not drafts & {result["code"] for result in body["results"]}
