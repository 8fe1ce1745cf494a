"""No message is written in both languages at once: a string literal (or f-string) in
marketplace/, config/, search/ or cms/ holding Chinese followed by " / " and English, as in
"仪器不存在 / unknown instrument", fails here. Such a message is a gettext string with a
Chinese msgid and an English entry in locale/en, shown in the reader's language.

Allowed, with the reason:
- the OpenAPI schema's summaries, descriptions and help texts (OPENAPI_KEYWORDS, OPENAPI_CALLS):
  documentation for both audiences of the published schema, which is kept as it is;
- docstrings and migrations: notes for developers, and data as it was;
- LEGACY: old bilingual values still stored in existing rows, mapped to one language on display.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOTS = ("marketplace", "config", "search", "cms")
# Chinese (or a full-width sign) … "/" and a space … then English, within one line.
DUAL = re.compile(r"[\u3400-\u9fff\uff00-\uffef][^\n]*?/\s+[A-Za-z{]")
OPENAPI_KEYWORDS = {"summary", "description", "help_text", "detail_summary", "list_summary"}
OPENAPI_CALLS: set[str] = set()  # calls that pass a summary on to extend_schema
LEGACY = {
    ("marketplace/workflow.py", "超额付款退回 / overpayment returned"),
    ("marketplace/workflow.py", "预约已失效，款项退回 / booking no longer active"),
    ("marketplace/workflow.py", "仪器停机，全额退款 / the instrument is down then: full refund"),
}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _is_schema_text(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    child, parent = node, parents.get(id(node))
    while parent is not None:
        if isinstance(parent, ast.keyword) and parent.arg in OPENAPI_KEYWORDS:
            return True
        if isinstance(parent, ast.Dict):  # extra_kwargs = {"field": {"help_text": "…"}}
            for key, value in zip(parent.keys, parent.values, strict=True):
                if value is child and isinstance(key, ast.Constant):
                    return key.value in OPENAPI_KEYWORDS
        if isinstance(parent, ast.Call) and _call_name(parent) in OPENAPI_CALLS:
            return True
        if isinstance(parent, ast.stmt):
            return False
        child, parent = parent, parents.get(id(parent))
    return False


def dual_literals(path: Path, relative: str) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings or isinstance(parents.get(id(node)), ast.JoinedStr):
                continue
            text = node.value
        else:
            continue
        if not DUAL.search(text) or (relative, text) in LEGACY:
            continue
        if _is_schema_text(node, parents):
            continue
        found.append(f"{relative}:{node.lineno}: {text[:80]!r}")
    return found


def test_no_message_is_written_in_both_languages_at_once():
    base = Path(settings.BASE_DIR)
    found = []
    for root in ROOTS:
        for path in sorted((base / root).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            found += dual_literals(path, path.relative_to(base).as_posix())
    assert found == []


def test_the_check_finds_a_dual_message(tmp_path):
    """The scanner itself: plain, concatenated, full-width and f-string forms are caught, the
    schema's texts and docstrings are not."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""说明 / notes for developers."""\n'
        'A = "仪器不存在 / unknown instrument"\n'
        'B = ("时间必须带时区偏移（例如 +08:00）"\n     "/ must include a UTC offset")\n'
        'C = f"{n} 个错误，未写入任何数据 / {n} errors"\n'
        'D = extend_schema(summary="预约机时 / Request machine time")\n'
        'E = _("仪器不存在")\n'
        'F = "元/小时"\n',
        encoding="utf-8",
    )
    assert [line.split(":")[1] for line in dual_literals(sample, "sample.py")] == ["2", "3", "5"]
