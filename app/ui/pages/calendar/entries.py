"""What FullCalendar is given: the shown groups' occurrences (coloured per group, all-day ones as whole days)
and the period's holidays as shaded background days. Pure: no NiceGUI, no I/O."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.ui.calendar_model import group_color, is_all_day
from app.ui.format import parse_dt
from app.ui.fullcalendar import to_wall

HOLIDAY_COLOR = "#a5d6a7"


def occurrence_key(occurrence: dict[str, Any]) -> str:
    start = parse_dt(occurrence["start"])
    stamp = start.strftime("%Y%m%dT%H%M%SZ") if start else "x"
    return f"{occurrence['eventId']}-{stamp}"


def event_entry(occurrence: dict[str, Any], tz: ZoneInfo, group_name: str, editable: bool) -> dict[str, Any] | None:
    start, end = parse_dt(occurrence["start"]), parse_dt(occurrence["end"])
    if start is None or end is None:
        return None
    key = occurrence_key(occurrence)
    color = group_color(occurrence.get("groupId"))
    all_day = is_all_day(start, end, tz)
    classes = ["cal-event"]
    if occurrence.get("isRecurring"):
        classes.append("cal-recurring")
    return {
        "id": key,
        "title": occurrence["title"],
        "start": start.astimezone(tz).date().isoformat() if all_day else to_wall(start, tz),
        "end": end.astimezone(tz).date().isoformat() if all_day else to_wall(end, tz),
        "allDay": all_day,
        "backgroundColor": color,
        "borderColor": color,
        "classNames": classes,
        "editable": editable,
        "extendedProps": {
            "key": key,
            "testid": f"cal-event-{key}",
            "group": occurrence.get("groupId"),
            "label": f"{occurrence['title']} · {group_name}",
        },
    }


def holiday_entries(holidays: list[dict[str, Any]]) -> list[dict[str, Any]]:
    entries = []
    for holiday in holidays:
        try:
            first = date.fromisoformat(str(holiday["startDate"]))
            last = date.fromisoformat(str(holiday["endDate"]))
        except (KeyError, ValueError):
            continue
        entries.append(
            {
                "id": f"holiday-{holiday.get('id')}",
                "title": str(holiday.get("name") or ""),
                "start": first.isoformat(),
                "end": (last + timedelta(days=1)).isoformat(),
                "allDay": True,
                "display": "background",
                "backgroundColor": HOLIDAY_COLOR,
                "classNames": ["cal-holiday"],
                "extendedProps": {"testid": f"cal-holiday-{holiday.get('id')}"},
            }
        )
    return entries


def calendar_entries(
    occurrences: list[dict[str, Any]],
    holidays: list[dict[str, Any]],
    tz: ZoneInfo,
    group_names: dict[int, str],
    editable: bool,
) -> list[dict[str, Any]]:
    events = [event_entry(o, tz, group_names.get(o.get("groupId") or 0, ""), editable) for o in occurrences]
    return [e for e in events if e is not None] + holiday_entries(holidays)
