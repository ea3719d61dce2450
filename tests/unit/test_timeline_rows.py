"""What the two vis-timeline pages hand the element: Ressourcen's rows, bars and holiday spans, and the
Vorschau's segment bars (school-local wall times, classes by reason and power, labels a screen reader reads)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from app.ui.pages.preview.segments import segment_item, segment_span
from app.ui.pages.resources.state import ResourcesState
from app.ui.pages.resources.timeline import rows_and_bars

VIENNA = ZoneInfo("Europe/Vienna")


def _occurrence(group_id: int | None, start: str, end: str, title: str = "Aushang") -> dict[str, object]:
    return {"eventId": 1, "groupId": group_id, "title": title, "eventType": "MESSAGE", "start": start, "end": end}


def test_resources_rows_count_their_bars_in_school_time_and_holidays_are_clipped_to_the_week() -> None:
    state = ResourcesState(tz=VIENNA, view="week", anchor=date(2026, 3, 18))
    state.groups = [{"id": 1, "name": "Aula"}, {"id": 2, "name": "Raum 101"}]
    state.occurrences = [
        _occurrence(1, "2026-03-16T07:00:00Z", "2026-03-16T08:00:00Z"),
        _occurrence(1, "2026-03-17T07:00:00Z", "2026-03-17T08:00:00Z"),
        _occurrence(None, "2026-03-17T07:00:00Z", "2026-03-17T08:00:00Z", "Nicht zugeordnet"),
    ]
    state.holidays = [
        {"name": "Osterferien", "startDate": "2026-03-21", "endDate": "2026-04-06"},
        {"name": "Vorbei", "startDate": "2026-02-01", "endDate": "2026-02-07"},
    ]
    groups, items = rows_and_bars(state)
    assert [(g.name, g.badge) for g in groups] == [("Aula", "2"), ("Raum 101", None)]
    bars = [i for i in items if i.kind == "range"]
    assert [(b.group, b.start, b.end) for b in bars] == [
        (1, "2026-03-16T08:00:00", "2026-03-16T09:00:00"),
        (1, "2026-03-17T08:00:00", "2026-03-17T09:00:00"),
    ]
    assert all(b.testid == "res-bar-1" and "Aushang" in (b.label or "") for b in bars)
    holidays = [i for i in items if i.kind == "background"]
    assert [(h.content, h.start, h.end, h.group) for h in holidays] == [
        ("Osterferien", "2026-03-21T00:00:00", "2026-03-23T00:00:00", None)
    ]


def test_a_preview_segment_is_a_bar_styled_by_reason_and_power_with_its_span_in_school_time() -> None:
    on = {"start": "2026-03-16T07:00:00Z", "end": "2026-03-16T08:00:00Z", "eventIds": [4, 7],
          "titles": ["Mathe", "Pause"], "powerState": "on", "reason": "EVENT"}  # fmt: skip
    item = segment_item(3, 0, on, VIENNA)
    assert (item.id, item.group, item.start, item.end) == ("3:0", 3, "2026-03-16T08:00:00", "2026-03-16T09:00:00")
    assert item.content == "Mathe, Pause"
    assert item.class_name == "pv-seg pv-on pv-event"
    assert item.label == "Mo 16.03. 08:00 – 09:00 · Bildschirm an · Mathe, Pause"
    holiday = {"start": "2026-03-20T23:00:00Z", "end": "2026-03-21T23:00:00Z", "eventIds": [], "titles": [],
               "powerState": "off", "reason": "HOLIDAY"}  # fmt: skip
    item = segment_item(3, 1, holiday, VIENNA)
    assert item.content == "Ferien" and item.class_name == "pv-seg pv-off pv-holiday"
    assert segment_span(holiday, VIENNA) == "Sa 21.03. 00:00 – 24:00"
    longer = {**holiday, "end": "2026-03-23T05:00:00Z"}
    assert segment_span(longer, VIENNA) == "Sa 21.03. 00:00 – Mo 23.03. 06:00"
