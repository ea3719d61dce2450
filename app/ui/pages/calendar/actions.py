"""The calendar's writes: create, edit (series, occurrence or single event), move (drag, resize), detach and
delete events.

A recurring series asks first whether only this occurrence or the whole series is meant — for a drag or resize
too, which then goes through the same mutations (detachOccurrence / updateEvent). Before saving, an overlap with
another event of the same group is named and must be confirmed. A saved event's group joins the shown groups.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from nicegui import app, ui

from app.ui import gql
from app.ui.calendar_model import overlapping
from app.ui.event_dialog import open_event_dialog
from app.ui.event_form import FormOptions, Mode
from app.ui.format import fmt_date, fmt_time, parse_dt
from app.ui.i18n import t
from app.ui.layout import notify_ok, run_action
from app.ui.pages.calendar.dialogs import ask_overlap, choose_scope, confirm
from app.ui.pages.calendar.state import STORAGE_KEY, CalendarState

_EVENT_RESULT = "{ __typename ... on Event { id } ... on Error { message code } }"
# EventInput fields a moved event carries over from its series (camelCase, as `events` returns them).
_KEPT_FIELDS = (
    "description", "skipHolidays", "academicPeriodId", "isActive", "websiteUrl", "mediaId", "messageText",
    "slideInterval", "pageProgress", "autoProgress", "autoplay", "loop", "volume", "muted",
)  # fmt: skip


def moved_input(master: dict[str, Any], start: datetime, end: datetime) -> dict[str, Any]:
    """The EventInput of `master` at a new time (recurrence rule left out: kept on update, dropped on detach)."""
    payload: dict[str, Any] = {
        "groupId": master["groupId"],
        "title": master["title"],
        "eventType": master["eventType"],
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    payload.update({k: master[k] for k in _KEPT_FIELDS if master.get(k) is not None})
    return payload


async def _mutate(query: str, variables: dict[str, Any], name: str) -> dict[str, Any]:
    return gql.ok((await gql.gql(query, variables))[name])


def _when(occurrence: dict[str, Any]) -> str:
    return f"{fmt_date(occurrence['start'])} {fmt_time(occurrence['start'])}"


class CalendarActions:
    def __init__(self, state: CalendarState, *, editable: bool) -> None:
        self.state = state
        self.editable = editable
        self.redraw: Callable[[], None] = lambda: None  # set once the views exist
        self.reset: Callable[[], None] = lambda: None  # puts a cancelled drag back; set once the views exist
        self.groups_shown: Callable[[], None] = lambda: None  # the toolbar follows a group added to the view
        self._options: list[FormOptions] = []  # loaded on the first dialog, reused afterwards
        # Dialogs live here, not inside the dialog whose button opened them (that one deletes itself on hide).
        self.host = ui.element("div")

    def remember(self) -> None:
        app.storage.user[STORAGE_KEY] = {"groups": self.state.group_ids, "view": self.state.view}

    async def reload(self) -> None:
        await self.state.load_events()
        self.redraw()

    async def form_options(self) -> FormOptions:
        if not self._options:
            self._options.append(await FormOptions.load())
        return self._options[0]

    async def check_overlap(self, payload: dict[str, Any], own_event_id: int | None) -> None:
        """Name the same group's events overlapping the (first) occurrence; raise GqlError if not confirmed."""
        start, end = parse_dt(payload["start"]), parse_dt(payload["end"])
        if start is None or end is None:
            return
        others = await self.state.group_occurrences(payload["groupId"], payload["start"], payload["end"])
        items = [(i, parse_dt(o["start"]), parse_dt(o["end"])) for i, o in enumerate(others)]
        own = {i for i, o in enumerate(others) if o["eventId"] == own_event_id}
        hits = overlapping([(i, s, e) for i, s, e in items if s and e], start, end, own)
        if hits and not await ask_overlap(self.host, [others[i] for i in hits]):
            raise gql.GqlError(t("cal.overlap_not_saved"))

    async def show_saved(self, payload: dict[str, Any]) -> None:
        """Reload so the saved event shows: its group joins the shown ones."""
        group = payload.get("groupId")
        if isinstance(group, int) and group not in self.state.group_ids:
            self.state.group_ids = [*self.state.group_ids, group]
            self.remember()
            self.groups_shown()
        await self.reload()

    # --- mutations ---------------------------------------------------------------------------------
    async def create(self, payload: dict[str, Any]) -> None:
        await self.check_overlap(payload, None)
        await _mutate(
            f"mutation($i: EventInput!) {{ createEvent(input: $i) {_EVENT_RESULT} }}", {"i": payload}, "createEvent"
        )
        notify_ok(t("common.saved"))
        await self.show_saved(payload)

    async def update(self, event_id: int, payload: dict[str, Any]) -> None:
        await self.check_overlap(payload, event_id)
        await _mutate(
            f"mutation($id: Int!, $i: EventInput!) {{ updateEvent(id: $id, input: $i) {_EVENT_RESULT} }}",
            {"id": event_id, "i": payload},
            "updateEvent",
        )
        notify_ok(t("common.saved"))
        await self.show_saved(payload)

    async def detach(self, event_id: int, occurrence_start: str, payload: dict[str, Any]) -> None:
        payload = {**payload, "recurrenceRule": None}
        await self.check_overlap(payload, event_id)
        await _mutate(
            "mutation($id: Int!, $o: DateTime!, $i: EventInput!) { detachOccurrence(id: $id, occurrenceStart: $o, "
            f"input: $i) {_EVENT_RESULT} }}",
            {"id": event_id, "o": occurrence_start, "i": payload},
            "detachOccurrence",
        )
        notify_ok(t("common.saved"))
        await self.show_saved(payload)

    async def delete_event(self, event_id: int) -> None:
        async def run() -> bool:
            data = await gql.gql("mutation($id: Int!) { deleteEvent(id: $id) }", {"id": event_id})
            if not data.get("deleteEvent"):
                raise gql.GqlError(t("cal.not_found"))
            return True

        if await run_action(run, success=t("common.deleted")):
            await self.reload()

    async def delete_occurrence(self, event_id: int, occurrence_start: str) -> None:
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
            await self.reload()

    # --- dialogs -----------------------------------------------------------------------------------
    async def open_form(self, mode: Mode, initial: dict[str, Any], submit: Any) -> None:
        loaded = await run_action(self.form_options)
        if not isinstance(loaded, FormOptions):
            return
        with self.host:
            open_event_dialog(
                mode=mode,
                tz=self.state.tz,
                options=loaded,
                groups=self.state.group_names(),
                initial=initial,
                on_submit=submit,
            )

    async def new_event(self, day: date | None = None, hour: int = 8) -> None:
        state = self.state
        group = state.group_id if state.group_id is not None else next(iter(state.group_names()), None)
        if group is None:
            return
        if day is None:
            days = state.days()
            today = state.today()
            day = today if today in days and state.view != "day" else state.anchor
        start = datetime.combine(day, datetime.min.time(), tzinfo=state.tz) + timedelta(hours=hour)
        initial = {
            "groupId": group,
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "academicPeriodId": state.period_id,
            "eventType": "PRESENTATION",
        }
        await self.open_form("create", initial, self.create)

    async def edit(self, occurrence: dict[str, Any]) -> None:
        master = await run_action(lambda: self.state.master(occurrence["eventId"]))
        if not isinstance(master, dict):
            return
        if master.get("recurrenceRule"):

            async def only_this() -> None:
                initial = {**master, "start": occurrence["start"], "end": occurrence["end"]}
                await self.open_form("occurrence", initial, lambda p: self.detach(master["id"], occurrence["start"], p))

            async def series() -> None:
                await self.open_form("series", master, lambda p: self.update(master["id"], p))

            choose_scope(self.host, t("cal.edit_which"), only_this, series)
        else:
            await self.open_form("single", master, lambda p: self.update(master["id"], p))

    async def move(self, occurrence: dict[str, Any], start: datetime, end: datetime) -> None:
        """A drag or resize: for a series, only this occurrence (detach) or the whole series (shifted alike)."""
        master = await run_action(lambda: self.state.master(occurrence["eventId"]))
        old_start, old_end = parse_dt(occurrence["start"]), parse_dt(occurrence["end"])
        if not isinstance(master, dict) or old_start is None or old_end is None:
            self.reset()
            return

        async def save(action: Any) -> None:
            if not await run_action(action):
                self.reset()

        if not master.get("recurrenceRule"):
            await save(lambda: self.update(master["id"], moved_input(master, start, end)))
            return
        series_start, series_end = parse_dt(master["start"]), parse_dt(master["end"])
        assert series_start is not None and series_end is not None
        shifted = moved_input(
            master, series_start + (start - old_start), series_end + (end - old_end)
        )  # the series moves by what the occurrence moved, at both ends

        async def only_this() -> None:
            await save(lambda: self.detach(master["id"], occurrence["start"], moved_input(master, start, end)))

        async def series() -> None:
            await save(lambda: self.update(master["id"], shifted))

        choose_scope(self.host, t("cal.move_which"), only_this, series, on_cancel=self.reset)

    async def delete(self, occurrence: dict[str, Any]) -> None:
        master = await run_action(lambda: self.state.master(occurrence["eventId"]))
        if not isinstance(master, dict):
            return
        title = master["title"]
        if master.get("recurrenceRule"):

            async def only_this() -> None:
                confirm(
                    self.host,
                    t("cal.delete_occurrence_confirm", title=title, when=_when(occurrence)),
                    lambda: self.delete_occurrence(master["id"], occurrence["start"]),
                    label=t("common.delete"),
                )

            async def series() -> None:
                confirm(
                    self.host,
                    t("cal.delete_series_confirm", title=title),
                    lambda: self.delete_event(master["id"]),
                    label=t("cal.delete_series"),
                )

            choose_scope(self.host, t("cal.delete_which"), only_this, series)
        else:
            confirm(
                self.host,
                t("cal.delete_confirm", title=title),
                lambda: self.delete_event(master["id"]),
                label=t("common.delete"),
            )
