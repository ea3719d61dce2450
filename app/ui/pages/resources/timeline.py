"""The resources timeline on the shared vis-timeline element: one row per group, its occurrences as bars in
the group's colour, holidays shaded across all rows, and the now line (all in the school's time zone)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from app.ui.calendar_model import group_color
from app.ui.event_form import TYPE_ICONS, type_label
from app.ui.format import parse_dt
from app.ui.fullcalendar import to_wall
from app.ui.i18n import t
from app.ui.pages.resources.state import ResourcesState
from app.ui.timeline import Group, Item, Timeline

# Holidays: an amber shade behind the bars, its name in dark amber (≥ 4.5:1 on the shade).
RESOURCES_CSS = """
.tl-root .vis-item.vis-background.res-holiday { background-color: rgba(251, 191, 36, 0.28); color: #78350f; }
"""


def _wall_midnight(day: date) -> str:
    return f"{day.isoformat()}T00:00:00"


def holiday_items(state: ResourcesState) -> list[Item]:
    """Each holiday's shown days as one background span over every row, named."""
    days = state.days()
    items = []
    for index, holiday in enumerate(state.holidays):
        try:
            first = max(date.fromisoformat(str(holiday["startDate"])), days[0])
            last = min(date.fromisoformat(str(holiday["endDate"])), days[-1])
        except (KeyError, ValueError):
            continue
        if first > last:
            continue
        name = str(holiday.get("name") or "")
        items.append(
            Item(
                id=f"h{index}",
                start=_wall_midnight(first),
                end=_wall_midnight(last + timedelta(days=1)),
                content=name,
                kind="background",
                class_name="res-holiday",
                title=name,
                testid="res-holiday",
            )
        )
    return items


def occurrence_index(item_id: str) -> int | None:
    """The index into `state.occurrences` of a bar's id ("o3" → 3); None for a holiday or anything else."""
    if item_id.startswith("o") and item_id[1:].isdigit():
        return int(item_id[1:])
    return None


def occurrence_item(index: int, occurrence: dict[str, Any], state: ResourcesState) -> Item | None:
    start, end = parse_dt(occurrence["start"]), parse_dt(occurrence["end"])
    if start is None or end is None:
        return None
    group_id = occurrence["groupId"]
    first, last = start.astimezone(state.tz), end.astimezone(state.tz)
    summary = f"{occurrence['title']} · {type_label(occurrence['eventType'])} · {first:%d.%m.%Y %H:%M} – {last:%H:%M}"
    return Item(
        id=f"o{index}",
        group=group_id,
        start=to_wall(start, state.tz),
        end=to_wall(end, state.tz),
        content=occurrence["title"],
        color=group_color(group_id),
        icon=TYPE_ICONS.get(occurrence["eventType"], "event"),
        title=summary,
        label=summary,
        testid=f"res-bar-{group_id}",
    )


def rows_and_bars(state: ResourcesState) -> tuple[list[Group], list[Item]]:
    counts: dict[int, int] = {}
    shown = {g["id"] for g in state.groups}
    items: list[Item] = []
    for index, occurrence in enumerate(state.occurrences):
        if occurrence["groupId"] not in shown:  # "Nicht zugeordnet" has no row
            continue
        item = occurrence_item(index, occurrence, state)
        if item is not None:
            items.append(item)
            counts[occurrence["groupId"]] = counts.get(occurrence["groupId"], 0) + 1
    groups = [
        Group(
            id=g["id"],
            name=g["name"],
            color=group_color(g["id"]),
            testid=f"res-row-{g['id']}",
            badge=str(counts[g["id"]]) if counts.get(g["id"]) else None,
            badge_title=t("res.events", count=counts[g["id"]]) if counts.get(g["id"]) else None,
        )
        for g in state.groups
    ]
    return groups, items + holiday_items(state)


def draw(timeline: Timeline, state: ResourcesState) -> None:
    start, end = state.window()
    groups, items = rows_and_bars(state)
    timeline.show(
        groups, items, to_wall(start, state.tz), to_wall(end, state.tz), to_wall(datetime.now(state.tz), state.tz)
    )
