"""The calendar's body: a month grid with event chips, or hour columns with positioned blocks (week, day)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from nicegui import ui

from app.ui.calendar_model import holiday_names, layout_blocks
from app.ui.event_form import TYPE_ICONS
from app.ui.format import fmt_time, parse_dt
from app.ui.i18n import t
from app.ui.pages.calendar.state import CalendarState, occurrence_key, weekday_names

HOUR_PX = 40
SCROLL_TO_HOUR = 7
MONTH_CHIPS = 3
TYPE_COLORS = {
    "PRESENTATION": "#1f4e79",
    "VIDEO": "#7b1fa2",
    "WEBSITE": "#00796b",
    "MESSAGE": "#b45309",
    "WEBUNTIS": "#455a64",
}

OpenDay = Callable[[date], Awaitable[None]]
ShowDetails = Callable[[dict[str, Any]], None]
NewEvent = Callable[[date, int], Awaitable[None]]


class CalendarViews:
    def __init__(
        self,
        state: CalendarState,
        *,
        open_day: OpenDay,
        details: ShowDetails,
        new_event: NewEvent | None,
    ) -> None:
        self.state = state
        self.open_day = open_day
        self.details = details
        self.new_event = new_event  # None: read only, the hour slots take no clicks

    @ui.refreshable_method
    def body(self) -> None:
        days = self.state.days()
        if self.state.view == "month":
            self.month_view(days)
        else:
            self.time_view(days)

    # --- month -------------------------------------------------------------------------------------
    def _by_day(self, days: list[date]) -> dict[date, list[dict[str, Any]]]:
        by_day: dict[date, list[dict[str, Any]]] = {}
        for occurrence in self.state.occurrences:
            start, end = parse_dt(occurrence["start"]), parse_dt(occurrence["end"])
            if start is None or end is None:
                continue
            first = start.astimezone(self.state.tz).date()
            last = (end - timedelta(microseconds=1)).astimezone(self.state.tz).date()
            for day in days:
                if first <= day <= last:
                    by_day.setdefault(day, []).append(occurrence)
        return by_day

    def month_view(self, days: list[date]) -> None:
        holidays = holiday_names(days, self.state.holidays)
        by_day = self._by_day(days)
        with ui.element("div").classes("cal-month").props('data-testid="cal-month"'):
            for name in weekday_names():
                ui.label(name).classes("cal-head")
            for day in days:
                self._month_cell(day, holidays, by_day.get(day, []))

    def _month_cell(self, day: date, holidays: dict[date, str], items: list[dict[str, Any]]) -> None:
        classes = ["cal-cell"]
        if day.month != self.state.anchor.month:
            classes.append("cal-out")
        if day in holidays:
            classes.append("cal-holiday")
        if day == self.state.today():
            classes.append("cal-today")
        with ui.element("div").classes(" ".join(classes)).props(f'data-testid="cal-day-{day.isoformat()}"'):
            with ui.row().classes("w-full items-center gap-1 no-wrap"):
                ui.label(str(day.day)).classes("cal-daynum").on("click", lambda d=day: self.open_day(d))
                if day in holidays:
                    ui.label(holidays[day]).classes("cal-holiday-name").tooltip(holidays[day])
            for occurrence in items[:MONTH_CHIPS]:
                self.chip(occurrence, show_time=True)
            if len(items) > MONTH_CHIPS:
                ui.label(t("cal.more", count=len(items) - MONTH_CHIPS)).classes("cal-more").on(
                    "click", lambda d=day: self.open_day(d)
                )

    def chip_icons(self, occurrence: dict[str, Any]) -> None:
        if occurrence.get("isRecurring"):
            ui.icon("repeat", size="12px")
        if self.state.skips_holidays(occurrence):
            ui.icon("park", size="12px").props('data-testid="skip-holidays-icon"')

    def chip(self, occurrence: dict[str, Any], *, show_time: bool) -> None:
        color = TYPE_COLORS.get(occurrence["eventType"], "#1f4e79")
        with (
            ui.element("div")
            .classes("cal-chip cal-event")
            .style(f"background:{color}")
            .props(f'data-testid="cal-event-{occurrence_key(occurrence)}"')
            .on("click.stop", lambda o=occurrence: self.details(o))
        ):
            if show_time:
                ui.label(fmt_time(occurrence["start"])).classes("opacity-80")
            ui.label(occurrence["title"]).classes("ellipsis")
            self.chip_icons(occurrence)

    # --- week and day ------------------------------------------------------------------------------
    def _time_heads(self, days: list[date], holidays: dict[date, str], columns: str) -> None:
        today = self.state.today()
        with ui.element("div").classes("cal-timegrid").style(f"grid-template-columns:{columns}"):
            ui.element("div").classes("cal-head")
            names = weekday_names()
            for day in days:
                classes = (
                    "cal-head" + (" cal-holiday" if day in holidays else "") + (" cal-today" if day == today else "")
                )
                with ui.element("div").classes(classes).props(f'data-testid="cal-day-{day.isoformat()}"'):
                    with ui.row().classes("items-center gap-1 no-wrap"):
                        ui.label(names[day.weekday()])
                        ui.label(day.strftime("%d.%m.")).classes("cal-daynum px-1").on(
                            "click", lambda d=day: self.open_day(d)
                        )
                    if day in holidays:
                        ui.label(holidays[day]).classes("cal-holiday-name").tooltip(holidays[day])

    def time_view(self, days: list[date]) -> None:
        state = self.state
        holidays = holiday_names(days, state.holidays)
        columns = f"56px repeat({len(days)}, minmax(0, 1fr))"
        self._time_heads(days, holidays, columns)
        items = [(index, parse_dt(o["start"]), parse_dt(o["end"])) for index, o in enumerate(state.occurrences)]
        blocks = layout_blocks([(i, s, e) for i, s, e in items if s and e], days, state.tz)
        with (
            ui.element("div").classes("cal-scroll") as scroller,
            ui.element("div").classes("cal-timegrid").style(f"grid-template-columns:{columns}"),
        ):
            with ui.element("div"):
                for hour in range(24):
                    ui.label(f"{hour:02d}:00").classes("cal-gutter").style(f"height:{HOUR_PX}px")
            for day in days:
                self._day_column(day, day in holidays, [b for b in blocks if b.day == day])
        top = SCROLL_TO_HOUR * HOUR_PX if state.keep_scroll is None else state.keep_scroll
        state.keep_scroll = None
        ui.run_javascript(
            f"setTimeout(() => {{ const el = document.getElementById('{scroller.html_id}'); "
            f"if (el) el.scrollTop = {top:.0f}; }}, 50)"
        )

    def _day_column(self, day: date, holiday: bool, blocks: list[Any]) -> None:
        column_classes = "cal-col" + (" cal-holiday" if holiday else "")
        with (
            ui.element("div")
            .classes(column_classes)
            .style(f"height:{24 * HOUR_PX}px")
            .props(f'data-testid="cal-col-{day.isoformat()}"')
        ):
            new_event = self.new_event
            for hour in range(24):
                slot = ui.element("div").classes("cal-slot").style(f"height:{HOUR_PX}px")
                if new_event is not None:
                    slot.on("click", lambda d=day, h=hour: new_event(d, h))
            for block in blocks:
                self.positioned_block(self.state.occurrences[block.key], block)

    def positioned_block(self, occurrence: dict[str, Any], block: Any) -> None:
        color = TYPE_COLORS.get(occurrence["eventType"], "#1f4e79")
        top = block.start_minute * HOUR_PX / 60
        height = max(18.0, (block.end_minute - block.start_minute) * HOUR_PX / 60 - 1)
        width = 100 / block.lanes
        style = (
            f"top:{top:.1f}px;height:{height:.1f}px;left:calc({block.lane * width:.3f}% + 2px);"
            f"width:calc({width:.3f}% - 4px);background:{color}"
        )
        with (
            ui.element("div")
            .classes("cal-block cal-event")
            .style(style)
            .props(f'data-testid="cal-event-{occurrence_key(occurrence)}"')
            .on("click.stop", lambda o=occurrence: self.details(o))
        ):
            with ui.row().classes("items-center gap-1 no-wrap"):
                ui.icon(TYPE_ICONS.get(occurrence["eventType"], "event"), size="13px")
                ui.label(occurrence["title"]).classes("font-medium ellipsis")
                self.chip_icons(occurrence)
            ui.label(f"{fmt_time(occurrence['start'])} – {fmt_time(occurrence['end'])}").classes("opacity-90")
