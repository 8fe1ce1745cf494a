"""gettext in one dict look-up, in every language (issue 17).

Django merges every installed app's catalogue into one `DjangoTranslation` per language, and a
look-up walks two structures that grow with the number of packages:

- `TranslationCatalog` keeps a separate dict for each catalogue whose plural formula it cannot
  prove equal (it compares `plural.__code__` with a function, so every app's catalogue gets
  its own dict: 23 for zh-hans here), tried one after another;
- `gettext.translation()` chains a package's `zh` catalogue behind its `zh_Hans` one, and
  `DjangoTranslation.merge` hangs each such chain behind the merged catalogue as a fallback
  (12 Wagtail packages ship both: a 12-deep chain of method calls).

Our msgids are Chinese, so a Chinese page's every look-up misses and walks all of it (8.7 µs a
call against 1.9 µs in English, ~430 calls a page). `FlatTranslation` answers `gettext` from
one dict computed at start-up by asking Django's own merged translation for every message any
catalogue on the chain holds: for those it returns, by construction, the string Django would;
for any other message it returns the message, as the chain does when nothing matches.
`pgettext` goes through `gettext` in Django; plural look-ups (`ngettext`) keep Django's path.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.utils.translation import trans_real


def catalogue_messages(translation) -> Iterator[str]:
    """Every message a catalogue on `translation`'s fallback chain holds (for a plural entry,
    its singular msgid: `GNUTranslations.gettext` also looks those up)."""
    seen: set[int] = set()
    node = translation
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        catalog = getattr(node, "_catalog", None)
        for key in catalog.keys() if catalog else ():
            yield key if isinstance(key, str) else key[0]
        node = getattr(node, "_fallback", None)


class FlatTranslation(trans_real.DjangoTranslation):
    """A `DjangoTranslation` whose `gettext` is one dict look-up (see the module)."""

    def __init__(self, language: str) -> None:
        super().__init__(language)
        merged = super().gettext
        self._flat = {message: merged(message) for message in catalogue_messages(self)}

    def gettext(self, message: str) -> str:
        return self._flat.get(message, message)


def install() -> None:
    """Put a `FlatTranslation` of each of LANGUAGES where `translation()` finds it. Called
    once the apps are ready (their catalogues are part of the merge); a settings change that
    empties Django's cache (tests overriding LANGUAGES) falls back to Django's own objects."""
    for code, _name in settings.LANGUAGES:
        trans_real._translations[code] = FlatTranslation(code)
    trans_real._default = None
