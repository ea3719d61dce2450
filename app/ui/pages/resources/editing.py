"""Ressourcen's bars do what Termine's events do, through Termine's own actions and dialogs (no second copy).

A click (or Enter) on a bar opens the occurrence's details (what, when, kind; edit and delete for editors);
editors can drag a bar in time or resize it, which asks "nur dieser Termin / ganze Serie" for a series and goes
through the same mutations (`CalendarActions.move`: detachOccurrence / updateEvent, overlap warning included).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.ui.fullcalendar import from_wall
from app.ui.layout import run_action
from app.ui.pages.calendar.actions import CalendarActions
from app.ui.pages.calendar.dialogs import occurrence_details
from app.ui.pages.calendar.state import CalendarState
from app.ui.pages.resources.state import ResourcesState
from app.ui.pages.resources.timeline import occurrence_index
from app.ui.timeline import Timeline


class ResourceEditing:
    def __init__(self, state: ResourcesState, *, editable: bool, saved: Callable[[], None]) -> None:
        """`saved` reloads the page after a write; creates the dialogs' host in the current UI context."""
        self.state = state
        self.editable = editable
        self.calendar = CalendarState(tz=state.tz)
        self.actions = CalendarActions(self.calendar, editable=editable)
        self.actions.redraw = saved

    def attach(self, timeline: Timeline) -> None:
        self.actions.reset = timeline.reset

    def sync(self) -> None:
        """Every shown room counts as shown for the actions (so a save never changes Termine's own choice)."""
        self.calendar.groups = [{"id": g["id"], "name": g["name"]} for g in self.state.groups]
        self.calendar.group_ids = [g["id"] for g in self.state.groups]

    def occurrence(self, item_id: object) -> dict[str, Any] | None:
        index = occurrence_index(str(item_id))
        if index is None or index >= len(self.state.occurrences):
            return None
        return self.state.occurrences[index]

    async def on_click(self, args: dict[str, Any]) -> None:
        occurrence = self.occurrence(args.get("id"))
        if occurrence is None:
            return
        self.sync()
        master = await run_action(lambda: self.calendar.master(occurrence["eventId"]))
        if not isinstance(master, dict):
            return
        if self.editable:
            edit, delete = self.actions.edit, self.actions.delete
            occurrence_details(self.actions.host, occurrence, master, on_edit=edit, on_delete=delete)
        else:
            occurrence_details(self.actions.host, occurrence, master)

    async def on_change(self, args: dict[str, Any]) -> None:
        occurrence = self.occurrence(args.get("id"))
        if occurrence is None or not args.get("start") or not args.get("end"):
            self.actions.reset()
            return
        self.sync()
        start = from_wall(str(args["start"]), self.state.tz)
        end = from_wall(str(args["end"]), self.state.tz)
        await self.actions.move(occurrence, start, end)
