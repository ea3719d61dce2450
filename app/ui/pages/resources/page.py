"""Ressourcen: every room group's occurrences side by side on a day (default) or week timeline.

One row per group (without “Nicht zugeordnet”), bars in a stable colour per group, holidays shaded, a now line
(drawn by the shared vis-timeline element, `app/ui/timeline.py`); a bar opens the event's details as in Termine
(edit, delete, and drag or resize for editors, via Termine's actions: `editing`), and the group order panel
(up/down, saved with setGroupOrder; admin+ may change it, others see it read-only). Everyone logged in may
look (the queries need only a login). Reloads whenever the view or the date changes, and live (coalesced) when
`eventsChanged` names a shown group or `groupsChanged` reports a new, renamed, deleted or reordered group.
This module holds the route, the toolbar and the writes; the views are `timeline` and `order_panel`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nicegui import ui

from app.domain.enums import Role
from app.ui import gql
from app.ui.calendar_model import shift
from app.ui.format import fmt_day_range, school_tz
from app.ui.i18n import current_language, t
from app.ui.layout import PageContext, page_heading, protected_page, run_action
from app.ui.live_reload import CoalescedReload
from app.ui.pages.resources.editing import ResourceEditing
from app.ui.pages.resources.order_panel import order_panel
from app.ui.pages.resources.state import ResourcesState
from app.ui.pages.resources.timeline import RESOURCES_CSS, draw
from app.ui.timeline import Timeline
from app.ui.widgets import date_stepper


@protected_page("/resources", nav="nav.resources", min_role=Role.USER)
async def resources_page(ctx: PageContext) -> None:
    ui.add_css(RESOURCES_CSS)
    state = ResourcesState(tz=school_tz())
    state.anchor = datetime.now(state.tz).date()
    await state.load()
    ResourcesPage(state, can_order=ctx.can(Role.ADMIN), can_edit=ctx.can(Role.EDITOR)).build()


class ResourcesPage:
    def __init__(self, state: ResourcesState, *, can_order: bool, can_edit: bool) -> None:
        self.state = state
        self.can_order = can_order
        self.can_edit = can_edit
        self.live = CoalescedReload(self.live_reload)
        self.timeline: Timeline | None = None

    def build(self) -> None:
        state = self.state
        with ui.row().classes("w-full items-center gap-2"):
            page_heading(t("res.title"))
            ui.space()
            ui.button(t("common.refresh"), icon="refresh", on_click=lambda: run_action(self.reload)).props("flat")
        with ui.row().classes("w-full items-center gap-2"):
            date_stepper("res", self.move, self.go_today)
            self.range_label()
            ui.space()
            ui.toggle(
                {"day": t("cal.day"), "week": t("cal.week")},
                value=state.view,
                on_change=lambda e: self.set_view(e.value),
            ).props('dense no-caps data-testid="res-view"')
        with ui.row().classes("w-full gap-4 items-start no-wrap max-lg:flex-wrap"):
            with ui.card().classes("flex-1 min-w-0 p-0 overflow-hidden").props("flat bordered"):
                self.empty_hint()
                editing = ResourceEditing(state, editable=self.can_edit, saved=self.live.schedule)
                self.timeline = Timeline(
                    label=t("res.title"),
                    now_label=t("timeline.now"),
                    locale=current_language(),
                    on_item_click=editing.on_click,
                    on_item_change=editing.on_change if self.can_edit else None,
                ).props('data-testid="res-timeline"')
                editing.attach(self.timeline)
                self.draw()
            with ui.column().classes("w-64 max-lg:w-full gap-1"):
                ui.label(t("res.order")).classes("text-lg font-medium")
                ui.label(t("res.order_hint") if self.can_order else t("res.order_read_only")).classes(
                    "text-xs is-muted"
                )
                self.order_panel()
        ui.label(t("cal.timezone", tz=str(state.tz))).classes("text-xs is-muted")
        # Once registered, a re-read: a change made while the page was being built is not missed.
        reload = self.live.schedule
        gql.follow("subscription { eventsChanged { groupIds } }", None, self.on_events, on_live=reload)
        gql.follow("subscription { groupsChanged { change } }", None, lambda _: reload(), on_live=reload)

    @ui.refreshable_method
    def range_label(self) -> None:
        text = fmt_day_range(self.state.days())
        ui.label(text).classes("text-lg font-medium").props('data-testid="res-range"')

    @ui.refreshable_method
    def empty_hint(self) -> None:
        if not self.state.groups:
            ui.label(t("cal.no_group")).classes("is-muted p-2").props('data-testid="res-empty"')

    def draw(self) -> None:
        if self.timeline is not None:
            draw(self.timeline, self.state)

    @ui.refreshable_method
    def order_panel(self) -> None:
        order_panel(self.state, self.move_group if self.can_order else None)

    async def reload(self) -> None:
        await self.state.load()
        self.draw()
        self.empty_hint.refresh()
        self.order_panel.refresh()
        self.range_label.refresh()

    async def set_view(self, value: Any) -> None:
        self.state.view = value
        await run_action(self.reload)

    async def move(self, steps: int) -> None:
        self.state.anchor = shift(self.state.view, self.state.anchor, steps)
        await run_action(self.reload)

    async def go_today(self) -> None:
        self.state.anchor = datetime.now(self.state.tz).date()
        await run_action(self.reload)

    async def move_group(self, index: int, delta: int) -> None:
        ids = [g["id"] for g in self.state.groups]
        other = index + delta
        if not 0 <= other < len(ids):
            return
        ids[index], ids[other] = ids[other], ids[index]

        async def run() -> dict[str, Any]:
            data = await gql.gql(
                "mutation($ids: [Int!]!) { setGroupOrder(ids: $ids) { __typename ... on GroupOrder { groups { id } } "
                "... on Error { message code } } }",
                {"ids": ids},
            )
            return gql.ok(data["setGroupOrder"])

        if await run_action(run, success=t("common.saved")):
            await run_action(self.reload)

    # --- live updates --------------------------------------------------------------------------------
    async def live_reload(self) -> None:
        state = self.state
        shown = (state.groups, state.occurrences, state.holidays)
        await state.load()
        if (state.groups, state.occurrences, state.holidays) != shown:  # this tab's own reorder is already shown
            self.draw()
            self.empty_hint.refresh()
            self.order_panel.refresh()

    def on_events(self, data: dict[str, Any]) -> None:
        shown = {g["id"] for g in self.state.groups}
        if shown.intersection(data["eventsChanged"]["groupIds"]):
            self.live.schedule()
