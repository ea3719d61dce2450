"""Dashboard: one card per room group with a health bar, its clients, the active event and bulk restart.

Every display shows its `health` as the server classified it (the same word and colour as on the group
board and Monitoring; `app.ui.widgets.HEALTH_STYLE`). Displays update live through `clientUpdated`;
liveness is re-evaluated locally every few seconds with the domain's rule, so a display that falls silent
turns offline without asking the server again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from nicegui import ui

from app.domain.clock import utcnow
from app.domain.enums import Role
from app.ui import gql
from app.ui.format import fmt_date, fmt_time
from app.ui.i18n import t
from app.ui.layout import (
    PageContext,
    notify_error,
    notify_ok,
    page_heading,
    protected_page,
    run_action,
)
from app.ui.widgets import (
    CLIENT_FIELDS,
    HEALTH_ORDER,
    alive_now,
    client_name,
    confirm_with_reason,
    display_health,
    health_badge,
    health_color,
    health_label,
    last_alive_label,
)

FILTERS = ("all", *(status.lower() for status in HEALTH_ORDER))
LOCAL_REFRESH_SECONDS = 10
EVENT_ICONS = {
    "PRESENTATION": "slideshow",
    "WEBSITE": "language",
    "VIDEO": "movie",
    "MESSAGE": "chat",
    "WEBUNTIS": "table_chart",
}


@dataclass
class DashboardState:
    grace: int = 180
    groups: list[dict[str, Any]] = field(default_factory=list)
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: dict[int, dict[str, Any]] = field(default_factory=dict)
    period: dict[str, Any] | None = None
    holiday: dict[str, Any] | None = None
    banner_loaded: bool = False
    filter: str = "all"
    expanded: set[str] = field(default_factory=set)

    async def load(self) -> None:
        data = await gql.gql(
            f"query {{ heartbeatGracePeriodSeconds groups {{ id name displayOrder clients {{ {CLIENT_FIELDS} }} }} }}"
        )
        self.grace = int(data["heartbeatGracePeriodSeconds"])
        self.groups = [
            # The API names the pseudo-group in German; the page names it in the reader's language.
            {
                "id": g["id"],
                "name": g["name"] if g["id"] is not None else t("dash.unassigned"),
                "displayOrder": g["displayOrder"],
            }
            for g in data["groups"]
        ]
        self.clients = {c["uuid"]: c for g in data["groups"] for c in g["clients"]}
        await self._load_events()
        await self._load_banner()

    async def _load_events(self) -> None:
        now = utcnow()
        try:
            data = await gql.gql(
                "query($s: DateTime!, $e: DateTime!) { eventOccurrences(start: $s, end: $e) "
                "{ eventId groupId title eventType start end } }",
                {"s": now.isoformat(), "e": (now + timedelta(seconds=1)).isoformat()},
            )
        except gql.GqlError:
            return  # events are optional decoration of the cards
        self.events = {}
        for occurrence in data["eventOccurrences"]:
            self.events.setdefault(occurrence["groupId"], occurrence)

    async def _load_banner(self) -> None:
        data = await gql.gql("query { activeAcademicPeriod { id name displayName startDate endDate } }")
        self.period = data.get("activeAcademicPeriod")
        self.banner_loaded = True
        self.holiday = None
        if self.period:
            holidays = await gql.gql(
                "query($p: Int) { holidays(academicPeriodId: $p) { id name region startDate endDate } }",
                {"p": self.period["id"]},
            )
            today = date.today().isoformat()
            for holiday in holidays.get("holidays") or []:
                if str(holiday.get("startDate", "")) <= today <= str(holiday.get("endDate", "")):
                    self.holiday = holiday
                    break

    def group_clients(self, group_id: int | None) -> list[dict[str, Any]]:
        clients = [c for c in self.clients.values() if c.get("groupId") == group_id]
        return sorted(clients, key=lambda c: client_name(c).lower())

    def ordered_groups(self) -> list[dict[str, Any]]:
        known = [g for g in self.groups if g["id"] is not None]
        unassigned = [g for g in self.groups if g["id"] is None] or [{"id": None, "name": t("dash.unassigned")}]
        return known + unassigned  # "Nicht zugeordnet" is always last

    def health(self, client: dict[str, Any]) -> str:
        return display_health(client, self.grace)

    def counts(self) -> dict[str, int]:
        """Displays per health status (lower case keys) and in total."""
        statuses = [self.health(c) for c in self.clients.values()]
        counts = {status.lower(): statuses.count(status) for status in HEALTH_ORDER}
        return {"all": len(statuses), **counts}

    def visible(self, client: dict[str, Any]) -> bool:
        return self.filter == "all" or self.health(client).lower() == self.filter

    def apply_update(self, client: dict[str, Any]) -> None:
        self.clients[client["uuid"]] = {**self.clients.get(client["uuid"], {}), **client}


def _stat(label: str, value: int, color: str, testid: str) -> None:
    with ui.card().classes("is-stat items-center p-3"):
        ui.label(str(value)).classes(f"text-3xl font-bold text-{color}").props(f'data-testid="stat-{testid}"')
        ui.label(label).classes("is-muted text-sm")


def _health_bar(healthy: int, total: int) -> None:
    ratio = healthy / total if total else 0.0
    color = "positive" if ratio >= 0.999 else "warning" if ratio >= 0.5 else "negative"
    if total == 0:
        color = "grey-5"
    bar = ui.linear_progress(value=ratio, show_value=False, color=color, size="10px").classes("rounded")
    bar.props["aria-label"] = t("a11y.healthy_share")


def _banner(state: DashboardState, ctx: PageContext) -> None:
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
            ui.label(t("dash.holiday_today", name=state.holiday.get("name", ""))).classes("text-primary")
        else:
            ui.label(t("dash.no_holiday_today")).classes("is-muted")
        if is_admin:
            ui.link(t("dash.to_settings"), "/settings?focus=holidays")


async def _bulk_restart(group: dict[str, Any], reason: str) -> None:
    async def run() -> dict[str, Any]:
        data = await gql.gql(
            "mutation($g: Int!, $r: String!) { restartOfflineClients(groupId: $g, reason: $r) { __typename "
            "... on BulkCommandIssue { issued failed results { clientUuid success message } } "
            "... on Error { message code } } }",
            {"g": group["id"], "r": reason or t("dash.restart_offline")},
        )
        return gql.ok(data["restartOfflineClients"])

    result = await run_action(run)
    if isinstance(result, dict):
        total = result["issued"] + result["failed"]
        text = t("dash.restart_sent", ok=result["issued"], total=total)
        failures = [r["message"] for r in result["results"] if not r["success"]]
        if failures:
            notify_error(text + ": " + "; ".join(sorted(set(failures))))
        else:
            notify_ok(text)


def _group_card(state: DashboardState, ctx: PageContext, group: dict[str, Any]) -> None:
    clients = state.group_clients(group["id"])
    healthy = sum(1 for c in clients if state.health(c) == "HEALTHY")
    # What restartOfflineClients targets: active displays without a recent heartbeat.
    offline = [c for c in clients if c.get("isActive", True) and not alive_now(c, state.grace)]
    shown = [c for c in clients if state.visible(c)]
    if state.filter != "all" and not shown:
        return
    key = str(group["id"])
    testid = f"group-card-{group['id'] if group['id'] is not None else 'unassigned'}"
    with ui.card().classes("w-full gap-2").props(f'data-testid="{testid}"'):
        with ui.row().classes("w-full items-center no-wrap"):
            ui.label(group["name"]).classes("text-lg font-medium ellipsis")
            ui.space()
            ui.label(f"{healthy}/{len(clients)}").classes("is-muted").props(
                f'data-testid="group-healthy-count" title="{health_label("HEALTHY")}"'
            )
        _health_bar(healthy, len(clients))
        event = state.events.get(group["id"]) if group["id"] is not None else None
        with ui.row().classes("items-center gap-1 text-sm"):
            if event:
                ui.icon(EVENT_ICONS.get(event["eventType"], "event"), size="1.1rem", color="primary")
                ui.label(f"{event['title']} · {fmt_time(event['start'])}–{fmt_time(event['end'])}")
            else:
                ui.icon("event_busy", size="1.1rem").classes("is-muted")
                ui.label(t("dash.no_event")).classes("is-muted")
        expansion = ui.expansion(f"{t('dash.clients')} ({len(shown)})", icon="tv", value=key in state.expanded).classes(
            "w-full"
        )
        expansion.on_value_change(lambda e, k=key: state.expanded.add(k) if e.value else state.expanded.discard(k))
        with expansion:
            if not shown:
                ui.label(t("dash.no_clients")).classes("is-muted text-sm")
            for client in shown:
                with (
                    ui.row()
                    .classes("w-full items-center no-wrap gap-2")
                    .props(f'data-testid="client-row-{client["uuid"]}"')
                ):
                    health_badge(client, state.grace)
                    ui.label(client_name(client)).classes("ellipsis font-medium")
                    ui.space()
                    ui.label(last_alive_label(client)).classes("is-muted text-xs")
        if offline and group["id"] is not None and ctx.can(Role.ADMIN):
            ui.button(
                f"{t('dash.restart_offline')} ({len(offline)})",
                icon="restart_alt",
                on_click=lambda g=group, n=len(offline): confirm_with_reason(
                    t("dash.restart_offline_text", count=n, group=g["name"]),
                    lambda reason: _bulk_restart(g, reason),
                    confirm_label=t("client.restart"),
                ),
            ).props("outline color=negative size=sm")


@protected_page("/", nav="nav.dashboard")
async def dashboard_page(ctx: PageContext) -> None:
    state = DashboardState()
    await state.load()

    @ui.refreshable
    def banner() -> None:
        _banner(state, ctx)

    @ui.refreshable
    def overview() -> None:
        counts = state.counts()
        with ui.row().classes("w-full gap-3"):
            _stat(t("dash.total"), counts["all"], "primary", "total")
            for status in HEALTH_ORDER:
                _stat(health_label(status), counts[status.lower()], health_color(status), status.lower())
        labels = {"all": f"{t('common.all')} ({counts['all']})"} | {
            status.lower(): f"{health_label(status)} ({counts[status.lower()]})" for status in HEALTH_ORDER
        }
        ui.toggle(labels, value=state.filter, on_change=lambda e: set_filter(e.value)).props(
            'no-caps data-testid="dashboard-filter"'
        )
        if not state.clients and all(g["id"] is None for g in state.groups):
            ui.label(t("first_run.create_group")).classes("is-muted")
        with ui.element("div").classes("is-card-grid w-full"):
            for group in state.ordered_groups():
                _group_card(state, ctx, group)

    def set_filter(value: str) -> None:
        state.filter = value if value in FILTERS else "all"
        overview.refresh()

    async def reload(notify: bool = True) -> None:
        async def load() -> None:
            await state.load()

        if await run_action(load):
            banner.refresh()
            overview.refresh()
            if notify:
                notify_ok(t("common.refreshed"))

    with ui.row().classes("w-full items-center"):
        page_heading(t("nav.dashboard"))
        ui.space()
        ui.button(t("common.refresh"), icon="refresh", on_click=reload).props('flat data-testid="refresh"')
    banner()
    overview()

    def on_client(data: dict[str, Any]) -> None:
        client = data["clientUpdated"]
        known_group = any(g["id"] == client.get("groupId") for g in state.groups)
        state.apply_update(client)
        if not known_group:
            ui.timer(0.1, lambda: reload(notify=False), once=True)  # a new group appeared: fetch names
        else:
            overview.refresh()

    gql.follow(f"subscription {{ clientUpdated {{ {CLIENT_FIELDS} }} }}", None, on_client)
    # Local only: re-evaluates liveness and ages; no request to the server.
    ui.timer(LOCAL_REFRESH_SECONDS, overview.refresh)
