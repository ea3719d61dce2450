"""How a display log's context reads on Monitoring (#17 point 9) and which day the Dashboard calls today."""

from __future__ import annotations

import json
from datetime import date

from app.ui.pages.dashboard.state import holiday_on
from app.ui.pages.monitoring.logs import split_context

TRACEBACK = 'Traceback (most recent call last):\n  File "player.py", line 3\nValueError: x'


def test_context_is_indented_json_and_multiline_text_keeps_its_line_breaks() -> None:
    pretty, blocks = split_context({"port": 1, "error": {"traceback": TRACEBACK, "code": 7}, "files": ["a", "b"]})
    assert pretty.startswith("{\n  ")
    assert '"port": 1' in pretty
    assert '"files": [\n    "a",\n    "b"\n  ]' in pretty
    assert "\\n" not in pretty  # the traceback left the JSON instead of being one line of \n
    assert '"traceback": "⤵ error.traceback"' in pretty
    assert blocks == [("error.traceback", TRACEBACK)]


def test_context_edge_cases() -> None:
    assert split_context(None) == ("", [])
    assert split_context({}) == ("", [])
    assert split_context({"traceback": TRACEBACK}) == ('{\n  "traceback": "⤵ traceback"\n}', [("traceback", TRACEBACK)])
    # A context stored as a JSON string is read as JSON; a plain multi-line string is shown as text.
    assert json.loads(split_context(json.dumps({"a": 1}))[0]) == {"a": 1}
    assert split_context(TRACEBACK) == ("", [("context", TRACEBACK)])
    assert split_context({"umlaut": "Größe"})[0] == '{\n  "umlaut": "Größe"\n}'


def test_holiday_on_a_day() -> None:
    holidays = [
        {"name": "Herbst", "startDate": "2026-10-26", "endDate": "2026-10-31"},
        {"name": "Advent", "startDate": "2026-12-08", "endDate": "2026-12-08"},
    ]
    assert holiday_on(holidays, date(2026, 10, 26))["name"] == "Herbst"
    assert holiday_on(holidays, date(2026, 10, 31))["name"] == "Herbst"
    assert holiday_on(holidays, date(2026, 12, 8))["name"] == "Advent"
    assert holiday_on(holidays, date(2026, 11, 1)) is None
