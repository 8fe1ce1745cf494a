"""The English catalogue translates every string, and the compiled .mo matches the .po."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
# Chinese for the Wagtail admin's own words that Wagtail's catalogue lacks.
WAGTAIL_PO = Path(settings.BASE_DIR) / "locale_wagtail" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_string_has_an_english_translation():
    catalogue = polib.pofile(str(PO))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
    assert len(catalogue) > 50


@pytest.mark.parametrize("po", [PO, WAGTAIL_PO], ids=["en", "wagtail-zh-hans"])
def test_compiled_catalogue_is_up_to_date(po):
    catalogue = polib.pofile(str(po))
    compiled = polib.mofile(str(po.with_suffix(".mo")))

    def translations(entries):
        result = {}
        for entry in entries:
            if entry.obsolete or not entry.msgid:
                continue
            key = (entry.msgctxt, entry.msgid)  # "仪器" and "仪器" in context "plural" differ
            if entry.msgid_plural:
                result[key] = tuple(sorted(entry.msgstr_plural.items()))
            elif entry.msgstr:
                result[key] = entry.msgstr
        return result

    assert translations(compiled) == translations(catalogue)


def test_every_translatable_string_in_the_code_is_in_the_catalogue(tmp_path):
    """makemessages on the current tree finds nothing the committed catalogue lacks."""
    import shutil
    import subprocess
    import sys

    if not shutil.which("xgettext"):
        raise AssertionError("GNU gettext (xgettext) is needed to check the catalogue")
    work = tmp_path / "tree"
    shutil.copytree(
        settings.BASE_DIR,
        work,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "media",
            "staticfiles",
            "*.sqlite3*",
            "tests",
            "bench",
            "__pycache__",
            ".ruff_cache",
            ".pytest_cache",
        ),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "-v0"],
        cwd=work,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    fresh = {entry.msgid for entry in polib.pofile(str(work / "locale/en/LC_MESSAGES/django.po"))}
    committed = {entry.msgid for entry in polib.pofile(str(PO))}
    assert sorted(fresh - committed) == []
