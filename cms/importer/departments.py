"""Department-name resolution for responsibility notes: aliases, the 省 prefix, run-together names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

PROVINCE_PREFIXES = ("云南省", "省")


def _variants(name: str) -> set[str]:
    """A name as written and with/without the provincial prefix ("省科技厅" ↔ "科技厅")."""
    name = name.strip()
    out = {name}
    for prefix in PROVINCE_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            out.add(name[len(prefix) :])
    out.add("省" + name)
    return out


@dataclass
class DepartmentResolver:
    """Maps every spelling of a department to its canonical name.

    `entries` is an iterable of (canonical name, aliases). A spelling that two departments
    share is ambiguous and resolves to neither.
    """

    entries: Iterable[tuple[str, Iterable[str]]]
    _lookup: dict[str, str] = field(init=False, default_factory=dict)
    _ambiguous: set[str] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        explicit: dict[str, str] = {}
        derived: dict[str, set[str]] = {}
        for canonical, aliases in self.entries:
            for spelling in (canonical, *aliases):
                spelling = spelling.strip()
                if not spelling:
                    continue
                explicit.setdefault(spelling, canonical)
                for variant in _variants(spelling):
                    derived.setdefault(variant, set()).add(canonical)
        for variant, names in derived.items():
            if variant in explicit:
                continue
            if len(names) == 1:
                explicit[variant] = next(iter(names))
            else:
                self._ambiguous.add(variant)
        self._lookup = explicit

    def resolve(self, text: str) -> str | None:
        """The canonical name for one department string, or None if unknown."""
        return self._lookup.get(text.strip())

    def split(self, text: str) -> list[str] | None:
        """Resolve a string that may hold several names run together ("工业和信息化委教育厅").

        Returns the canonical names in order, or None when the string cannot be covered
        entirely by known names. Prefers the segmentation with the fewest parts.
        """
        text = text.strip()
        if not text:
            return None
        single = self.resolve(text)
        if single is not None:
            return [single]
        n = len(text)
        # best[i]: shortest list of canonical names covering text[:i]
        best: list[list[str] | None] = [None] * (n + 1)
        best[0] = []
        for end in range(1, n + 1):
            for start in range(end - 1, -1, -1):
                if best[start] is None:
                    continue
                name = self._lookup.get(text[start:end])
                if name is None:
                    continue
                candidate = [*best[start], name]
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
        return best[n]
