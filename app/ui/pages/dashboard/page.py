"""Dashboard: one card per room group with a health bar, its clients, the active event and bulk restart.

Every display shows its `health` as the server classified it (the same word and colour as on the group
board and Monitoring; `app.ui.widgets.HEALTH_STYLE`). The page is live and patches itself:
- `clientUpdated` updates the one display, `eventsChanged` (events and holidays) reloads the schedule part;
  bursts are coalesced into at most one patch per `MIN_INTERVAL_SECONDS`, and only changed cards rebuild;
- its own tick re-evaluates liveness with the domain's rule (a silent display turns offline without a
  request) and reloads the active events, period and holiday banner every `SCHEDULE_RELOAD_SECONDS`,
  so an event that starts or ends and the holiday of a new school day show without a reload.
"""

from __future__ import annotations

import time
from typing import Any

from nicegui import ui

from app.domain.enums import Role
from app.ui import gql
from app.ui.format import fmt_date
from app.ui.i18n import t
from app.ui.layout import PageContext, notify_ok, page_heading, protected_page, run_action
from app.ui.live_reload import LIVE_PAGE_INTERVAL_SECONDS, CoalescedReload, PatchedSection
from app.ui.pages.dashboard.bulk import BulkRestartReport
from app.ui.pages.dashboard.cards import GroupSlot
from app.ui.pages.dashboard.state import FILTERS, DashboardState
from app.ui.widgets import CLIENT_FIELDS, HEALTH_ORDER, client_name, confirm_with_reason, health_color, health_label

TICK_SECONDS = 5.0
SCHEDULE_RELOAD_SECONDS = 30.0
# The displays' ages ("vor 12 s") move on this often (as on Raumgruppen): a fleet that reports every few
# seconds would otherwise change every shown age with every live update, a redraw every 2 s for nothing new.
AGES_SECONDS = 10.0


def _stat(label: str, value: int, color: str, testid: str) -> ui.label:
    with ui.card().classes("is-stat items-center p-3"):
        number = ui.label(str(value)).classes(f"text-3xl font-bold text-{color}").props(f'data-testid="stat-{testid}"')
        ui.label(label).classes("is-muted text-sm")
    return number


def banner_key(state: DashboardState) -> tuple[Any, ...]:
    return (state.banner_loaded, repr(state.period), repr(state.holiday))


def build_banner(state: DashboardState, ctx: PageContext) -> None:
    if not state.banner_loaded:
        return
    is_admin = ctx.can(Role.ADMIN)
    if state.period is None:
        with (
            ui.card().classes("w-full bg-orange-1").props('data-testid="period-banner"'),
            ui.row().classes("items-center"),
        ):
            ui.icon("warning", color="warning")
            ui.label(t("dash.no_period"))
            if is_admin:
                ui.link(t("dash.to_settings"), "/settings?focus=academic-periods")
        return
    name = state.period.get("displayName") or state.period.get("name") or ""
    severity = "bg-blue-1" if state.holiday else "bg-green-1"
    period_range = f"({fmt_date(state.period.get('startDate'))} – {fmt_date(state.period.get('endDate'))})"
    with (
        ui.card().classes(f"w-full {severity}").props('data-testid="period-banner"'),
        ui.row().classes("items-center gap-3"),
    ):
        ui.icon("beach_access" if state.holiday else "event_available", color="primary")
        ui.label(t("dash.period", name=name)).classes("font-medium")
        ui.label(period_range).classes("is-muted")
        if state.holiday:
            ui.label(t("dash.holiday_today", name=state.holiday.get("name", ""))).classes("text-primary").props(
                'data-testid="holiday-today"'
            )
        else:
            ui.label(t("dash.no_holiday_today")).classes("is-muted").props('data-testid="holiday-today"')
        if is_admin:
            ui.link(t("dash.to_settings"), "/settings?focus=holidays")


class DashboardView:
    def __init__(self, ctx: PageContext, state: DashboardState) -> None:
        self.ctx = ctx
        self.state = state
        self.dialog_host = ui.element("div").props('data-testid="dash-dialogs"')
        self.bulk = BulkRestartReport(self.dialog_host, self.name_of)
        self.banner = PatchedSection(ui.element("div").classes("w-full"))
        self.stats = PatchedSection(ui.row().classes("w-full gap-3"))
        self.filter = PatchedSection(ui.element("div"))
        self.hint = PatchedSection(ui.element("div"))
        self.grid = PatchedSection(ui.element("div").classes("is-card-grid w-full"))
        self.numbers: dict[str, ui.label] = {}
        self.toggle: ui.toggle | None = None
        self.slots: dict[str, GroupSlot] = {}
        self.live = CoalescedReload(self.refresh, min_interval=LIVE_PAGE_INTERVAL_SECONDS)
        self.needs_clients = False
        self.needs_schedule = False
        self.schedule_loaded = time.monotonic()
        self.ages_shown = time.monotonic()
        self.filter_labels: dict[str, str] = {}

    def name_of(self, uuid: str) -> str:
        client = self.state.clients.get(uuid)
        return client_name(client) if client else uuid

    # --- live -------------------------------------------------------------------------------------
    def on_client(self, data: dict[str, Any]) -> None:
        client = data["clientUpdated"]
        if client.get("groupId") is not None and not self.state.knows_group(client.get("groupId")):
            self.needs_clients = True  # a new group appeared: fetch its name with the rest
        self.state.apply_update(client)
        self.live.schedule()

    def on_schedule(self, _: dict[str, Any]) -> None:
        self.needs_schedule = True
        self.live.schedule()

    def resync(self) -> None:
        """The subscriptions are registered: re-read what changed between the page's first read and now."""
        self.needs_clients = self.needs_schedule = True
        self.live.schedule()

    def start_tick(self) -> None:
        self.live.tick(TICK_SECONDS)

    async def refresh(self) -> None:
        """The coalesced update: fetch what is stale, then patch."""
        if self.needs_clients:
            self.needs_clients = False
            self.needs_schedule = False
            await self.state.load()
            self.schedule_loaded = time.monotonic()
        elif self.needs_schedule or time.monotonic() - self.schedule_loaded >= SCHEDULE_RELOAD_SECONDS:
            self.needs_schedule = False
            self.schedule_loaded = time.monotonic()
            await self.state.load_schedule()
        self.show()

    async def reload(self, button: ui.button) -> None:
        button.props("loading")  # the click is answered at once; the toast follows the fresh data
        try:
            loaded = await run_action(self.state.load)
        finally:
            button.props(remove="loading")
        if loaded:
            self.live.mark_loaded()
            self.schedule_loaded = time.monotonic()
            self.show()
            notify_ok(t("common.refreshed"))

    # --- showing ----------------------------------------------------------------------------------
    def show(self) -> None:
        state = self.state
        self.banner.show(banner_key(state), lambda: build_banner(state, self.ctx))
        counts = state.counts()
        self.stats.show(None, self._stats)
        for key, number in self.numbers.items():
            number.text = str(counts[key])
        self.filter.show(None, self._filter)
        labels = self._filter_labels(counts)
        if self.toggle is not None and labels != self.filter_labels:
            self.filter_labels = labels
            self.toggle.set_options(labels, value=state.filter)
        first_run = not state.clients and all(g["id"] is None for g in state.groups)
        self.hint.show(
            first_run, lambda: ui.label(t("first_run.create_group")).classes("is-muted") if first_run else None
        )
        groups = state.ordered_groups()
        self.grid.show(tuple(str(g["id"]) for g in groups), lambda: self._grid(groups))
        ages = time.monotonic() - self.ages_shown >= AGES_SECONDS - 0.05
        if ages:
            self.ages_shown = time.monotonic()
        for group in groups:
            self.slots[str(group["id"])].patch(state, self.ctx, group, ages=ages)

    def _stats(self) -> None:
        counts = self.state.counts()
        self.numbers = {"all": _stat(t("dash.total"), counts["all"], "primary", "total")}
        for status in HEALTH_ORDER:
            key = status.lower()
            self.numbers[key] = _stat(health_label(status), counts[key], health_color(status), key)

    def _filter_labels(self, counts: dict[str, int]) -> dict[str, str]:
        return {"all": f"{t('common.all')} ({counts['all']})"} | {
            status.lower(): f"{health_label(status)} ({counts[status.lower()]})" for status in HEALTH_ORDER
        }

    def _filter(self) -> None:
        labels = self.filter_labels = self._filter_labels(self.state.counts())
        self.toggle = ui.toggle(labels, value=self.state.filter, on_change=lambda e: self.set_filter(e.value)).props(
            f'no-caps data-testid="dashboard-filter" aria-label="{t("dash.filter")}"'
        )

    def set_filter(self, value: str | None) -> None:
        if value is None or value == self.state.filter:
            return
        self.state.filter = value if value in FILTERS else "all"
        self.show()

    def _grid(self, groups: list[dict[str, Any]]) -> None:
        self.slots = {str(g["id"]): GroupSlot(self.ask_bulk_restart) for g in groups}

    def ask_bulk_restart(self, group: dict[str, Any], count: int) -> None:
        with self.dialog_host:
            confirm_with_reason(
                t("dash.restart_offline_text", count=count, group=group["name"]),
                lambda reason: self.bulk.run(group, reason),
                confirm_label=t("client.restart"),
            )


@protected_page("/", nav="nav.dashboard")
async def dashboard_page(ctx: PageContext) -> None:
    state = DashboardState()
    await state.load()
    with ui.row().classes("w-full items-center"):
        page_heading(t("nav.dashboard"))
        ui.space()
        refresh = ui.button(t("common.refresh"), icon="refresh").props('flat data-testid="refresh"')
    view = DashboardView(ctx, state)
    refresh.on_click(lambda: view.reload(refresh))
    view.show()
    view.live.mark_loaded()
    gql.follow(f"subscription {{ clientUpdated {{ {CLIENT_FIELDS} }} }}", None, view.on_client, on_live=view.resync)
    gql.follow("subscription { eventsChanged { change } }", None, view.on_schedule, on_live=view.resync)
    view.start_tick()
