"""Every dashboard text has a German and an English wording, and the area modules never clash."""

from __future__ import annotations

from app.ui import texts
from app.ui.i18n import TEXTS, translate


def test_every_area_key_is_merged_once_with_both_languages() -> None:
    seen: set[str] = set()
    for area in texts.AREAS:
        for key, pair in area.TEXTS.items():
            assert key not in seen, key
            seen.add(key)
            assert TEXTS[key] == pair
    for key, (german, english) in TEXTS.items():
        assert german.strip() and english.strip(), key


def test_unknown_key_shows_itself() -> None:
    assert translate("no.such.key", "en") == "no.such.key"
