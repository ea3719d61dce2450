"""The Vorschau's rows and bars: one row per room, one bar per schedule segment, styled by reason and power."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.ui.fullcalendar import to_wall
from app.ui.i18n import t
from app.ui.pages.preview.state import PreviewState
from app.ui.timeline import Group, Item

# Colours with ≥ 4.5:1 text contrast; "on" bars are dark, "off" bars light, holidays amber.
PREVIEW_CSS = """
.tl-root .vis-item.pv-seg { font-size: 12px; }
.tl-root .vis-item.pv-on { background-color: #1f4e79; border-color: #163a5a; color: #ffffff; }
.tl-root .vis-item.pv-off { background-color: #e5e7eb; border-color: #9ca3af; color: #1f2937; }
.tl-root .vis-item.pv-holiday { background-color: #fef3c7; border-color: #b45309; color: #78350f; }
.tl-root .vis-item.pv-outside_period { background-color: #f9fafb; border: 1px dashed #6b7280; color: #374151; }
.tl-root .vis-item.pv-broadcast { background-color: #9a3412; border-color: #7c2d12; color: #ffffff; }
.pv-swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; vertical-align: middle;
  margin-right: 4px; border: 1px solid #9ca3af; }
"""
LEGEND = (
    ("pv-on", "#1f4e79", "pv.power.on"),
    ("pv-off", "#e5e7eb", "pv.power.off"),
    ("pv-holiday", "#fef3c7", "pv.reason.holiday"),
    ("pv-outside_period", "#f9fafb", "pv.reason.outside_period"),
)
POWER_ICONS = {"on": "power", "off": "power_off"}


def reason_key(segment: dict[str, Any]) -> str:
    """The GraphQL enum name (EVENT, NO_EVENT, …) as the lower-case value used in keys and classes."""
    return str(segment["reason"]).lower()


def parse_utc(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def segment_text(segment: dict[str, Any]) -> str:
    titles = ", ".join(segment["titles"])
    reason = reason_key(segment)
    if reason == "event" and titles:
        return titles
    word = t(f"pv.reason.{reason}")
    return f"{word}: {titles}" if titles else word


def segment_span(segment: dict[str, Any], tz: ZoneInfo) -> str:
    start, end = parse_utc(segment["start"]).astimezone(tz), parse_utc(segment["end"]).astimezone(tz)
    names = [t(f"cal.wd.{d}") for d in ("mo", "tu", "we", "th", "fr", "sa", "su")]
    head = f"{names[start.weekday()]} {start:%d.%m.} {start:%H:%M}"
    if end.date() == start.date():
        tail = f"{end:%H:%M}"
    elif end.time() == datetime.min.time() and (end.date() - start.date()).days == 1:
        tail = "24:00"
    else:
        tail = f"{names[end.weekday()]} {end:%d.%m.} {end:%H:%M}"
    return f"{head} – {tail}"


def segment_item(group_id: int, index: int, segment: dict[str, Any], tz: ZoneInfo) -> Item:
    power = str(segment["powerState"]).lower()
    reason = reason_key(segment)
    text = segment_text(segment)
    summary = f"{segment_span(segment, tz)} · {t(f'pv.power.{power}')} · {text}"
    return Item(
        id=f"{group_id}:{index}",
        group=group_id,
        start=to_wall(parse_utc(segment["start"]), tz),
        end=to_wall(parse_utc(segment["end"]), tz),
        content=text,
        class_name=f"pv-seg pv-{power} pv-{reason}",
        title=summary,
        label=summary,
        icon=POWER_ICONS.get(power),
        testid=f"pv-seg-{group_id}",
    )


def rows_and_bars(state: PreviewState) -> tuple[list[Group], list[Item]]:
    groups = [Group(id=g["id"], name=g["name"], testid=f"pv-row-{g['id']}") for g in state.shown()]
    items = [
        segment_item(gid, index, segment, state.tz)
        for gid, segments in state.segments.items()
        for index, segment in enumerate(segments)
    ]
    return groups, items
