"""FullCalendar (MIT core, vendored in `app/ui/static/fullcalendar/`) wrapped once as a NiceGUI element.

The browser build is served from the app's own static files (no CDN), so the calendar works offline.
`scripts/vendor_fullcalendar.sh` refreshes it from npm. Times cross this boundary as the school's local wall
time without zone ("2026-03-02T08:00:00"): the calendar runs in UTC so the browser's own zone never shifts
them; `to_wall` / `from_wall` convert.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import ui
from nicegui.events import GenericEventArguments

# Served by app/ui/mount.py, which mounts app/ui/static/ at /ui-static.
ASSETS_URL = "/ui-static/fullcalendar"
FC_VIEWS = {"month": "dayGridMonth", "week": "timeGridWeek", "day": "timeGridDay", "list": "listWeek"}

Handler = Callable[[dict[str, Any]], Awaitable[None] | None]


def to_wall(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).replace(tzinfo=None).isoformat(timespec="seconds")


def from_wall(value: str, tz: ZoneInfo) -> datetime:
    return datetime.fromisoformat(value[:19]).replace(tzinfo=tz)


class FullCalendar(ui.element, component="fullcalendar.js"):
    def __init__(
        self,
        options: dict[str, Any],
        *,
        view: str,
        date: str,
        scroll: str = "07:00:00",
        on_event_click: Handler | None = None,
        on_date_click: Handler | None = None,
        on_event_change: Handler | None = None,
    ) -> None:
        super().__init__()
        self._props["options"] = options
        self._props["events"] = []
        self._props["view"] = FC_VIEWS.get(view, view)
        self._props["date"] = date
        self._props["scroll"] = scroll
        self._props["base"] = ASSETS_URL
        for name, handler in (
            ("event_click", on_event_click),
            ("date_click", on_date_click),
            ("event_change", on_event_change),
        ):
            if handler is not None:
                self.on(name, _forward(handler))

    def show(self, view: str, date: str, events: list[dict[str, Any]], scroll: str | None = None) -> None:
        """What to show; a changed view, date or scroll hour navigates, changed events alone keep the scroll.

        Nothing is sent when nothing changed: a redraw replaces every event's DOM node, which swallows a click
        the user is making at that moment (a live reload after this tab's own save often finds the same events).
        """
        wanted = {"view": FC_VIEWS.get(view, view), "date": date, "events": events}
        if scroll is not None:
            wanted["scroll"] = scroll
        if all(self._props.get(name) == value for name, value in wanted.items()):
            return
        self._props.update(wanted)
        self.update()

    def reset(self) -> None:
        """Put the events back as the server holds them (after a cancelled drag or resize)."""
        self.run_method("reset")


def _forward(handler: Handler) -> Callable[[GenericEventArguments], Awaitable[None]]:
    async def call(event: GenericEventArguments) -> None:
        result = handler(event.args if isinstance(event.args, dict) else {})
        if result is not None:
            await result

    return call
