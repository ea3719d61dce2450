"""The Dashboard's group cards, keyed by what they show so a live update rebuilds only the changed card.

The displays' ages ("vor 12 s") are left out of the key and patched in place on the page's ages clock
(`GroupSlot.patch(ages=True)`), so a heartbeat that changes nothing else sends nothing, later one text.
A collapsed card holds no display rows: they are built when the admin opens it (a fleet of 500 displays
costs 40 headers, not 500 rows, per filter click or changed card).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from app.domain.enums import Role
from app.ui.format import fmt_time
from app.ui.i18n import t
from app.ui.layout import PageContext
from app.ui.live_reload import PatchedSection
from app.ui.pages.dashboard.state import DashboardState
from app.ui.widgets import client_name, health_badge, health_label, health_reasons, last_alive_label

EVENT_ICONS = {
    "PRESENTATION": "slideshow",
    "WEBSITE": "language",
    "VIDEO": "movie",
    "MESSAGE": "chat",
    "WEBUNTIS": "table_chart",
}


def _health_bar(healthy: int, total: int) -> None:
    ratio = healthy / total if total else 0.0
    color = "positive" if ratio >= 0.999 else "warning" if ratio >= 0.5 else "negative"
    if total == 0:
        color = "grey-5"
    ui.linear_progress(value=ratio, show_value=False, color=color, size="10px").classes("rounded").props(
        f'aria-label="{health_label("HEALTHY")}: {healthy}/{total}"'
    )


def group_key(state: DashboardState, group: dict[str, Any]) -> tuple[Any, ...]:
    clients = state.group_clients(group["id"])
    event = state.events.get(group["id"]) if group["id"] is not None else None
    return (
        group["name"],
        tuple(
            (c["uuid"], client_name(c), state.health(c), health_reasons(c, state.health(c)), state.alive(c))
            for c in clients
        ),
        (event["title"], event["eventType"], event["start"], event["end"]) if event else None,
    )


class GroupSlot:
    """One group card's place in the grid. The status filter does not rebuild it: it hides the card (no display
    of the group has that status) or the rows that do not match, and patches the count on the card."""

    def __init__(self, on_bulk_restart: Callable[[dict[str, Any], int], None]) -> None:
        self.on_bulk_restart = on_bulk_restart
        self.section = PatchedSection(ui.element("div").classes("contents"))
        self.ages: dict[str, ui.label] = {}
        self.card: ui.card | None = None
        self.expansion: ui.expansion | None = None
        self.rows: dict[str, ui.row] = {}
        self.no_rows: ui.label | None = None

    def patch(self, state: DashboardState, ctx: PageContext, group: dict[str, Any], *, ages: bool = True) -> None:
        rebuilt = self.section.show(group_key(state, group), lambda: self._build(state, ctx, group))
        self.apply_filter(state, group)
        if rebuilt or not ages:
            return
        for uuid, label in self.ages.items():
            client = state.clients.get(uuid)
            if client is not None:
                label.text = last_alive_label(client)

    def apply_filter(self, state: DashboardState, group: dict[str, Any]) -> None:
        """Show what the filter lets through; every setter below sends only a change."""
        if self.card is None or self.expansion is None:
            return
        shown = [c for c in state.group_clients(group["id"]) if state.visible(c)]
        self.card.visible = state.filter == "all" or bool(shown)
        text = f"{t('dash.clients')} ({len(shown)})"
        if self.expansion.text != text:
            self.expansion.text = text
        shown_ids = {c["uuid"] for c in shown}
        for uuid, row in self.rows.items():
            row.visible = uuid in shown_ids
        if self.no_rows is not None:
            self.no_rows.visible = not shown

    def _build(self, state: DashboardState, ctx: PageContext, group: dict[str, Any]) -> None:
        self.ages = {}
        self.rows = {}
        self.no_rows = None
        clients = state.group_clients(group["id"])
        healthy = sum(1 for c in clients if state.health(c) == "HEALTHY")
        # What restartOfflineClients targets: active displays without a recent heartbeat.
        offline = [c for c in clients if c.get("isActive", True) and not state.alive(c)]
        key = str(group["id"])
        testid = f"group-card-{group['id'] if group['id'] is not None else 'unassigned'}"
        with ui.card().classes("w-full gap-2").props(f'data-testid="{testid}"') as self.card:
            with ui.row().classes("w-full items-center no-wrap"):
                ui.label(group["name"]).classes("text-lg font-medium ellipsis")
                ui.space()
                ui.label(f"{healthy}/{len(clients)}").classes("is-muted").props(
                    f'data-testid="group-healthy-count" title="{health_label("HEALTHY")}"'
                )
            _health_bar(healthy, len(clients))
            event = state.events.get(group["id"]) if group["id"] is not None else None
            with ui.row().classes("items-center gap-1 text-sm").props('data-testid="group-event"'):
                if event:
                    ui.icon(EVENT_ICONS.get(event["eventType"], "event"), size="1.1rem", color="primary")
                    ui.label(f"{event['title']} · {fmt_time(event['start'])}–{fmt_time(event['end'])}")
                else:
                    ui.icon("event_busy", size="1.1rem").classes("is-muted")
                    ui.label(t("dash.no_event")).classes("is-muted")
            expansion = ui.expansion(f"{t('dash.clients')} ({len(clients)})", icon="tv", value=key in state.expanded)
            self.expansion = expansion.classes("w-full")
            with expansion:
                rows = ui.element("div").classes("w-full")
            expansion.on_value_change(lambda e, k=key: self._toggle(state, group, k, rows, e.value))
            if key in state.expanded:
                self._rows(state, rows, clients)
            if offline and group["id"] is not None and ctx.can(Role.ADMIN):
                ui.button(
                    f"{t('dash.restart_offline')} ({len(offline)})",
                    icon="restart_alt",
                    on_click=lambda g=group, n=len(offline): self.on_bulk_restart(g, n),
                ).props(f'outline color=negative size=sm data-testid="bulk-restart-{group["id"]}"')

    def _toggle(self, state: DashboardState, group: dict[str, Any], key: str, rows: ui.element, opened: bool) -> None:
        if not opened:
            state.expanded.discard(key)
            return
        state.expanded.add(key)
        if not rows.default_slot.children:  # first opening: the rows were left out while collapsed
            self._rows(state, rows, state.group_clients(group["id"]))
            self.apply_filter(state, group)

    def _rows(self, state: DashboardState, rows: ui.element, clients: list[dict[str, Any]]) -> None:
        """Every display of the group (the filter hides the others)."""
        with rows:
            self.no_rows = ui.label(t("dash.no_clients")).classes("is-muted text-sm")
            for client in clients:
                row = ui.row().classes("w-full items-center no-wrap gap-2")
                with row.props(f'data-testid="client-row-{client["uuid"]}"'):
                    health_badge(client, state.grace)
                    ui.label(client_name(client)).classes("ellipsis font-medium")
                    ui.space()
                    self.ages[client["uuid"]] = ui.label(last_alive_label(client)).classes("is-muted text-xs")
                self.rows[client["uuid"]] = row
