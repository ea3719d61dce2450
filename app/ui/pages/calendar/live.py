"""Someone else's edits show without a page reload: `eventsChanged` for the shown groups or holidays and
`groupsChanged` for the selector; a burst of notices costs one reload, and the user's scroll stays."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.ui import gql
from app.ui.live_reload import CoalescedReload
from app.ui.pages.calendar.state import CalendarState


class CalendarLive:
    def __init__(self, state: CalendarState, groups_changed: Callable[[], None], redraw: Callable[[], None]) -> None:
        self.state = state
        self.groups_changed = groups_changed  # the selector and legend follow renames and deletions
        self.redraw = redraw  # keeps the hour the user scrolled to
        self.stale: set[str] = set()
        self.live = CoalescedReload(self.live_reload)

    def follow(self) -> None:
        # Unfiltered: the shown group changes with the selector, the subscription stays.
        # Once registered, a re-read (groups, holidays, events): nothing changed during the page's build is missed.
        gql.follow("subscription { eventsChanged { groupIds change } }", None, self.on_events, on_live=self.resync)
        gql.follow("subscription { groupsChanged { groupId change } }", None, self.on_groups, on_live=self.resync)

    async def live_reload(self) -> None:
        state, stale = self.state, self.stale
        if "groups" in stale:
            stale.discard("groups")
            names = state.group_names()
            await state.load_groups()
            if state.group_names() != names:
                self.groups_changed()
        shown = (state.occurrences, state.masters, state.holidays)
        if "holidays" in stale:
            stale.discard("holidays")
            await state.load_holidays()
        await state.load_events()
        if (state.occurrences, state.masters, state.holidays) == shown:
            # Typically this tab's own edit, already shown: redrawing would only swallow a click in flight.
            return
        self.redraw()

    def on_events(self, data: dict[str, Any]) -> None:
        change = data["eventsChanged"]
        if change["change"] == "holidays":
            self.stale.add("holidays")
            self.live.schedule()
        elif set(self.state.group_ids) & set(change["groupIds"]):
            self.live.schedule()

    def resync(self) -> None:
        self.stale.update(("groups", "holidays"))
        self.live.schedule()

    def on_groups(self, _: dict[str, Any]) -> None:
        self.stale.add("groups")
        self.live.schedule()
