"""The calendar's toolbar: the shown groups (one, several or all; a colour each, with a legend), the period
selector (an admin's choice activates the period, as the seed's page does; others just look at it), the holiday
indicator, date stepper and view toggle."""

from __future__ import annotations

from datetime import date
from typing import Any

from nicegui import ui

from app.ui import gql
from app.ui.calendar_model import VIEWS, anchor_for_period, group_color, holiday_names, shift
from app.ui.i18n import t
from app.ui.layout import run_action
from app.ui.pages.calendar.actions import CalendarActions
from app.ui.pages.calendar.state import range_label
from app.ui.widgets import date_stepper


class CalendarToolbar:
    def __init__(self, actions: CalendarActions, *, can_activate: bool) -> None:
        self.actions = actions
        self.state = actions.state
        self.can_activate = can_activate  # admins: choosing a period activates it
        self.group_select: ui.select | None = None
        self.view_toggle: ui.toggle | None = None

    def build(self) -> None:
        with ui.row().classes("w-full items-center gap-2"):
            self._selectors()
            ui.space()
            self.holiday_indicator()
        self.legend()
        with ui.row().classes("w-full items-center gap-2"):
            date_stepper("cal", self.move, self.go_today)
            self.labels()
            ui.space()
            if not self.actions.editable:
                ui.badge(t("cal.read_only"), color="grey-8")
            self.view_toggle = ui.toggle(
                {v: t(f"cal.{v}") for v in VIEWS}, value=self.state.view, on_change=lambda e: self.on_view(e.value)
            ).props('dense no-caps data-testid="cal-view"')

    def _selectors(self) -> None:
        state = self.state
        self.group_select = (
            ui.select(
                state.group_names(),
                value=list(state.group_ids),
                label=t("cal.groups"),
                multiple=True,
                on_change=lambda e: self.on_group(e.value),
            )
            .classes("min-w-56 max-w-[32rem]")
            .props('dense outlined data-testid="cal-group"')
        )
        ui.button(t("cal.all_groups"), icon="select_all", on_click=self.show_all).props(
            'flat dense no-caps data-testid="cal-all-groups"'
        )
        ui.select(
            {p["id"]: p.get("displayName") or p["name"] for p in state.periods},
            value=state.period_id,
            label=t("cal.period"),
            on_change=lambda e: self.on_period(e.value),
        ).classes("w-56").props('dense outlined data-testid="cal-period"')

    @ui.refreshable_method
    def holiday_indicator(self) -> None:
        state = self.state
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
                    color="green-9" if has else "grey-8",
                )

    @ui.refreshable_method
    def legend(self) -> None:
        names = self.state.group_names()
        with ui.row().classes("w-full items-center gap-3 text-sm").props('data-testid="cal-legend"'):
            for group in self.state.group_ids:
                with ui.row().classes("items-center gap-1 no-wrap").props(f'data-testid="cal-legend-{group}"'):
                    ui.element("span").classes("cal-swatch").style(f"background:{group_color(group)}")
                    ui.label(names.get(group, ""))

    def groups_shown(self) -> None:
        """The shown groups or their names changed elsewhere (a saved event's group joined, a rename, a deletion):
        the selector and legend follow (on_group sees no change and does not reload)."""
        assert self.group_select is not None
        self.group_select.set_options(self.state.group_names(), value=list(self.state.group_ids))
        self.legend.refresh()

    @ui.refreshable_method
    def labels(self) -> None:
        ui.label(range_label(self.state.view, self.state.days(), self.state.anchor)).classes(
            "text-lg font-medium"
        ).props('data-testid="cal-range"')
        self.holiday_indicator.refresh()

    # --- navigation --------------------------------------------------------------------------------
    async def on_group(self, value: Any) -> None:
        wanted = [v for v in (value or []) if isinstance(v, int)]
        assert self.group_select is not None
        if not wanted and self.state.group_ids:  # at least one group stays shown (picking the only one keeps it)
            self.group_select.set_value(list(self.state.group_ids))
            return
        if wanted == self.state.group_ids:
            return
        self.state.group_ids = wanted
        self.group_select.run_method("hidePopup")  # one pick, one change: the page is usable right away
        self.actions.remember()
        self.legend.refresh()
        await run_action(self.actions.reload)

    async def show_all(self) -> None:
        assert self.group_select is not None
        self.group_select.set_value(list(self.state.group_names()))  # on_group reloads

    async def on_period(self, value: Any) -> None:
        state = self.state
        state.period_id = value
        period = state.period()
        if self.can_activate and period is not None and not period.get("isActive"):
            await run_action(lambda: self.activate(value), success=t("cal.period_activated"))
        if period is not None:
            state.anchor = anchor_for_period(
                date.fromisoformat(period["startDate"]), date.fromisoformat(period["endDate"]), state.today()
            )
        await run_action(state.load_holidays)
        await run_action(self.actions.reload)

    async def activate(self, period_id: int) -> None:
        data = await gql.gql(
            "mutation($id: Int!) { activateAcademicPeriod(id: $id) { __typename "
            "... on AcademicPeriod { id } ... on Error { message code } } }",
            {"id": period_id},
        )
        gql.ok(data["activateAcademicPeriod"])
        for period in self.state.periods:
            period["isActive"] = period["id"] == period_id

    async def on_view(self, value: Any) -> None:
        self.state.view = value
        self.actions.remember()
        await run_action(self.actions.reload)

    async def move(self, steps: int) -> None:
        self.state.anchor = shift(self.state.view, self.state.anchor, steps)
        await run_action(self.actions.reload)

    async def go_today(self) -> None:
        self.state.anchor = self.state.today()
        await run_action(self.actions.reload)

    async def open_day(self, day: date) -> None:
        self.state.anchor, self.state.view = day, "day"
        assert self.view_toggle is not None
        self.view_toggle.value = "day"  # on_view reloads
