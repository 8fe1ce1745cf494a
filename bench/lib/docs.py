"""Each benchmark owns sections of docs/performance.md between two markers of its own,
`<!-- bench:NAME:FAMILY:start -->` … `end`, and rewrites them in place (or appends them the
first time), so a re-run replaces its table and leaves the prose around it alone."""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "performance.md"
TITLES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def write_section(name: str, family: str, heading: str, report: str) -> None:
    """Replace (or append) the section marked for `name` and `family`; `heading` may name the
    database as {title}, otherwise " on <database>" is added to it."""
    start = f"<!-- bench:{name}:{family}:start -->"
    end = f"<!-- bench:{name}:{family}:end -->"
    title = TITLES[family]
    heading = heading.format(title=title) if "{title}" in heading else f"{heading} on {title}"
    block = f"{start}\n## {heading}\n\n{report.rstrip()}\n{end}"
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Performance\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.write_text(text, encoding="utf-8")
