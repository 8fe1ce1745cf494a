"""Management commands speak one language at a time: settings.COMMAND_LANGUAGE (the site's
LANGUAGE_CODE, 简体中文, unless the environment says otherwise), or the one `--language` names
for a run — their help, their lines, their errors and the importer's row errors alike."""

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from marketplace.catalogue.importer import validate_catalogue

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u9fff]")
DEMO = Path(settings.BASE_DIR) / "data" / "demo-catalogue.json"


def broken_catalogue() -> dict:
    demo = json.loads(DEMO.read_text(encoding="utf-8"))
    demo["instruments"][0]["booking"]["opening_hours"][0]["end"] = "08:00"
    demo["technologies"][1]["ip_type"] = "magic"
    return demo


def test_commands_speak_the_site_language_by_default():
    assert settings.COMMAND_LANGUAGE == settings.LANGUAGE_CODE == "zh-hans"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "zh-hans",
            [
                "record instruments[0] (YLU-SEM-01): booking.opening_hours[0].end: "
                "结束时间必须晚于开始时间",
                "record technologies[1] (HTGY-T002): ip_type: 取值不在允许范围内，可选：",
            ],
        ),
        (
            "en",
            [
                "record instruments[0] (YLU-SEM-01): booking.opening_hours[0].end: "
                "End must be after start",
                "record technologies[1] (HTGY-T002): ip_type: must be one of ",
            ],
        ),
    ],
)
def test_importer_row_errors_point_at_the_row_and_field_in_one_language(language, expected):
    with translation.override(language):
        errors = [str(error) for error in validate_catalogue(broken_catalogue())]
    assert len(errors) == 2
    for line, start in zip(errors, expected, strict=True):
        assert line.startswith(start), line
        message = line.split(": ", 2)[2]  # after the locator, which is the file's own words
        if language == "en":
            assert not CJK.search(message), line
        else:
            assert " / " not in message and not re.search(r"\b(must|is|not)\b", message), line


@pytest.mark.parametrize(
    ("language", "summary", "done", "refused"),
    [
        ("zh-hans", "instruments：新建 36，更新 0，未变 0", "导入完成", "2 个错误，未写入任何数据"),
        (
            "en",
            "instruments: 36 created, 0 updated, 0 unchanged",
            "import complete",
            "2 errors, nothing was written",
        ),
    ],
)
def test_import_catalogue_writes_its_lines_and_errors_in_the_chosen_language(
    language, summary, done, refused, tmp_path
):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_catalogue", str(DEMO), language=language, stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert summary in lines
    assert lines[-1].endswith(done)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken_catalogue(), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError) as refusal:
        call_command("import_catalogue", str(bad), language=language, stderr=err)
    assert str(refusal.value) == refused


@pytest.mark.parametrize(
    ("content", "zh", "en"),
    [
        (b"{", "JSON 格式错误：第 1 行第 2 列", "invalid JSON: line 1, column 2"),
        (b"\xff\xfe\x00binary", "文件不是 UTF-8 编码（第 0 字节）", "not UTF-8 (byte 0)"),
        (b"[1]", "文件顶层必须是 JSON 对象", "top level must be a JSON object"),
    ],
)
def test_unreadable_files_are_refused_in_the_chosen_language(tmp_path, content, zh, en):
    path = tmp_path / "in.json"
    path.write_bytes(content)
    for language, expected in (("zh-hans", zh), ("en", en)):
        err = io.StringIO()
        with pytest.raises(CommandError) as refusal:
            call_command("import_catalogue", str(path), language=language, stderr=err)
        said = f"{err.getvalue()}{refusal.value}"  # the error lines, then the refusal
        assert expected in said
        assert (CJK.search(said) is not None) == (language == "zh-hans"), said


def test_command_language_setting_and_option_from_the_command_line(tmp_path, cli_env):
    path = tmp_path / "in.json"
    path.write_bytes(b"{")

    def run(*extra, **env):
        return subprocess.run(
            [sys.executable, "manage.py", "import_catalogue", str(path), *extra],
            env={**cli_env, **env},
            capture_output=True,
            text=True,
        )

    default, english = run(), run(COMMAND_LANGUAGE="en")
    chosen = run("--language", "zh-hans", COMMAND_LANGUAGE="en")
    assert default.returncode == english.returncode == chosen.returncode == 1
    assert default.stderr.strip() == "CommandError: JSON 格式错误：第 1 行第 2 列"
    assert english.stderr.strip() == "CommandError: invalid JSON: line 1, column 2"
    assert chosen.stderr.strip() == default.stderr.strip()
    wrong = run(COMMAND_LANGUAGE="fr")
    assert wrong.returncode != 0 and "COMMAND_LANGUAGE must be one of zh-hans, en" in wrong.stderr


def test_help_is_written_in_one_language(cli_env):
    def help_text(language):
        return subprocess.run(
            [sys.executable, "manage.py", "import_catalogue", "--help"],
            env={**cli_env, "COMMAND_LANGUAGE": language},
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    chinese, english = help_text("zh-hans"), help_text("en")
    assert "导入资源目录" in chinese and "只校验和计数，不写入" in chinese
    assert "Import a catalogue file" not in chinese
    assert "Import a catalogue file" in english and "validate and count, write nothing" in english
    assert not CJK.search(english)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", "已失效的付款保留：booking 0, sampleorder 0；邮件发送 0，失败 0"),
        ("en", "expired holds: booking 0, sampleorder 0; emails sent 0, failed 0"),
    ],
)
def test_expire_bookings_reports_in_the_chosen_language(language, expected):
    out = io.StringIO()
    call_command("expire_bookings", language=language, stdout=out)
    assert out.getvalue().strip() == expected  # the payables by their model names


@pytest.mark.parametrize(
    ("language", "refusal", "report"),
    [
        ("zh-hans", "未配置 STRIPE_SECRET_KEY", "已到账 0，退款已发出或已核对 0，出错 0"),
        ("en", "STRIPE_SECRET_KEY is not set", "paid: 0, refunds sent or checked: 0, errors: 0"),
    ],
)
def test_reconcile_payments_speaks_the_chosen_language(language, refusal, report, settings):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(CommandError) as refused:
        call_command("reconcile_payments", language=language)
    assert str(refused.value) == refusal
    settings.STRIPE_SECRET_KEY = "sk_test_unused"  # nothing pending: Stripe is never asked
    out = io.StringIO()
    call_command("reconcile_payments", language=language, stdout=out)
    assert out.getvalue().strip() == report


def test_every_project_command_takes_the_language_option():
    """Each of the project's own commands is built on marketplace.commands.Command."""
    from django.core.management import get_commands, load_command_class

    from marketplace.commands import Command as ProjectCommand

    ours = {
        name: app
        for name, app in get_commands().items()
        if app.split(".")[0] in {"marketplace", "cms", "search"}
    }
    assert {"import_catalogue", "reconcile_payments", "expire_bookings"} <= ours.keys()
    plain = [
        name
        for name, app in ours.items()
        if not isinstance(load_command_class(app, name), ProjectCommand)
    ]
    assert plain == []
