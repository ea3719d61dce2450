"""vis-timeline (dual MIT / Apache-2.0, vendored in `app/ui/static/vis-timeline/`) wrapped once as a NiceGUI element.

One row per group, range items (bars) with a class or colour and a tooltip, background items (holidays, whole
rows or all rows), a "now" line, zoom to the shown day or week (a click on a week's time axis zooms to that
day and back; Ctrl + wheel zooms freely), clicks back to Python. The browser build is
served from the app's own static files (no CDN), so it works offline; `scripts/vendor_vis_timeline.sh`
refreshes it from npm. Times cross this boundary as the school's local wall time without zone
("2026-03-02T08:00:00", see `app.ui.fullcalendar.to_wall`): the timeline draws its axis in UTC, so the
browser's own zone never shifts them. Bars are keyboard-reachable (Tab, Enter/Space) buttons with an
`aria-label`; the element itself is a labelled group.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from nicegui import ui
from nicegui.events import GenericEventArguments

# Served by app/ui/mount.py, which mounts app/ui/static/ at /ui-static.
ASSETS_URL = "/ui-static/vis-timeline"

Handler = Callable[[dict[str, Any]], Awaitable[None] | None]

# Our look on top of vis-timeline's stylesheet: readable labels, a visible focus ring, a labelled now line.
TIMELINE_CSS = """
.tl-root { width: 100%; }
.tl-root .vis-timeline { border-color: #d1d5db; font-family: inherit; }
.tl-root .vis-time-axis .vis-text { color: #374151; font-size: 12px; }
.tl-root .vis-labelset .vis-label { color: #111827; }
.tl-group { display: flex; align-items: center; gap: 6px; padding: 0 8px; min-width: 150px; max-width: 220px;
  font-weight: 500; }
.tl-group-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.tl-dot { width: 10px; height: 10px; border-radius: 50%; flex: none; }
.tl-badge { margin-left: auto; background: #4b5563; color: #fff; border-radius: 9px; padding: 0 6px;
  font-size: 11px; line-height: 18px; }
.tl-root .vis-item { border-radius: 4px; font-size: 12px; }
.tl-root .vis-item .vis-item-content { padding: 2px 4px; }
.tl-item { display: inline-flex; align-items: center; gap: 3px; white-space: nowrap; outline: none; }
.tl-item:focus-visible { outline: 3px solid #1e3a8a; outline-offset: 2px; border-radius: 3px; }
.tl-icon { font-size: 14px; }
.tl-root .vis-item .vis-drag-left, .tl-root .vis-item .vis-drag-right { width: 8px; }
.tl-root .vis-item .vis-drag-left { left: -2px; }
.tl-root .vis-item .vis-drag-right { right: -2px; }
.tl-root .vis-item.vis-background { color: #78350f; font-size: 11px; }
.tl-root .vis-current-time { background-color: #b45309; width: 2px; z-index: 3; }
.tl-now-label { position: absolute; top: 0; left: 3px; background: #b45309; color: #fff; font-size: 11px;
  line-height: 14px; padding: 0 4px; border-radius: 0 3px 3px 0; white-space: nowrap; }
"""


@dataclass(frozen=True)
class Group:
    """A row. `badge` is a short text at the row's end (e.g. a count) with `badge_title` as its tooltip."""

    id: int | str
    name: str
    color: str | None = None
    testid: str | None = None
    badge: str | None = None
    badge_title: str | None = None

    def as_prop(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "content": self.name}
        for key, value in (
            ("color", self.color),
            ("testid", self.testid),
            ("badge", self.badge),
            ("badgeTitle", self.badge_title),
        ):
            if value is not None:
                data[key] = value
        return data


@dataclass(frozen=True)
class Item:
    """A bar (`range`) or a background span (`background`, in one row or, with `group` None, in all rows).

    `start`/`end` are school-local wall times (`to_wall`); `title` is the hover tooltip, `label` what a screen
    reader announces (defaults to `content`); `class_name` and/or `color` set the look (with `text_color`)."""

    id: str
    start: str
    end: str
    content: str = ""
    group: int | str | None = None
    kind: Literal["range", "background"] = "range"
    class_name: str = ""
    color: str | None = None
    text_color: str = "#ffffff"
    title: str | None = None
    label: str | None = None
    icon: str | None = None
    testid: str | None = None

    def as_prop(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "start": self.start,
            "end": self.end,
            "content": self.content,
            "type": self.kind,
            "className": self.class_name,
        }
        if self.group is not None:
            data["group"] = self.group
        if self.color is not None:
            data["style"] = f"background-color:{self.color};border-color:{self.color};color:{self.text_color}"
        for key, value in (("title", self.title), ("label", self.label), ("icon", self.icon), ("testid", self.testid)):
            if value is not None:
                data[key] = value
        return data


class Timeline(ui.element, component="timeline.js"):
    def __init__(
        self,
        *,
        label: str,
        now_label: str,
        locale: str = "de",
        options: dict[str, Any] | None = None,
        on_item_click: Handler | None = None,
        on_time_click: Handler | None = None,
        on_item_change: Handler | None = None,
    ) -> None:
        """`label` names the timeline for screen readers, `now_label` is written on the now line.

        `on_item_click` gets {id, group, time} (time: the clicked wall time, None from the keyboard);
        `on_time_click` gets {group, time} for a click in a row outside any bar; with `on_item_change` bars can
        be dragged in time and resized, and it gets {id, group, start, end} (wall times) — call `reset()` to
        put a refused change back."""
        super().__init__()
        ui.add_css(TIMELINE_CSS)
        self._props.update(
            groups=[],
            items=[],
            start=None,
            end=None,
            now=None,
            label=label,
            nowLabel=now_label,
            locale=locale,
            clickable=on_item_click is not None,
            editable=on_item_change is not None,
            base=ASSETS_URL,
            options=options or {},
        )
        for name, handler in (
            ("item_click", on_item_click),
            ("time_click", on_time_click),
            ("item_change", on_item_change),
        ):
            if handler is not None:
                self.on(name, _forward(handler))

    def show(self, groups: list[Group], items: list[Item], start: str, end: str, now: str) -> None:
        """Rows, bars and the window [start, end) (wall times); the window is also the zoom limit.

        Nothing is sent when nothing changed (see `fullcalendar.FullCalendar.show`)."""
        wanted = {
            "groups": [g.as_prop() for g in groups],
            "items": [i.as_prop() for i in items],
            "start": start,
            "end": end,
            "now": now,
        }
        if all(self._props.get(name) == value for name, value in wanted.items()):
            return
        self._props.update(wanted)
        self.update()

    def reset(self) -> None:
        """Put the bars back as last shown (after a drag or resize that was cancelled or refused)."""
        self.run_method("reset")

    def zoom(self, start: str, end: str) -> None:
        """Zoom to [start, end) (e.g. one day of a shown week) without changing what is shown."""
        self.run_method("zoom", start, end)


def _forward(handler: Handler) -> Callable[[GenericEventArguments], Awaitable[None]]:
    async def call(event: GenericEventArguments) -> None:
        result = handler(event.args if isinstance(event.args, dict) else {})
        if result is not None:
            await result

    return call
