"""The calendar's body: FullCalendar (month, week, day, list) with the shown groups' events and the holidays.

Week and day open at 07:00, or earlier when an event starts earlier (the grid always runs from 00:00, nothing is
hidden); events that last whole days sit labelled in the all-day row; holidays are shaded background days.
A click opens the details, a click on an empty slot creates an event (editors), dragging or resizing moves one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from app.ui.calendar_model import scroll_hour
from app.ui.format import parse_dt
from app.ui.fullcalendar import FullCalendar, from_wall, to_wall
from app.ui.i18n import current_language, t
from app.ui.pages.calendar.entries import calendar_entries
from app.ui.pages.calendar.state import CalendarState

TIME_FORMAT = {"hour": "2-digit", "minute": "2-digit", "hour12": False}

OpenDay = Callable[[date], Awaitable[None]]
ShowDetails = Callable[[dict[str, Any]], None]
NewEvent = Callable[[date, int], Awaitable[None]]
MoveEvent = Callable[[dict[str, Any], datetime, datetime], Awaitable[None]]


class CalendarViews:
    def __init__(
        self,
        state: CalendarState,
        *,
        open_day: OpenDay,
        details: ShowDetails,
        new_event: NewEvent | None,
        move: MoveEvent | None,
    ) -> None:
        self.state = state
        self.open_day = open_day
        self.details = details
        self.new_event = new_event  # None: read only, empty slots take no clicks
        self.move = move  # None: read only, nothing can be dragged
        self.calendar: FullCalendar | None = None

    def options(self) -> dict[str, Any]:
        tz = self.state.tz
        editable = self.move is not None
        return {
            "locale": current_language(),
            "firstDay": 1,
            "headerToolbar": False,
            "height": 680,
            "now": to_wall(datetime.now(tz), tz),
            "nowIndicator": True,
            "slotMinTime": "00:00:00",
            "slotMaxTime": "24:00:00",
            "slotLabelFormat": TIME_FORMAT,
            "eventTimeFormat": TIME_FORMAT,
            "displayEventEnd": True,
            "defaultRangeSeparator": " – ",
            "allDayText": t("cal.all_day"),
            "dayMaxEvents": 3,
            "editable": editable,
            "eventResizableFromStart": False,
            "selectable": False,
            "eventInteractive": True,
        }

    def scroll(self) -> str:
        starts = [s for s in (parse_dt(o["start"]) for o in self.state.occurrences) if s is not None]
        return f"{scroll_hour(starts, self.state.tz):02d}:00:00"

    def build(self) -> None:
        state = self.state
        self.calendar = (
            FullCalendar(
                self.options(),
                view=state.view,
                date=state.anchor.isoformat(),
                scroll=self.scroll(),
                on_event_click=self.on_click,
                on_date_click=self.on_date,
                on_event_change=self.on_change if self.move is not None else None,
            )
            .classes("w-full cal-fc")
            .props('data-testid="cal-calendar"')
        )
        self.refresh(navigated=True)

    def refresh(self, *, navigated: bool = True) -> None:
        """Show the state; `navigated` False (a live update) keeps the hour the user scrolled to."""
        if self.calendar is None:
            return
        state = self.state
        entries = calendar_entries(
            state.occurrences, state.holidays, state.tz, state.group_names(), editable=self.move is not None
        )
        scroll = self.scroll() if navigated else None
        self.calendar.show(state.view, state.anchor.isoformat(), entries, scroll)

    # --- from the browser --------------------------------------------------------------------------
    def on_click(self, args: dict[str, Any]) -> None:
        occurrence = self.state.by_key(str(args.get("key")))
        if occurrence is not None:
            self.details(occurrence)

    async def on_date(self, args: dict[str, Any]) -> None:
        when = from_wall(str(args.get("date")), self.state.tz)
        if self.state.view == "month" or self.new_event is None:
            await self.open_day(when.date())
        else:
            await self.new_event(when.date(), when.hour)

    async def on_change(self, args: dict[str, Any]) -> None:
        occurrence = self.state.by_key(str(args.get("key")))
        if occurrence is None or self.move is None or not args.get("start"):
            self.reset()
            return
        old_start, old_end = parse_dt(occurrence["start"]), parse_dt(occurrence["end"])
        if old_start is None or old_end is None:
            self.reset()
            return
        start = from_wall(str(args["start"]), self.state.tz)
        end = from_wall(str(args["end"]), self.state.tz) if args.get("end") else start + (old_end - old_start)
        await self.move(occurrence, start, end)

    def reset(self) -> None:
        if self.calendar is not None:
            self.calendar.reset()
