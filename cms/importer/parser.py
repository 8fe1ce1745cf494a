"""Plain policy text → a structured policy: header, sections, subsections, measures, departments.

The parser is pure (no database): department names are resolved through a DepartmentResolver
built by the caller. Everything it cannot place goes into `ParsedPolicy.report` instead of
being guessed silently.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext

from .departments import DepartmentResolver

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUMERAL = "一二三四五六七八九十"


def cn_to_int(text: str) -> int:
    """Chinese numerals up to 99: 一 → 1, 十 → 10, 十七 → 17, 二十三 → 23."""
    if "十" not in text:
        return CN_DIGITS[text]
    tens, _, units = text.partition("十")
    return (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[units] if units else 0)


def int_to_cn(number: int) -> str:
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    tens, units = divmod(number, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[units] if units else "")


# A responsibility note: "（…等部门按照职责分工负责）", "（省质监局牵头负责）". The closing
# parenthesis is optional so that an unclosed note is still recognised (and reported).
NOTE_RE = re.compile(
    r"（(?P<inner>[^（）]{1,400}?(?:按照职责分工负责|按职责分工负责|牵头负责))(?P<close>）)?"
)
SUBSECTION_RE = re.compile(rf"（(?P<num>[{CN_NUMERAL}]{{1,3}})）")
SECTION_RE = re.compile(rf"(?P<num>[{CN_NUMERAL}]{{1,3}})、")
HEADER_RE = re.compile(
    r"(?P<title>[^。：:]{6,200}?的通知)\s*发布日期[:：]\s*(?P<published>\d{4}-\d{1,2}-\d{1,2})\s*"
    r"来源[:：]\s*(?P<source>[^。：]+?)\s*(?P<addressee>各[^。：]{2,80}：)\s*(?P<notice>[^。]*。)"
)
SIGNATURE_RE = re.compile(
    r"(?P<issuer>[\u4e00-\u9fff]{4,30}?)\s*(?P<written>\d{4}年\d{1,2}月\d{1,2}日)\s*"
    r"（此件(?P<disclosure>[^）]{2,12})）"
)
PLAN_RE = re.compile(
    r"\s*(?P<title>[^。，；（）]{4,100}?(?:实施方案|方案|实施意见|意见|办法|规定|细则|计划|规划|措施))"
    r"(?P<preamble>为[^。]{2,600}?(?:制定|特制定)本(?:方案|意见|办法|规定|细则|计划|措施)。)"
)
DOCUMENT_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{1,8}〔\d{4}〕\d{1,4}号")
# A citation of another document: 《标题》（国办发〔2017〕4号）. Its number is not this document's.
CITED_NUMBER_RE = re.compile(r"》（\s*$")
# Scraping damage that is well known and safe to undo; each repair is listed in the report.
# 文号 whose 〔〕 were lost or replaced: 国办发20174号, 国办发[2017]4号, 国办发（2017）4号.
DAMAGED_NUMBER_RE = re.compile(
    r"(?P<agency>[\u4e00-\u9fff]{1,10}?(?:发|函|字|令|办|规|电|通))"
    r"(?:(?P<bare>(?:19[4-9]\d|20\d\d))|[\[【（(〔](?P<bracketed>(?:19[4-9]\d|20\d\d))[\]】）)〕])"
    r"(?P<serial>[1-9]\d{0,3})号"
)
# "互联网+" scraped as "互联网十" (the plus sign read as the numeral ten). Not before a word that
# makes 十 a number: 十大, 十年, 十三五, 十项 …
INTERNET_PLUS_RE = re.compile(r"互联网十(?![一二三四五六七八九十百千万亿大年多余个项条分家倍届周])")
SENTENCE_END = "。！？"
# Subsection headings run straight into their first measure ("提高行政审批服务效能优化对…").
# A heading ends in one of these nouns and the measure begins with one of these verbs.
HEADING_ENDINGS = (
    "机制", "制度", "体系", "模式", "效能", "效率", "措施", "支撑", "调整", "先行先试",
    "水平", "活力", "环境", "建设", "保障", "服务",
)  # fmt: skip
MEASURE_VERBS = (
    "优化", "推进", "建立", "提升", "完善", "强化", "加快", "推动", "落实", "激发", "鼓励",
    "探索", "充分", "坚持", "贯彻", "按照", "放宽", "加强", "支持", "健全", "实施", "发挥",
    "利用", "促进", "开展", "深化", "积极", "创新", "构建", "培育", "扩大", "引导", "规范",
)  # fmt: skip
SHORT_TITLE_MAX = 30
MAX_TEXT_CHARS = 2_000_000


class PolicyParseError(ValueError):
    """The text cannot be imported at all (empty, binary, too large, no structure)."""


@dataclass
class ReportItem:
    code: str
    message: str
    excerpt: str = ""

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}" + (f"：{self.excerpt}" if self.excerpt else "")


@dataclass
class ParsedMeasure:
    sentences: list[str]
    note: str = ""
    lead: list[str] = field(default_factory=list)
    co: list[str] = field(default_factory=list)
    # The note closed an earlier measure already: a scraped repeat, not this measure's own.
    repeated_note: bool = False
    report_item: ReportItem | None = field(default=None, repr=False, compare=False)
    # Sentences of this paragraph dropped as repeats of text placed elsewhere.
    repeats: int = 0

    @property
    def title(self) -> str:
        """The measure's own heading: a short first sentence followed by its text. A lone short
        sentence is the text itself, unless the rest of its paragraph was dropped as repeats."""
        first = self.sentences[0] if self.sentences else ""
        if len(first) > SHORT_TITLE_MAX or "，" in first:
            return ""
        if len(self.sentences) == 1 and not self.repeats:
            return ""
        return first.rstrip("。")

    @property
    def text(self) -> str:
        body = self.sentences[1:] if self.title else self.sentences
        return "".join(body)

    @property
    def derived_title(self) -> str:
        """For a measure without its own heading: the first clause of its first sentence."""
        if self.title or not self.sentences:
            return ""
        clause = re.split(r"[，；：。！？]", self.sentences[0], maxsplit=1)[0].strip()
        if clause == self.text.rstrip(SENTENCE_END):
            return ""  # a one-clause measure: a title would only repeat it
        if len(clause) > SHORT_TITLE_MAX:
            clause = clause[: SHORT_TITLE_MAX - 1] + "…"
        return clause


@dataclass
class ParsedSubsection:
    number: int
    heading: str
    measures: list[ParsedMeasure] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"（{int_to_cn(self.number)}）"


@dataclass
class ParsedSection:
    number: int
    heading: str
    subsections: list[ParsedSubsection] = field(default_factory=list)
    measures: list[ParsedMeasure] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{int_to_cn(self.number)}、"


@dataclass
class ParsedPolicy:
    title: str = ""
    notice_title: str = ""
    plan_title: str = ""
    published: datetime.date | None = None
    written: datetime.date | None = None
    source: str = ""
    issuer: str = ""
    addressee: str = ""
    notice_text: str = ""
    disclosure: str = ""
    document_number: str = ""
    preamble: str = ""
    closing: str = ""
    sections: list[ParsedSection] = field(default_factory=list)
    report: list[ReportItem] = field(default_factory=list)
    duplicates_removed: int = 0
    headers_removed: int = 0

    @property
    def subsections(self) -> list[ParsedSubsection]:
        return [sub for section in self.sections for sub in section.subsections]

    @property
    def measures(self) -> list[ParsedMeasure]:
        out: list[ParsedMeasure] = []
        for section in self.sections:
            out.extend(section.measures)
            for sub in section.subsections:
                out.extend(sub.measures)
        return out

    @property
    def departments(self) -> list[str]:
        seen: dict[str, None] = {}
        for measure in self.measures:
            for name in (*measure.lead, *measure.co):
                seen.setdefault(name)
        return list(seen)

    def add(self, code: str, message: str, excerpt: str = "") -> None:
        self.report.append(ReportItem(code, message, excerpt[:80]))


# --- Tokens -----------------------------------------------------------------------------------


@dataclass
class _Token:
    kind: str  # "sentence" | "section" | "subsection" | "note"
    text: str
    number: int = 0
    closed: bool = True


def _key(sentence: str) -> str:
    return re.sub(r"\s+", "", sentence).rstrip(SENTENCE_END)


def _split_subsection_heading(text: str) -> tuple[str, str]:
    """ "提高行政审批服务效能优化对…服务。" → ("提高行政审批服务效能", "优化对…服务。")."""
    end = len(text)
    for mark in "。；":
        pos = text.find(mark)
        if pos != -1:
            end = min(end, pos)
    head = text[:end]
    for pos in range(4, len(head) - 1):
        if head[:pos].endswith(HEADING_ENDINGS) and head[pos:].startswith(MEASURE_VERBS):
            return head[:pos], text[pos:]
    if end < len(text) and len(head) <= 24:
        # "（一）标题。正文…": the heading is its own sentence.
        return head, text[end + 1 :]
    return "", text


def _tokenize(text: str, report: ParsedPolicy) -> list[_Token]:
    tokens: list[_Token] = []
    buf: list[str] = []
    at_boundary = True
    pos = 0
    n = len(text)

    def flush() -> None:
        sentence = "".join(buf).strip()
        buf.clear()
        if sentence:
            tokens.append(_Token("sentence", sentence))

    while pos < n:
        char = text[pos]
        if char.isspace():
            pos += 1
            continue
        if char == "（":
            note = NOTE_RE.match(text, pos)
            if note:
                flush()
                tokens.append(_Token("note", note["inner"], closed=bool(note["close"])))
                if not note["close"]:
                    report.add(
                        "unclosed-parenthesis",
                        "责任单位括注缺少右括号，已在“负责”处结束",
                        note.group(0)[-40:] + text[note.end() : note.end() + 12],
                    )
                pos = note.end()
                at_boundary = True
                continue
            sub = SUBSECTION_RE.match(text, pos)
            if sub:
                flush()
                rest_end = pos + len(sub.group(0))
                stop = min(
                    (i for i in (text.find("。", rest_end), text.find("（", rest_end)) if i != -1),
                    default=n,
                )
                # Take the heading plus the first sentence; the split finds where they meet.
                segment = text[rest_end : stop + 1 if stop < n and text[stop] == "。" else stop]
                heading, remainder = _split_subsection_heading(segment)
                tokens.append(_Token("subsection", heading, number=cn_to_int(sub["num"])))
                if not heading:
                    report.add(
                        "subsection-without-heading",
                        f"分项序号（{sub['num']}）后未能识别出标题",
                        text[pos : pos + 30],
                    )
                buf.append(remainder)
                pos = rest_end + len(segment)
                if remainder.endswith("。"):
                    flush()
                at_boundary = True
                continue
        if at_boundary:
            sec = SECTION_RE.match(text, pos)
            if sec:
                flush()
                start = sec.end()
                stops = [i for i in (text.find("（", start), text.find("。", start)) if i != -1]
                stop = min(stops, default=n)
                heading = text[start:stop].strip()
                tokens.append(_Token("section", heading, number=cn_to_int(sec["num"])))
                pos = stop + 1 if stop < n and text[stop] == "。" else stop
                at_boundary = True
                continue
        buf.append(char)
        pos += 1
        if char in SENTENCE_END:
            flush()
            at_boundary = True
        else:
            at_boundary = char == "）"
    flush()
    return tokens


# --- Responsibility notes ---------------------------------------------------------------------

NOTE_PARTS_RE = re.compile(
    r"^(?P<list>.*?)(?P<jointly>会同有关部门)?(?P<kind>按照职责分工负责|按职责分工负责|牵头负责)$"
)
GENERIC_GROUPS = {"部门", "单位", "部门单位"}


def parse_note(
    note: str, resolver: DepartmentResolver, policy: ParsedPolicy
) -> tuple[list[str], list[str]]:
    """One note → (lead, co-responsible) canonical department names.

    "X牵头负责" and "X会同有关部门牵头负责": every listed department leads.
    "X、Y、Z等部门按照职责分工负责": by the convention of provincial task lists the first listed
    department leads and the others share the work.
    """
    match = NOTE_PARTS_RE.match(note.strip())
    if not match:
        policy.add("unparsed-note", "无法解析的责任单位括注", note)
        return [], []
    listed = match["list"]
    group = ""
    if "等" in listed:
        listed, group = listed.rsplit("等", 1)
    names: list[str] = []
    for clause in re.split(r"[，,；;]", listed):
        for raw in re.split(r"[、]", clause):
            raw = raw.strip()
            if not raw:
                continue
            resolved = resolver.split(raw)
            if resolved is None:
                policy.add("unknown-department", "未知的部门名称，未关联到任何部门", raw)
                continue
            if len(resolved) > 1:
                policy.add(
                    "run-together-departments",
                    f"连写的部门名称已拆分为：{'、'.join(resolved)}",
                    raw,
                )
            names.extend(resolved)
    extra: list[str] = []
    if group and group not in GENERIC_GROUPS:
        resolved_group = resolver.resolve(group)
        if resolved_group is None:
            policy.add("unknown-department", "未知的部门群组名称", group)
        else:
            extra.append(resolved_group)
    if match["jointly"]:
        resolved_group = resolver.resolve("有关部门")
        if resolved_group:
            extra.append(resolved_group)
    names = list(dict.fromkeys(names))
    if match["kind"] == "牵头负责":
        lead, co = names, extra
    else:
        lead, co = names[:1], names[1:] + extra
    co = [name for name in dict.fromkeys(co) if name not in lead]
    return lead, co


# --- The parser -------------------------------------------------------------------------------


def _check_text(text: str) -> None:
    if not text.strip():
        raise PolicyParseError(gettext("文件为空，没有可导入的内容。"))
    if len(text) > MAX_TEXT_CHARS:
        raise PolicyParseError(
            gettext("文本过长（%(count)s 字），超过 %(limit)s 字的上限，不像一份政策文件。")
            % {"count": len(text), "limit": MAX_TEXT_CHARS}
        )
    control = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if "\x00" in text or control > len(text) / 100:
        raise PolicyParseError(gettext("文件含有二进制内容，不是纯文本。"))
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    if cjk < 20:
        raise PolicyParseError(gettext("文件中几乎没有中文内容，不像一份政策文件。"))


def repair_scraping_damage(text: str, policy: ParsedPolicy) -> str:
    """Undo well-known scraping damage, listing each distinct repair (and how often) in the report."""
    repairs: dict[tuple[str, str], int] = {}

    def number(match: re.Match) -> str:
        year = match["bare"] or match["bracketed"]
        fixed = f"{match['agency']}〔{year}〕{match['serial']}号"
        if fixed != match.group(0):
            key = (match.group(0), fixed)
            repairs[key] = repairs.get(key, 0) + 1
        return fixed

    text = DAMAGED_NUMBER_RE.sub(number, text)
    for match in INTERNET_PLUS_RE.finditer(text):
        context = text[match.start() : match.end() + 4]
        key = (context, context.replace("互联网十", "互联网+", 1))
        repairs[key] = repairs.get(key, 0) + 1
    text = INTERNET_PLUS_RE.sub("互联网+", text)
    for (before, after), count in repairs.items():
        times = f"（{count} 处）" if count > 1 else ""
        policy.add("repaired", f"已修复抓取造成的错误{times}：{before} → {after}")
    return text


def _document_number(text: str) -> str:
    """This document's own 文号: the first one that is not a citation of another document."""
    for match in DOCUMENT_NUMBER_RE.finditer(text):
        if not CITED_NUMBER_RE.search(text[max(0, match.start() - 4) : match.start()]):
            return match.group(0)
    return ""


def _parse_date(text: str | None) -> datetime.date | None:
    if not text:
        return None
    numbers = [int(x) for x in re.findall(r"\d+", text)]
    try:
        return datetime.date(*numbers[:3])
    except (TypeError, ValueError):
        return None


def parse_policy(text: str, resolver: DepartmentResolver) -> ParsedPolicy:
    """Parse the text of one policy document. Raises PolicyParseError if nothing is usable."""
    _check_text(text)
    policy = ParsedPolicy()
    text = text.replace("\r\n", "\n").replace("(", "（").replace(")", "）")
    text = text.replace("\u3000", "").replace("\ufeff", "")
    text = repair_scraping_damage(text, policy)

    # 1. The notice header ("…的通知发布日期:…来源：…各州、市人民政府…：《…》…执行。"), often
    #    repeated by the page it was copied from: keep its data once, drop every copy.
    headers = list(HEADER_RE.finditer(text))
    body_start = 0
    if headers:
        first = headers[0]
        policy.notice_title = first["title"].strip()
        policy.published = _parse_date(first["published"])
        policy.source = first["source"].strip()
        policy.addressee = first["addressee"].strip()
        policy.notice_text = first["notice"].strip()
        policy.headers_removed = len(headers) - 1
        body_start = headers[-1].end()
    else:
        policy.add("no-header", "未找到印发通知的标题、发布日期和来源，请手工填写")
    policy.document_number = _document_number(text)
    if not policy.document_number:
        policy.add("no-document-number", "未找到文号（如 云政办发〔2017〕XX号），请手工填写")

    # 2. The signature ("云南省人民政府办公厅2017年7月18日（此件公开发布）") and the plan's own
    #    title and preamble that follow it.
    stray = ""
    signature = SIGNATURE_RE.search(text, body_start)
    if signature:
        policy.issuer = signature["issuer"].strip()
        policy.written = _parse_date(signature["written"])
        policy.disclosure = signature["disclosure"].strip()
        stray = text[body_start : signature.start()]
        body_start = signature.end()
    else:
        policy.add("no-signature", "未找到落款（发文机关和成文日期），请手工填写")
    plan = PLAN_RE.match(text, body_start)
    if plan:
        policy.plan_title = plan["title"].strip()
        policy.preamble = plan["preamble"].strip()
        body_start = plan.end()
    policy.title = policy.notice_title or policy.plan_title

    stray_tokens = _tokenize(stray, policy) if stray.strip() else []
    tokens = _tokenize(text[body_start:], policy)
    if not any(token.kind in ("section", "subsection") for token in tokens):
        raise PolicyParseError(
            "没有识别出任何章节（一、…）或分项（（一）…），文本不具备可导入的结构。"
        )

    # 3. Duplicates. A sentence outside the structure (before the first section) that also
    #    appears inside it is a stray copy; inside the structure the first occurrence wins.
    first_structural = next(
        i for i, token in enumerate(tokens) if token.kind in ("section", "subsection")
    )
    structural_keys = {
        _key(token.text) for token in tokens[first_structural:] if token.kind == "sentence"
    }
    preamble_extra: list[str] = []
    for token in [*stray_tokens, *tokens[:first_structural]]:
        if token.kind != "sentence":
            continue
        if _key(token.text) in structural_keys or _key(token.text) in {
            _key(s) for s in preamble_extra
        }:
            policy.duplicates_removed += 1
        else:
            preamble_extra.append(token.text)
            policy.add("text-outside-structure", "第一个章节之前的正文，已放入前言", token.text)
    if preamble_extra:
        policy.preamble = "".join([policy.preamble, *preamble_extra])

    _build_structure(tokens[first_structural:], policy, resolver)
    _check_numbering(policy)
    return policy


def _build_structure(tokens: list[_Token], policy: ParsedPolicy, resolver: DepartmentResolver):
    sections: dict[int, ParsedSection] = {}
    subsections: dict[int, ParsedSubsection] = {}
    section_starts: dict[int, int] = {}  # section number → first subsection number after it
    seen: set[str] = set()
    seen_notes: set[str] = set()
    pending: list[str] = []
    current_section: int | None = None
    current_sub: ParsedSubsection | None = None
    just_opened_section: int | None = None
    # A repeated subsection heading opened the paragraph being read (scraped repeats): its new
    # text stays where the reading is, and the report says so.
    repeated_sub: ParsedSubsection | None = None
    placements: list[tuple[ParsedSubsection | None, int | None, ParsedMeasure]] = []
    repeats = 0  # sentences of the paragraph being read that were dropped as repeats

    def where() -> str:
        if current_sub is not None:
            return f"分项{current_sub.label}{current_sub.heading}"
        if current_section is not None and current_section in sections:
            section = sections[current_section]
            return f"章节{section.label}{section.heading}"
        return "当前位置"

    def close_measure(note: _Token | None) -> None:
        nonlocal pending, repeated_sub, repeats
        repeat, repeated_sub = repeated_sub, None
        dropped, repeats = repeats, 0
        if not pending:
            if note is None:
                return
            key = _key(note.text)
            if key in seen_notes:
                policy.duplicates_removed += 1  # the note of a measure already imported
                return
            seen_notes.add(key)
            previous = placements[-1][2] if placements else None
            if previous is not None and previous.repeated_note:
                # The scrape slipped a repeated block between a measure and its own note: the
                # measure before carried a copy of another measure's note, this one is its own.
                previous.note = note.text
                previous.lead, previous.co = parse_note(note.text, resolver, policy)
                previous.repeated_note = False
                if previous.report_item in policy.report:
                    policy.report.remove(previous.report_item)
                policy.add(
                    "note-reattached",
                    "责任单位括注前面的文字都是重复内容；上一条措施原带的括注与另一条措施重复，"
                    "已改用这条括注，请核对",
                    f"{previous.sentences[0]}（{note.text}）",
                )
                return
            policy.add(
                "unattached-note",
                "责任单位括注前面的文字都是重复内容，无法确定它属于哪条措施，未导入",
                note.text,
            )
            return
        measure = ParsedMeasure(sentences=pending, repeats=dropped)
        pending = []
        if repeat is not None:
            policy.add(
                "repeated-subsection",
                f"一段文字以分项{repeat.label}{repeat.heading}的重复内容开头，"
                f"其后的新内容未放入该分项，留在{where()}，请核对归属",
                measure.sentences[0],
            )
        if note is None:
            policy.add(
                "measure-without-departments",
                "一段措施后面没有责任单位括注，已导入但未关联部门",
                measure.sentences[0],
            )
        else:
            key = _key(note.text)
            measure.repeated_note = key in seen_notes
            seen_notes.add(key)
            measure.note = note.text
            if measure.repeated_note:
                policy.add(
                    "repeated-note",
                    "措施后的责任单位括注与前面另一条措施的完全相同（抓取时重复），"
                    "未再次计入部门，请核对",
                    measure.sentences[0],
                )
                measure.report_item = policy.report[-1]
            else:
                measure.lead, measure.co = parse_note(note.text, resolver, policy)
        placements.append((current_sub, current_section, measure))

    for token in tokens:
        if token.kind == "section":
            close_measure(None)
            if token.number not in sections:
                sections[token.number] = ParsedSection(token.number, token.text)
            elif token.text and token.text != sections[token.number].heading:
                policy.add(
                    "conflicting-heading",
                    f"章节{int_to_cn(token.number)}出现了不同的标题，保留第一个",
                    token.text,
                )
            else:
                policy.duplicates_removed += 1
            current_section = token.number
            current_sub = None
            just_opened_section = token.number
        elif token.kind == "subsection":
            close_measure(None)
            if just_opened_section is not None:
                section_starts.setdefault(just_opened_section, token.number)
            opened_section, just_opened_section = just_opened_section, None
            if token.number in subsections:
                policy.duplicates_removed += 1
                known = subsections[token.number]
                if not known.heading and token.text:
                    known.heading = token.text
                if current_sub is not None and known is not current_sub and opened_section is None:
                    repeated_sub = known
                    continue
            else:
                subsections[token.number] = ParsedSubsection(token.number, token.text)
            current_sub = subsections[token.number]
        elif token.kind == "note":
            close_measure(token)
        else:
            just_opened_section = None if token.kind == "sentence" else just_opened_section
            key = _key(token.text)
            if key in seen:
                policy.duplicates_removed += 1
                repeats += 1
                continue
            seen.add(key)
            pending.append(token.text)
    if pending:
        tail = pending
        pending = []
        policy.closing = "".join(tail)
        policy.add(
            "closing-without-departments",
            "最后一条责任单位括注之后的文字没有责任单位，已作为结束语导入",
            tail[0],
        )

    # A measure left with a heading and no text (its sentences were all repeats of text placed
    # elsewhere) is not published empty: it goes to the report with its departments.
    kept = []
    for sub, section_number, measure in placements:
        if measure.title and not measure.text:
            departments = "、".join([*measure.lead, *measure.co]) or "无"
            policy.add(
                "empty-measure",
                f"措施只有标题、没有正文（正文句子在别处已出现），未导入；责任单位：{departments}",
                f"{measure.title}（{measure.note}）" if measure.note else measure.title,
            )
            continue
        kept.append((sub, section_number, measure))
    placements = kept

    # Subsections are numbered straight through the document ((一)…(十七)), so a subsection
    # belongs to the section whose first subsection number is the largest one not above it.
    ordered = sorted(sections)
    starts = sorted((start, number) for number, start in section_starts.items())

    def section_for(sub_number: int) -> int | None:
        owner = None
        for start, number in starts:
            if start <= sub_number:
                owner = number
        return owner

    for number in ordered:
        if number not in section_starts:
            policy.add(
                "section-without-subsections",
                f"章节{int_to_cn(number)}后面没有紧跟分项，无法确定它包含哪些分项",
                sections[number].heading,
            )
    for sub_number in sorted(subsections):
        owner = section_for(sub_number)
        if owner is None:
            policy.add(
                "subsection-without-section",
                f"分项（{int_to_cn(sub_number)}）无法归入任何章节，已放入第一章节",
                subsections[sub_number].heading,
            )
            owner = ordered[0] if ordered else None
        if owner is None:
            sections.setdefault(0, ParsedSection(0, ""))
            owner = 0
            ordered = sorted(sections)
        sections[owner].subsections.append(subsections[sub_number])
    for sub, section_number, measure in placements:
        if sub is not None:
            sub.measures.append(measure)
        elif section_number is not None:
            sections[section_number].measures.append(measure)
    policy.sections = [sections[number] for number in sorted(sections)]


def _check_numbering(policy: ParsedPolicy) -> None:
    numbers = [section.number for section in policy.sections]
    for expected in range(1, max(numbers, default=0) + 1):
        if expected not in numbers:
            policy.add("missing-section", f"缺少章节{int_to_cn(expected)}、")
    sub_numbers = sorted(sub.number for sub in policy.subsections)
    for expected in range(1, max(sub_numbers, default=0) + 1):
        if expected not in sub_numbers:
            policy.add(
                "missing-subsection",
                f"分项序号（{int_to_cn(expected)}）在文中没有出现（序号不连续），其内容可能并入了相邻分项",
            )
    for sub in policy.subsections:
        if not sub.measures:
            policy.add(
                "empty-subsection",
                f"分项{sub.label}{sub.heading}下没有措施",
            )
