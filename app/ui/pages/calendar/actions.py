"""The calendar's writes: create, edit (series, occurrence or single event), detach and delete events.

A recurring series asks first whether only this occurrence or the whole series is meant.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from nicegui import app, ui

from app.ui import gql
from app.ui.event_dialog import open_event_dialog
from app.ui.event_form import FormOptions, Mode
from app.ui.format import fmt_date, fmt_time
from app.ui.i18n import t
from app.ui.layout import notify_ok, run_action
from app.ui.pages.calendar.dialogs import choose_scope, confirm
from app.ui.pages.calendar.state import STORAGE_KEY, CalendarState

_EVENT_RESULT = "{ __typename ... on Event { id } ... on Error { message code } }"


async def _mutate(query: str, variables: dict[str, Any], name: str) -> dict[str, Any]:
    return gql.ok((await gql.gql(query, variables))[name])


def _when(occurrence: dict[str, Any]) -> str:
    return f"{fmt_date(occurrence['start'])} {fmt_time(occurrence['start'])}"


class CalendarActions:
    def __init__(self, state: CalendarState, *, editable: bool) -> None:
        self.state = state
        self.editable = editable
        self.redraw: Callable[[], None] = lambda: None  # set once the views exist
        self._options: list[FormOptions] = []  # loaded on the first dialog, reused afterwards
        # Dialogs live here, not inside the dialog whose button opened them (that one deletes itself on hide).
        self.host = ui.element("div")

    def remember(self) -> None:
        app.storage.user[STORAGE_KEY] = {"group": self.state.group_id, "view": self.state.view}

    async def reload(self) -> None:
        await self.state.load_events()
        self.redraw()

    async def form_options(self) -> FormOptions:
        if not self._options:
            self._options.append(await FormOptions.load())
        return self._options[0]

    # --- mutations ---------------------------------------------------------------------------------
    async def create(self, payload: dict[str, Any]) -> None:
        await _mutate(
            f"mutation($i: EventInput!) {{ createEvent(input: $i) {_EVENT_RESULT} }}", {"i": payload}, "createEvent"
        )
        notify_ok(t("common.saved"))
        await self.reload()

    async def update(self, event_id: int, payload: dict[str, Any]) -> None:
        await _mutate(
            f"mutation($id: Int!, $i: EventInput!) {{ updateEvent(id: $id, input: $i) {_EVENT_RESULT} }}",
            {"id": event_id, "i": payload},
            "updateEvent",
        )
        notify_ok(t("common.saved"))
        await self.reload()

    async def detach(self, event_id: int, occurrence_start: str, payload: dict[str, Any]) -> None:
        payload = {**payload, "recurrenceRule": None}
        await _mutate(
            "mutation($id: Int!, $o: DateTime!, $i: EventInput!) { detachOccurrence(id: $id, occurrenceStart: $o, "
            f"input: $i) {_EVENT_RESULT} }}",
            {"id": event_id, "o": occurrence_start, "i": payload},
            "detachOccurrence",
        )
        notify_ok(t("common.saved"))
        await self.reload()

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
