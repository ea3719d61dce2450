"""Dashboard texts of one feature area each: `TEXTS: dict[key, (German, English)]` per module.

`app/ui/i18n.py` merges them into its table, so a feature keeps its words next to each other and new
areas add a module here instead of growing one file. A key may be defined only once across all modules
(`tests/unit/test_ui_texts.py`).
"""

from __future__ import annotations

from types import ModuleType

from app.ui.texts import a11y, alarms, broadcasts, dashboard, monitoring, playback, preview, settings_page

AREAS: tuple[ModuleType, ...] = (
    a11y,
    alarms,
    broadcasts,
    dashboard,
    monitoring,
    playback,
    preview,
    settings_page,
)
