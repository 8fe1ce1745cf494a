"""import_policy on the seed policy and on bad input: structure, departments, report, errors."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cms.importer.parser import _key
from cms.importer.service import import_policy, read_policy_file
from cms.models import (
    Department,
    MeasureResponsibility,
    PolicyIndexPage,
    PolicyPage,
)

pytestmark = pytest.mark.django_db

SEED = (
    Path(__file__).resolve().parent.parent / "cms" / "data" / "yunnan-2017-new-drivers-policy.txt"
)


@pytest.fixture
def library(site_tree):
    """The empty policy column that `migrate` creates."""
    return PolicyIndexPage.objects.get()


@pytest.fixture
def seed_text():
    return read_policy_file(SEED)


@pytest.fixture
def imported(library, seed_text):
    return import_policy(seed_text, parent=library)


def measure_with(parsed, phrase):
    found = [m for m in parsed.measures if phrase in "".join(m.sentences)]
    assert len(found) == 1, phrase
    return found[0]


def test_the_seed_has_four_sections_and_the_fifteen_subsections_present(imported):
    parsed = imported.parsed
    assert [s.label + s.heading for s in parsed.sections] == [
        "一、提高政府服务能力和水平",
        "二、探索包容创新的审慎监管制度",
        "三、激发新生产要素流动活力",
        "四、强化支撑保障机制建设",
    ]
    numbers = {s.label: [sub.number for sub in s.subsections] for s in parsed.sections}
    assert numbers == {
        "一、": [1, 2, 3, 4],
        "二、": [5, 6, 7, 8],
        "三、": [10, 11, 12, 13],
        "四、": [14, 15, 17],
    }
    assert parsed.subsections[0].heading == "提高行政审批服务效能"
    # 34 paragraphs end in a note; two are a heading whose text was all repeats (reported)
    assert len(parsed.measures) == 32


def test_the_notice_header_and_signature_become_metadata(imported):
    page = PolicyPage.objects.get(pk=imported.page.pk)
    assert page.title.startswith("云南省人民政府办公厅关于印发")
    assert str(page.date_published) == "2017-07-27"
    assert str(page.date_written) == "2017-07-18"
    assert page.issuer.name == "省政府办公厅"
    assert page.disclosure == PolicyPage.Disclosure.PROACTIVE
    assert (
        page.plan_title
        == "云南省创新管理优化服务培育壮大经济发展新动能加快新旧动能接续转换实施方案"
    )
    assert page.live is False  # a draft unless --publish


def test_no_sentence_appears_twice_in_the_imported_policy(imported):
    parsed = imported.parsed
    sentences = [s for m in parsed.measures for s in m.sentences]
    sentences += [parsed.preamble, parsed.notice_text, parsed.closing]
    keys = [_key(s) for s in sentences if s]
    assert len(keys) == len(set(keys))
    assert parsed.headers_removed == 1
    assert parsed.duplicates_removed > 30
    page = PolicyPage.objects.get(pk=imported.page.pk)
    text = "".join(m.value["text"] for _, _, m in page.iter_measures())
    assert text.count("推进地方标准文本免费在线阅读") == 1


@pytest.mark.parametrize(
    ("phrase", "lead", "co"),
    [
        ("强化“立改废”协调", ["省法制办"], []),
        ("跟踪落实符合国际规则的创新产品", ["省财政厅"], []),
        ("组织实施省级重点工业转型升级专项行动", ["省工业和信息化委"], []),
        (
            "整合省直各部门面向公众服务的有关业务系统",
            ["省委网信办"],
            ["省政府办公厅", "省发展改革委", "省工业和信息化委"],
        ),
        (
            # "工业和信息化委教育厅": two departments run together
            "打破制约企业跨所有制、跨行业创新合作的限制",
            ["省发展改革委"],
            ["省工业和信息化委", "省教育厅", "省科技厅", "省农业厅", "中科院昆明分院"],
        ),
        (
            # "农业厅地税局" run together; 省国税局 and a central bank branch after the comma
            "强化对新技术、新产品、新成果导入阶段的金融支持",
            ["省教育厅"],
            ["省科技厅", "省财政厅", "省农业厅", "省地税局", "省金融办", "省国税局", "人民银行昆明中心支行"],
        ),
        (
            # a group after 等: the 联席会议 member units
            "推进国家及我省已出台的关于科技成果使用",
            ["省发展改革委"],
            [
                "省工业和信息化委", "省教育厅", "省科技厅", "省财政厅", "省人力资源社会保障厅",
                "省工商局", "省总工会", "省科协", "省推进大众创业万众创新部门联席会议成员单位",
            ],
        ),
        # its note is a scraped copy of the note after "对未纳入负面清单…": counted once, there
        ("鼓励传统商贸流通企业积极利用信息技术", [], []),
        ("对未纳入负面清单管理的行业、领域、业务等", ["省发展改革委"], [
            "省工业和信息化委", "省教育厅", "省交通运输厅", "省商务厅", "省卫生计生委", "省工商局",
            "省金融办", "省通信管理局", "云南银监局", "云南证监局", "云南保监局",
        ]),
    ],
)  # fmt: skip
def test_named_measures_get_their_lead_and_co_responsible_departments(imported, phrase, lead, co):
    measure = measure_with(imported.parsed, phrase)
    assert measure.lead == lead
    assert measure.co == co
    rows = MeasureResponsibility.objects.filter(
        policy_id=imported.page.pk, measure_text__contains=phrase
    )
    assert sorted(r.department.name for r in rows if r.role == "lead") == sorted(lead)
    assert sorted(r.department.name for r in rows if r.role == "co") == sorted(co)


def test_the_report_lists_what_could_not_be_placed(imported):
    codes = [item.code for item in imported.parsed.report]
    text = "\n".join(str(item) for item in imported.parsed.report)
    assert codes.count("unclosed-parenthesis") == 1
    assert "按照职责分工负责三、激发新生产要素流动活" in text
    assert "分项序号（九）在文中没有出现" in text
    assert "分项序号（十六）在文中没有出现" in text
    assert "工业和信息化委教育厅" in text and "农业厅地税局" in text
    assert "no-document-number" in codes
    assert "note-reattached" in codes  # its text was all repeats: reported, not guessed
    page = PolicyPage.objects.get(pk=imported.page.pk)
    assert "unclosed-parenthesis" in page.import_report


def test_an_unknown_department_is_reported_not_guessed(library):
    text = (
        "一、总体要求（一）加强统筹协调建立工作机制。明确分工。（省星际交通厅、省科技厅等部门按照职责分工负责）"
        "（二）强化保障落实经费支持。（省科技厅牵头负责）"
    )
    result = import_policy(text, title="测试文件", parent=library)
    assert result.parsed.measures[0].lead == ["省科技厅"]
    assert any(
        item.code == "unknown-department" and "省星际交通厅" in item.excerpt
        for item in result.parsed.report
    )


def test_importing_the_same_text_twice_keeps_one_page(imported, seed_text, library):
    again = import_policy(seed_text, parent=library)
    assert again.created is False
    assert again.page.pk == imported.page.pk
    assert PolicyPage.objects.count() == 1
    forced = import_policy(seed_text, parent=library, allow_duplicate=True)
    assert forced.created is True
    assert PolicyPage.objects.count() == 2


def test_the_command_publishes_and_prints_a_report(library, capsys):
    call_command("import_policy", str(SEED), "--publish")
    out = capsys.readouterr().out
    assert "章节 4，分项 15，措施 32" in out
    assert "连写的部门名称已拆分为" in out
    assert PolicyPage.objects.get().live is True


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件为空"),
        (b"   \n\n ", "文件为空"),
        (bytes(range(256)) * 40, "二进制"),
        (
            "这是一段没有任何结构的文字，只是随便写写而已。没有章节，也没有分项。".encode() * 3,
            "没有识别出任何章节",
        ),
        (b"plain ascii words without any chinese at all. " * 10, "几乎没有中文"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message_and_nothing_written(
    library, tmp_path, content, message
):
    before = PolicyPage.objects.count()
    path = tmp_path / "policy.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_policy", str(path))
    assert PolicyPage.objects.count() == before


def test_ten_megabytes_of_text_is_refused(library, tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text("一、总体要求（一）加强统筹协调。" * 350_000, encoding="utf-8")
    assert path.stat().st_size > 10 * 1024 * 1024
    with pytest.raises(CommandError, match="文件过大"):
        call_command("import_policy", str(path))


def test_the_command_line_exits_1_without_a_traceback(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("")
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "import_policy", str(path)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        check=False,
    )
    assert result.returncode == 1
    assert "文件为空" in result.stderr
    assert "Traceback" not in result.stderr


def test_department_names_resolve_with_or_without_the_province_prefix(db):
    resolver = Department.objects.resolver()
    assert resolver.resolve("发展改革委") == "省发展改革委"
    assert resolver.resolve("省发展改革委") == "省发展改革委"
    assert resolver.resolve("云南省科学技术厅") == "省科技厅"
    assert resolver.split("省发展改革委工业和信息化委") == ["省发展改革委", "省工业和信息化委"]
    assert resolver.split("省星际交通厅") is None
