"""Termine: a room group's events as month / week / day calendar with create, edit, detach and delete.

Everyone logged in may look (the events query needs only a login); editors and above may change events.
The shown window reloads live when `eventsChanged` names the shown group (or holidays changed) and the group
selector follows `groupsChanged`; bursts are coalesced into one reload.

Built from NiceGUI elements (no CDN): a month grid with event chips, hour columns with positioned blocks for
week and day. Times are shown in the school's time zone. Holidays of the selected academic period shade the
days they cover. Recurring series: deleting or editing asks whether only this occurrence (deleteOccurrence /
detachOccurrence) or the whole series (deleteEvent with a final confirm / updateEvent) is meant.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import app, ui

from app.domain.enums import Role
from app.ui import gql
from app.ui.calendar_feed import calendar_feed_buttons
from app.ui.calendar_model import (
    VIEWS,
    View,
    anchor_for_period,
    holiday_names,
    layout_blocks,
    shift,
    utc_range,
    view_days,
)
from app.ui.event_form import EVENT_FIELDS, TYPE_ICONS, FormOptions, Mode, open_event_dialog, type_label
from app.ui.format import fmt_date, fmt_time, parse_dt, school_tz
from app.ui.i18n import t
from app.ui.layout import PageContext, notify_ok, page_heading, protected_page, run_action, unavailable
from app.ui.live_reload import CoalescedReload
from app.ui.selection import has_field
from app.ui.widgets import date_stepper

HOUR_PX = 40
SCROLL_TO_HOUR = 7
MONTH_CHIPS = 3
STORAGE_KEY = "calendar-view"
TYPE_COLORS = {
    "PRESENTATION": "#1f4e79",
    "VIDEO": "#7b1fa2",
    "WEBSITE": "#00796b",
    "MESSAGE": "#b45309",
    "WEBUNTIS": "#455a64",
}
OCCURRENCE_FIELDS = "eventId groupId title eventType start end isRecurring isDetached detachedFromEventId"
PERIOD_FIELDS = "id name displayName startDate endDate isActive"
_EVENT_RESULT = "{ __typename ... on Event { id } ... on Error { message } }"

_CSS = """
.cal-month { display: grid; grid-template-columns: repeat(7, minmax(0, 1fr)); border-left: 1px solid #e5e7eb;
  border-top: 1px solid #e5e7eb; width: 100%; }
.cal-head { font-size: 12px; font-weight: 600; color: #4b5563; padding: 4px; border-right: 1px solid #e5e7eb;
  border-bottom: 1px solid #e5e7eb; background: #f9fafb; overflow: hidden; }
.cal-cell { min-height: 92px; padding: 2px 4px; border-right: 1px solid #e5e7eb; border-bottom: 1px solid #e5e7eb;
  overflow: hidden; min-width: 0; }
.cal-out { background: #f9fafb; color: #9ca3af; }
.cal-holiday { background: repeating-linear-gradient(45deg, #fff7ed, #fff7ed 6px, #ffedd5 6px, #ffedd5 12px); }
.cal-holiday-name { font-size: 11px; color: #b45309; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.cal-daynum { font-size: 12px; font-weight: 600; display: inline-block; min-width: 22px; text-align: center;
  border-radius: 999px; cursor: pointer; }
.cal-today .cal-daynum, .cal-head.cal-today .cal-daynum { background: #1f4e79; color: white; }
.cal-chip { font-size: 12px; line-height: 18px; border-radius: 4px; padding: 0 4px; margin-top: 2px; color: white;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; cursor: pointer; display: flex; gap: 2px;
  align-items: center; }
.cal-more { font-size: 11px; color: #4b5563; cursor: pointer; }
.cal-timegrid { display: grid; width: 100%; }
.cal-scroll { overflow-y: auto; max-height: max(360px, calc(100vh - 300px)); width: 100%;
  border-bottom: 1px solid #e5e7eb; }
.cal-gutter { font-size: 11px; color: #6b7280; text-align: right; padding-right: 4px; }
.cal-col { position: relative; border-left: 1px solid #e5e7eb; min-width: 0; }
.cal-slot { border-bottom: 1px solid #f0f0f0; box-sizing: border-box; }
.cal-slot:hover { background: rgba(31, 78, 121, 0.06); }
.cal-block { position: absolute; border-radius: 4px; color: white; font-size: 12px; line-height: 15px;
  padding: 1px 4px; overflow: hidden; cursor: pointer; box-shadow: 0 1px 2px rgba(0,0,0,.25);
  border: 1px solid rgba(255,255,255,.6); box-sizing: border-box; }
"""


@dataclass
class CalendarState:
    tz: ZoneInfo
    groups: list[dict[str, Any]] = field(default_factory=list)
    group_id: int | None = None
    periods: list[dict[str, Any]] = field(default_factory=list)
    period_id: int | None = None
    view: View = "week"
    anchor: date = field(default_factory=date.today)
    holidays: list[dict[str, Any]] = field(default_factory=list)
    occurrences: list[dict[str, Any]] = field(default_factory=list)
    masters: dict[int, dict[str, Any]] = field(default_factory=dict)
    keep_scroll: float | None = None  # a live reload keeps the hour the user scrolled to

    def today(self) -> date:
        return datetime.now(self.tz).date()

    def days(self) -> list[date]:
        return view_days(self.view, self.anchor)

    def period(self) -> dict[str, Any] | None:
        return next((p for p in self.periods if p["id"] == self.period_id), None)

    def period_label(self) -> str:
        period = self.period()
        if period is None:
            return t("cal.no_period")
        return str(period.get("displayName") or period["name"])

    def group_names(self) -> dict[int, str]:
        return {g["id"]: g["name"] for g in self.groups}

    async def load_meta(self) -> None:
        data = await gql.gql(
            f"query {{ groups(includeUnassigned: false) {{ id name }} academicPeriods {{ {PERIOD_FIELDS} }} "
            f"activeAcademicPeriod {{ id }} }}"
        )
        self.groups = data["groups"]
        self.periods = data["academicPeriods"]
        saved = _saved_view()
        self._choose_group(saved.get("group"))
        if saved.get("view") in VIEWS:
            self.view = saved["view"]
        self.anchor = self.today()
        active = data.get("activeAcademicPeriod")
        covering = next(
            (p for p in self.periods if p["startDate"] <= self.anchor.isoformat() <= p["endDate"]),
            None,
        )
        chosen = active or covering or (self.periods[0] if self.periods else None)
        self.period_id = chosen["id"] if chosen else None
        await self.load_holidays()

    def _choose_group(self, wanted: Any) -> None:
        ids = [g["id"] for g in self.groups]
        self.group_id = wanted if wanted in ids else (ids[0] if ids else None)

    async def load_groups(self) -> None:
        """Re-read the group list (renamed, created, deleted); keeps the shown group while it exists."""
        data = await gql.gql("query { groups(includeUnassigned: false) { id name } }")
        self.groups = data["groups"]
        self._choose_group(self.group_id)

    async def load_holidays(self) -> None:
        self.holidays = []
        if self.period_id is not None:
            data = await gql.gql(
                "query($p: Int) { holidays(academicPeriodId: $p) { id name startDate endDate } }",
                {"p": self.period_id},
            )
            self.holidays = data["holidays"]

    async def load_events(self) -> None:
        self.occurrences, self.masters = [], {}
        if self.group_id is None:
            return
        start, end = utc_range(self.days(), self.tz)
        data = await gql.gql(
            f"query($g: Int, $s: DateTime!, $e: DateTime!) {{ "
            f"eventOccurrences(groupId: $g, start: $s, end: $e) {{ {OCCURRENCE_FIELDS} }} "
            f"events(groupId: $g, start: $s, end: $e) {{ {EVENT_FIELDS} }} }}",
            {"g": self.group_id, "s": start.isoformat(), "e": end.isoformat()},
        )
        self.occurrences = data["eventOccurrences"]
        self.masters = {e["id"]: e for e in data["events"]}

    async def master(self, event_id: int) -> dict[str, Any]:
        if event_id not in self.masters:
            data = await gql.gql(f"query($i: Int!) {{ event(id: $i) {{ {EVENT_FIELDS} }} }}", {"i": event_id})
            if data.get("event") is None:
                raise gql.GqlError(t("cal.not_found"))
            self.masters[event_id] = data["event"]
        return self.masters[event_id]

    def skips_holidays(self, occurrence: dict[str, Any]) -> bool:
        return bool(self.masters.get(occurrence["eventId"], {}).get("skipHolidays"))


def _saved_view() -> dict[str, Any]:
    value = app.storage.user.get(STORAGE_KEY)
    return value if isinstance(value, dict) else {}


def _occurrence_key(occurrence: dict[str, Any]) -> str:
    start = parse_dt(occurrence["start"])
    stamp = start.strftime("%Y%m%dT%H%M%SZ") if start else "x"
    return f"{occurrence['eventId']}-{stamp}"


def _weekday_names() -> list[str]:
    return [t(f"cal.wd.{d}") for d in ("mo", "tu", "we", "th", "fr", "sa", "su")]


def _range_label(view: View, days: list[date], anchor: date) -> str:
    if view == "month":
        months = t("cal.months").split(",")
        return f"{months[anchor.month - 1]} {anchor.year}"
    if view == "day":
        return f"{_weekday_names()[anchor.weekday()]}, {fmt_date(anchor)}"
    week = days[0].isocalendar().week
    return f"{t('cal.kw', week=week)} · {fmt_date(days[0])} – {fmt_date(days[-1])}"


async def _mutate(query: str, variables: dict[str, Any], name: str) -> dict[str, Any]:
    return gql.ok((await gql.gql(query, variables))[name])


@protected_page("/calendar", nav="nav.calendar", min_role=Role.USER)
async def calendar_page(ctx: PageContext) -> None:
    if not has_field("Query", "eventOccurrences"):
        page_heading(t("cal.title"))
        unavailable(t("cal.title"))
        return
    ui.add_css(_CSS)
    editable = ctx.can(Role.EDITOR)
    state = CalendarState(tz=school_tz())
    await state.load_meta()
    await state.load_events()
    options: list[FormOptions] = []  # loaded on the first dialog, reused afterwards
    # Dialogs live here, not inside the dialog whose button opened them (that one deletes itself on hide).
    host = ui.element("div")

    def remember() -> None:
        app.storage.user[STORAGE_KEY] = {"group": state.group_id, "view": state.view}

    async def reload() -> None:
        await state.load_events()
        body.refresh()
        toolbar_labels.refresh()

    async def form_options() -> FormOptions:
        if not options:
            options.append(await FormOptions.load())
        return options[0]

    # --- mutations ---------------------------------------------------------------------------------
    async def create(payload: dict[str, Any]) -> None:
        await _mutate(
            f"mutation($i: EventInput!) {{ createEvent(input: $i) {_EVENT_RESULT} }}", {"i": payload}, "createEvent"
        )
        notify_ok(t("common.saved"))
        await reload()

    async def update(event_id: int, payload: dict[str, Any]) -> None:
        await _mutate(
            f"mutation($id: Int!, $i: EventInput!) {{ updateEvent(id: $id, input: $i) {_EVENT_RESULT} }}",
            {"id": event_id, "i": payload},
            "updateEvent",
        )
        notify_ok(t("common.saved"))
        await reload()

    async def detach(event_id: int, occurrence_start: str, payload: dict[str, Any]) -> None:
        payload = {**payload, "recurrenceRule": None}
        await _mutate(
            "mutation($id: Int!, $o: DateTime!, $i: EventInput!) { detachOccurrence(id: $id, occurrenceStart: $o, "
            f"input: $i) {_EVENT_RESULT} }}",
            {"id": event_id, "o": occurrence_start, "i": payload},
            "detachOccurrence",
        )
        notify_ok(t("common.saved"))
        await reload()

    async def delete_event(event_id: int) -> None:
        async def run() -> bool:
            data = await gql.gql("mutation($id: Int!) { deleteEvent(id: $id) }", {"id": event_id})
            if not data.get("deleteEvent"):
                raise gql.GqlError(t("cal.not_found"))
            return True

        if await run_action(run, success=t("common.deleted")):
            await reload()

    async def delete_occurrence(event_id: int, occurrence_start: str) -> None:
        result = await run_action(
            lambda: _mutate(
                "mutation($id: Int!, $o: DateTime!) { deleteOccurrence(id: $id, occurrenceStart: $o) "
                f"{_EVENT_RESULT} }}",
                {"id": event_id, "o": occurrence_start},
                "deleteOccurrence",
            ),
            success=t("cal.occurrence_deleted"),
        )
        if result:
            await reload()

    # --- dialogs -----------------------------------------------------------------------------------
    async def open_form(mode: Mode, initial: dict[str, Any], submit: Any) -> None:
        loaded = await run_action(form_options)
        if not isinstance(loaded, FormOptions):
            return
        with host:
            open_event_dialog(
                mode=mode, tz=state.tz, options=loaded, groups=state.group_names(), initial=initial, on_submit=submit
            )

    async def new_event(day: date | None = None, hour: int = 8) -> None:
        if state.group_id is None:
            return
        if day is None:
            days = state.days()
            today = state.today()
            day = today if today in days and state.view != "day" else state.anchor
        start = datetime.combine(day, datetime.min.time(), tzinfo=state.tz) + timedelta(hours=hour)
        initial = {
            "groupId": state.group_id,
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "academicPeriodId": state.period_id,
            "eventType": "PRESENTATION",
        }
        await open_form("create", initial, create)

    def choose_scope(title: str, on_occurrence: Any, on_series: Any) -> None:
        with host, ui.dialog() as dialog, ui.card().classes("w-96 max-w-full").props('data-testid="scope-dialog"'):
            ui.label(title).classes("text-lg font-medium")
            ui.label(t("cal.scope_text")).classes("text-sm is-muted")

            async def pick(action: Any) -> None:
                dialog.close()
                await action()

            with ui.column().classes("w-full gap-2"):
                ui.button(t("cal.only_this"), icon="event", on_click=lambda: pick(on_occurrence)).props(
                    'outline data-testid="scope-occurrence"'
                ).classes("w-full")
                ui.button(t("cal.whole_series"), icon="repeat", on_click=lambda: pick(on_series)).props(
                    'outline data-testid="scope-series"'
                ).classes("w-full")
                ui.button(t("common.cancel"), on_click=dialog.close).props("flat").classes("w-full")
        dialog.on("hide", dialog.delete)
        dialog.open()

    def confirm(text: str, on_yes: Any, *, label: str) -> None:
        with host, ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
            ui.label(text)

            async def yes() -> None:
                dialog.close()
                await on_yes()

            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
                ui.button(label, on_click=yes, color="negative").props('data-testid="confirm-yes"')
        dialog.on("hide", dialog.delete)
        dialog.open()

    async def edit(occurrence: dict[str, Any]) -> None:
        master = await run_action(lambda: state.master(occurrence["eventId"]))
        if not isinstance(master, dict):
            return
        if master.get("recurrenceRule"):

            async def only_this() -> None:
                initial = {**master, "start": occurrence["start"], "end": occurrence["end"]}
                await open_form("occurrence", initial, lambda p: detach(master["id"], occurrence["start"], p))

            async def series() -> None:
                await open_form("series", master, lambda p: update(master["id"], p))

            choose_scope(t("cal.edit_which"), only_this, series)
        else:
            await open_form("single", master, lambda p: update(master["id"], p))

    async def delete(occurrence: dict[str, Any]) -> None:
        master = await run_action(lambda: state.master(occurrence["eventId"]))
        if not isinstance(master, dict):
            return
        title = master["title"]
        if master.get("recurrenceRule"):

            async def only_this() -> None:
                confirm(
                    t("cal.delete_occurrence_confirm", title=title, when=_when(occurrence)),
                    lambda: delete_occurrence(master["id"], occurrence["start"]),
                    label=t("common.delete"),
                )

            async def series() -> None:
                confirm(
                    t("cal.delete_series_confirm", title=title),
                    lambda: delete_event(master["id"]),
                    label=t("cal.delete_series"),
                )

            choose_scope(t("cal.delete_which"), only_this, series)
        else:
            confirm(t("cal.delete_confirm", title=title), lambda: delete_event(master["id"]), label=t("common.delete"))

    def _when(occurrence: dict[str, Any]) -> str:
        return f"{fmt_date(occurrence['start'])} {fmt_time(occurrence['start'])}"

    def details(occurrence: dict[str, Any]) -> None:
        master = state.masters.get(occurrence["eventId"], {})
        with (
            host,
            ui.dialog() as dialog,
            ui.card().classes("w-[28rem] max-w-full gap-2").props('data-testid="occ-dialog"'),
        ):
            with ui.row().classes("w-full items-center no-wrap"):
                ui.icon(TYPE_ICONS.get(occurrence["eventType"], "event"), color="primary")
                ui.label(occurrence["title"]).classes("text-lg font-medium ellipsis")
                ui.space()
                ui.button(icon="close", on_click=dialog.close).props("flat round dense")
            ui.label(
                f"{fmt_date(occurrence['start'])} {fmt_time(occurrence['start'])} – "
                f"{fmt_date(occurrence['end'])} {fmt_time(occurrence['end'])}"
            ).classes("text-sm")
            with ui.row().classes("gap-1"):
                ui.badge(type_label(occurrence["eventType"]), color="grey-7")
                if occurrence.get("isRecurring"):
                    ui.badge(t("cal.series"), color="blue-7").props("outline")
                if occurrence.get("isDetached"):
                    ui.badge(t("cal.detached"), color="orange-8").props("outline")
                if master.get("skipHolidays"):
                    ui.badge(t("cal.skips_holidays"), color="green-8").props("outline")
            if master.get("recurrenceRule"):
                ui.label(f"RRULE: {master['recurrenceRule']}").classes("text-xs is-muted break-all")
            if master.get("websiteUrl"):
                ui.label(master["websiteUrl"]).classes("text-xs is-muted break-all")
            if master.get("messageText"):
                ui.label(master["messageText"]).classes("text-sm whitespace-pre-wrap")
            if editable:

                async def go(action: Any) -> None:
                    dialog.close()
                    await action(occurrence)

                with ui.row().classes("w-full justify-end"):
                    ui.button(t("common.delete"), icon="delete", on_click=lambda: go(delete)).props(
                        'flat color=negative data-testid="occ-delete"'
                    )
                    ui.button(t("common.edit"), icon="edit", on_click=lambda: go(edit)).props('data-testid="occ-edit"')
        dialog.on("hide", dialog.delete)
        dialog.open()

    # --- toolbar -----------------------------------------------------------------------------------
    async def on_group(value: Any) -> None:
        state.group_id = value
        remember()
        await run_action(reload)

    async def on_period(value: Any) -> None:
        state.period_id = value
        period = state.period()
        if period is not None:
            state.anchor = anchor_for_period(
                date.fromisoformat(period["startDate"]), date.fromisoformat(period["endDate"]), state.today()
            )
        await run_action(state.load_holidays)
        await run_action(reload)

    async def on_view(value: Any) -> None:
        state.view = value
        remember()
        await run_action(reload)

    async def move(steps: int) -> None:
        state.anchor = shift(state.view, state.anchor, steps)
        await run_action(reload)

    async def go_today() -> None:
        state.anchor = state.today()
        await run_action(reload)

    async def open_day(day: date) -> None:
        state.anchor, state.view = day, "day"
        view_toggle.value = "day"  # on_view reloads

    with ui.row().classes("w-full items-center gap-2"):
        page_heading(t("cal.title"))
        ui.space()
        if state.group_id is not None:
            calendar_feed_buttons(lambda: (state.group_id, state.group_names().get(state.group_id or 0, "")),
                                  can_manage=editable)  # fmt: skip
        if editable and state.group_id is not None:
            ui.button(t("cal.new"), icon="add", on_click=lambda: new_event()).props('data-testid="cal-new"')
    if not state.groups:
        with ui.card().classes("w-full items-center p-6"):
            ui.icon("tv_off", size="2.5rem").classes("is-muted")
            ui.label(t("cal.no_group")).classes("text-lg")
            if ctx.can(Role.ADMIN):
                ui.link(t("nav.groups"), "/groups")
        if has_field("Subscription", "groupsChanged"):
            # The first group makes the whole calendar appear: build it anew.
            gql.follow("subscription { groupsChanged { change } }", None, lambda _: ui.navigate.reload())
        return

    with ui.row().classes("w-full items-center gap-2"):
        group_select = (
            ui.select(
                state.group_names(), value=state.group_id, label=t("cal.group"), on_change=lambda e: on_group(e.value)
            )
            .classes("w-56")
            .props('dense outlined data-testid="cal-group"')
        )
        ui.select(
            {p["id"]: p.get("displayName") or p["name"] for p in state.periods},
            value=state.period_id,
            label=t("cal.period"),
            on_change=lambda e: on_period(e.value),
        ).classes("w-56").props('dense outlined data-testid="cal-period"')
        ui.space()

        @ui.refreshable
        def holiday_indicator() -> None:
            in_view = len(holiday_names(state.days(), state.holidays))
            with ui.row().classes("items-center gap-2 text-sm").props('data-testid="cal-holiday-indicator"'):
                ui.icon("park", color="green-8")
                ui.label(t("cal.holidays_in_view", count=in_view))
                ui.label("·").classes("is-muted")
                ui.label(state.period_label()).classes("font-medium")
                if state.period_id is not None:
                    has = bool(state.holidays)
                    ui.badge(
                        t("cal.has_holidays", count=len(state.holidays)) if has else t("cal.no_holidays"),
                        color="green-7" if has else "grey-6",
                    )

        holiday_indicator()

    with ui.row().classes("w-full items-center gap-2"):
        date_stepper("cal", move, go_today)

        @ui.refreshable
        def toolbar_labels() -> None:
            ui.label(_range_label(state.view, state.days(), state.anchor)).classes("text-lg font-medium").props(
                'data-testid="cal-range"'
            )
            holiday_indicator.refresh()

        toolbar_labels()
        ui.space()
        if not editable:
            ui.badge(t("cal.read_only"), color="grey-6")
        view_toggle = ui.toggle(
            {v: t(f"cal.{v}") for v in VIEWS}, value=state.view, on_change=lambda e: on_view(e.value)
        ).props('dense no-caps data-testid="cal-view"')

    # --- views -------------------------------------------------------------------------------------
    def chip_icons(occurrence: dict[str, Any]) -> None:
        if occurrence.get("isRecurring"):
            ui.icon("repeat", size="12px")
        if state.skips_holidays(occurrence):
            ui.icon("park", size="12px").props('data-testid="skip-holidays-icon"')

    def month_view(days: list[date]) -> None:
        holidays = holiday_names(days, state.holidays)
        today = state.today()
        by_day: dict[date, list[dict[str, Any]]] = {}
        for occurrence in state.occurrences:
            start, end = parse_dt(occurrence["start"]), parse_dt(occurrence["end"])
            if start is None or end is None:
                continue
            first = start.astimezone(state.tz).date()
            last = (end - timedelta(microseconds=1)).astimezone(state.tz).date()
            for day in days:
                if first <= day <= last:
                    by_day.setdefault(day, []).append(occurrence)
        with ui.element("div").classes("cal-month").props('data-testid="cal-month"'):
            for name in _weekday_names():
                ui.label(name).classes("cal-head")
            for day in days:
                classes = ["cal-cell"]
                if day.month != state.anchor.month:
                    classes.append("cal-out")
                if day in holidays:
                    classes.append("cal-holiday")
                if day == today:
                    classes.append("cal-today")
                with ui.element("div").classes(" ".join(classes)).props(f'data-testid="cal-day-{day.isoformat()}"'):
                    with ui.row().classes("w-full items-center gap-1 no-wrap"):
                        ui.label(str(day.day)).classes("cal-daynum").on("click", lambda d=day: open_day(d))
                        if day in holidays:
                            ui.label(holidays[day]).classes("cal-holiday-name").tooltip(holidays[day])
                    items = by_day.get(day, [])
                    for occurrence in items[:MONTH_CHIPS]:
                        chip(occurrence, show_time=True)
                    if len(items) > MONTH_CHIPS:
                        ui.label(t("cal.more", count=len(items) - MONTH_CHIPS)).classes("cal-more").on(
                            "click", lambda d=day: open_day(d)
                        )

    def chip(occurrence: dict[str, Any], *, show_time: bool) -> None:
        color = TYPE_COLORS.get(occurrence["eventType"], "#1f4e79")
        with (
            ui.element("div")
            .classes("cal-chip cal-event")
            .style(f"background:{color}")
            .props(f'data-testid="cal-event-{_occurrence_key(occurrence)}"')
            .on("click.stop", lambda o=occurrence: details(o))
        ):
            if show_time:
                ui.label(fmt_time(occurrence["start"])).classes("opacity-80")
            ui.label(occurrence["title"]).classes("ellipsis")
            chip_icons(occurrence)

    def time_view(days: list[date]) -> None:
        holidays = holiday_names(days, state.holidays)
        today = state.today()
        columns = f"56px repeat({len(days)}, minmax(0, 1fr))"
        with ui.element("div").classes("cal-timegrid").style(f"grid-template-columns:{columns}"):
            ui.element("div").classes("cal-head")
            names = _weekday_names()
            for day in days:
                classes = (
                    "cal-head" + (" cal-holiday" if day in holidays else "") + (" cal-today" if day == today else "")
                )
                with ui.element("div").classes(classes).props(f'data-testid="cal-day-{day.isoformat()}"'):
                    with ui.row().classes("items-center gap-1 no-wrap"):
                        ui.label(names[day.weekday()])
                        ui.label(day.strftime("%d.%m.")).classes("cal-daynum px-1").on(
                            "click", lambda d=day: open_day(d)
                        )
                    if day in holidays:
                        ui.label(holidays[day]).classes("cal-holiday-name").tooltip(holidays[day])
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
                column_classes = "cal-col" + (" cal-holiday" if day in holidays else "")
                with (
                    ui.element("div")
                    .classes(column_classes)
                    .style(f"height:{24 * HOUR_PX}px")
                    .props(f'data-testid="cal-col-{day.isoformat()}"')
                ):
                    for hour in range(24):
                        slot = ui.element("div").classes("cal-slot").style(f"height:{HOUR_PX}px")
                        if editable:
                            slot.on("click", lambda d=day, h=hour: new_event(d, h))
                    for block in (b for b in blocks if b.day == day):
                        positioned_block(state.occurrences[block.key], block)
        top = SCROLL_TO_HOUR * HOUR_PX if state.keep_scroll is None else state.keep_scroll
        state.keep_scroll = None
        ui.run_javascript(
            f"setTimeout(() => {{ const el = document.getElementById('{scroller.html_id}'); "
            f"if (el) el.scrollTop = {top:.0f}; }}, 50)"
        )

    def positioned_block(occurrence: dict[str, Any], block: Any) -> None:
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
            .props(f'data-testid="cal-event-{_occurrence_key(occurrence)}"')
            .on("click.stop", lambda o=occurrence: details(o))
        ):
            with ui.row().classes("items-center gap-1 no-wrap"):
                ui.icon(TYPE_ICONS.get(occurrence["eventType"], "event"), size="13px")
                ui.label(occurrence["title"]).classes("font-medium ellipsis")
                chip_icons(occurrence)
            ui.label(f"{fmt_time(occurrence['start'])} – {fmt_time(occurrence['end'])}").classes("opacity-90")

    @ui.refreshable
    def body() -> None:
        days = state.days()
        if state.view == "month":
            month_view(days)
        else:
            time_view(days)

    with ui.card().classes("w-full p-0 overflow-hidden").props("flat bordered"):
        body()
    ui.label(t("cal.timezone", tz=str(state.tz))).classes("text-xs is-muted")

    # --- live updates: someone else's edits show without a page reload -----------------------------
    stale: set[str] = set()

    async def live_reload() -> None:
        if "groups" in stale:
            stale.discard("groups")
            names = state.group_names()
            await state.load_groups()
            if state.group_names() != names:
                # A deleted group moves the view to another one; on_group then saves and reloads it.
                group_select.set_options(state.group_names(), value=state.group_id)
        shown = (state.occurrences, state.masters, state.holidays)
        if "holidays" in stale:
            stale.discard("holidays")
            await state.load_holidays()
        await state.load_events()
        if (state.occurrences, state.masters, state.holidays) == shown:
            # Typically this tab's own edit, already shown: redrawing would only swallow a click in flight.
            return
        if state.view != "month":
            with contextlib.suppress(Exception):  # a tab gone meanwhile: the default hour is fine
                scrolled = await ui.run_javascript("document.querySelector('.cal-scroll')?.scrollTop ?? null")
                state.keep_scroll = float(scrolled) if isinstance(scrolled, int | float) else None
        body.refresh()
        toolbar_labels.refresh()

    live = CoalescedReload(live_reload)

    def on_events(data: dict[str, Any]) -> None:
        change = data["eventsChanged"]
        if change["change"] == "holidays":
            stale.add("holidays")
            live.schedule()
        elif state.group_id in change["groupIds"]:
            live.schedule()

    def on_groups(_: dict[str, Any]) -> None:
        stale.add("groups")
        live.schedule()

    # Unfiltered: the shown group changes with the selector, the subscription stays.
    if has_field("Subscription", "eventsChanged"):
        gql.follow("subscription { eventsChanged { groupIds change } }", None, on_events)
    if has_field("Subscription", "groupsChanged"):
        gql.follow("subscription { groupsChanged { groupId change } }", None, on_groups)
