"""Every dashboard text has a German and an English wording, and the area modules never clash."""

from __future__ import annotations

from app.domain.settings.catalog import CATALOG
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


def test_every_system_setting_has_a_description_in_both_languages() -> None:
    missing = [key for key in CATALOG if f"setting_desc.{key}" not in TEXTS]
    assert not missing, f"settings shown in German only on an English Einstellungen page: {missing}"
