"""import_policy on the seed: scraping damage repaired and listed, no empty measure, and the
department pages count what the text gives each department."""

import re
from collections import Counter
from pathlib import Path

import pytest

from cms.importer.parser import NOTE_RE, ParsedPolicy, parse_note, repair_scraping_damage
from cms.importer.service import import_policy, read_policy_file
from cms.models import Department, MeasureResponsibility, PolicyIndexPage, PolicyPage

pytestmark = pytest.mark.django_db

SEED = (
    Path(__file__).resolve().parent.parent / "cms" / "data" / "yunnan-2017-new-drivers-policy.txt"
)


@pytest.fixture
def imported(site_tree):
    result = import_policy(
        read_policy_file(SEED), publish=True, parent=PolicyIndexPage.objects.get()
    )
    return result, PolicyPage.objects.get(pk=result.page.pk)


def report_of(result, code):
    return [str(item) for item in result.parsed.report if item.code == code]


def test_each_repair_is_made_and_listed_in_the_report(imported):
    result, page = imported
    repairs = report_of(result, "repaired")
    assert any("国办发20174号 → 国办发〔2017〕4号" in item for item in repairs)
    assert any(
        "（2 处）" in item and "互联网十政务服务 → 互联网+政务服务" in item for item in repairs
    )
    assert len(repairs) == 2
    assert "（国办发〔2017〕4号）" in page.preamble
    text = page.preamble + "".join(m.value["text"] for _, _, m in page.iter_measures())
    assert "国办发20174号" not in text and "互联网十" not in text
    assert "加快推进“互联网+政务服务”" in text
    assert "repaired" in page.import_report


def test_a_cited_document_number_is_not_taken_as_the_documents_own(imported):
    result, page = imported
    assert page.document_number == ""
    assert report_of(result, "no-document-number")


@pytest.mark.parametrize(
    ("damaged", "repaired"),
    [
        ("根据云政发[2016]12号文件", "根据云政发〔2016〕12号文件"),
        ("（国发（2015）32号）", "（国发〔2015〕32号）"),
        ("云政办发〔2017〕80号", "云政办发〔2017〕80号"),  # already right: not a repair
        ("“互联网十”行动", "“互联网+”行动"),
        ("互联网十大趋势", "互联网十大趋势"),  # 十 is a number here
        ("中国制造2025", "中国制造2025"),
    ],
)
def test_repairs_touch_only_the_damage(damaged, repaired):
    policy = ParsedPolicy()
    assert repair_scraping_damage(damaged, policy) == repaired
    assert bool(policy.report) is (damaged != repaired)


def test_every_published_measure_has_a_title_and_a_body(client, imported):
    _result, page = imported
    measures = [child.value for _, _, child in page.iter_measures()]
    assert len(measures) == 32
    assert all(m["title"].strip() and m["text"].strip() for m in measures)
    derived = [m for m in measures if m["title_derived"]]
    assert len(derived) == 13  # the measures the text gives no heading of their own
    assert all(m["text"].startswith(m["title"].rstrip("…")) for m in derived)
    by_title = {m["title"]: m for m in measures}
    assert by_title["建立绩效评价机制"]["title_derived"] is True
    assert by_title["放宽新兴经济领域政策限制"]["title_derived"] is False
    html = client.get(page.url).content.decode()
    assert html.count('class="measure-title"') == 32


def test_a_heading_without_text_goes_to_the_report_not_the_page(imported):
    result, page = imported
    empty = report_of(result, "empty-measure")
    assert len(empty) == 2
    assert any("推行动态审慎监管" in item and "有关行业主管部门" in item for item in empty)
    assert any(
        "落实国家以负面清单为主的产业准入制度" in item and "省农业厅" in item for item in empty
    )
    titles = [child.value["title"] for _, _, child in page.iter_measures()]
    assert "推行动态审慎监管" not in titles


def test_text_after_a_repeated_subsection_heading_is_reported_not_silently_placed(imported):
    result, page = imported
    repeated = report_of(result, "repeated-subsection")
    assert len(repeated) == 2
    assert any("（四）提高创业创新服务效率" in item and "调动第三方" in item for item in repeated)
    assert any(
        "（六）健全信用约束机制" in item and "实施服务经济倍增计划" in item for item in repeated
    )
    placed = {
        child.value["text"][:6]: (sub["label"] if sub else "")
        for _, sub, child in page.iter_measures()
    }
    assert placed["调动第三方、"] == "（八）"  # where the reading was, not back in (四)


def test_department_pages_count_the_measures_the_text_gives_them(client, imported):
    """Each responsibility note of the text counts once, for the measure it closes; the notes of
    the two headings without text are in the report instead."""
    result, page = imported
    text = repair_scraping_damage(read_policy_file(SEED), ParsedPolicy())
    resolver = Department.objects.resolver()
    expected_lead, expected_any = Counter(), Counter()
    reported = " ".join(report_of(result, "empty-measure"))
    for note in dict.fromkeys(match["inner"] for match in NOTE_RE.finditer(text)):
        if f"（{note}）" in reported:
            continue
        lead, co = parse_note(note, resolver, ParsedPolicy())
        expected_lead.update(lead)
        expected_any.update([*lead, *co])
    rows = MeasureResponsibility.objects.filter(policy=page)
    assert Counter(r.department.name for r in rows if r.role == "lead") == expected_lead
    assert Counter(r.department.name for r in rows) == expected_any

    science = Department.objects.get(name="省科技厅")
    html = client.get(science.get_absolute_url()).content.decode()
    assert "共负责 11 项措施，其中牵头 1 项。" in html
    lead = rows.get(department=science, role="lead")
    assert lead.measure_title == "强化新兴经济领域的系统谋划和统筹协调"
    assert re.search(r"dept-badge-lead[^<]*</span>\s*<span class=\"meta\">四、", html)
