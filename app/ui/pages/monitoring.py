"""Monitoring (superadmin): fleet health, crashed displays with restart, failed services with "Quittieren",
per-client screenshots and logs.

The display cards come one page at a time (48, `app/ui/fleet_paging.py`) and can be narrowed to a status;
the server filters and pages, so a fleet of thousands costs one page of cards and screenshots. The summary
always counts the whole fleet. The page reloads its overview when a display or log changes
(`clientUpdated`, `clientLogAdded`), at most once every few seconds, keeping the chosen filter and page.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from nicegui import ui

from app.domain.clock import utcnow
from app.domain.enums import Role
from app.ui import gql
from app.ui.fleet_paging import PAGE_SIZE, FleetSlice, page_count
from app.ui.format import fmt_age, fmt_datetime, fmt_datetime_seconds
from app.ui.i18n import t
from app.ui.layout import PageContext, page_heading, protected_page, run_action
from app.ui.widgets import (
    CLIENT_FIELDS,
    client_name,
    health_color,
    health_label,
    health_reasons,
    issue_command,
)

HOURS = {1: "1 h", 6: "6 h", 24: "24 h", 72: "3 d", 168: "7 d"}
RELOAD_DEBOUNCE_SECONDS = 3.0
PANEL_PREVIEW = 8
# Filter key -> label key, in the order of the filter row; the metric cards select the single-status ones.
FILTER_LABELS = {
    "all": "common.all",
    "problems": "mon.filter_problems",
    "critical": "mon.filter_critical",
    "warning": "mon.filter_warning",
    "offline": "mon.filter_offline",
    "healthy": "mon.filter_healthy",
}
# Reloads after which the page still lies past the (shrinking) fleet's end are not retried forever.
MAX_FIT_ATTEMPTS = 3
LEVEL_COLORS = {"ERROR": "negative", "WARN": "warning", "INFO": "primary", "DEBUG": "grey-7"}
LOG_FIELDS = "id clientUuid timestamp level message context"

OVERVIEW = f"""
query($h: Int, $s: [ClientHealth!], $l: Int, $o: Int!) {{
  monitoringOverview(hours: $h, status: $s, limit: $l, offset: $o) {{
    generatedAt windowHours matchingClients
    summary {{ totalClients healthy warning critical offline activePriorityScreenshots errorLogs warnLogs }}
    clients {{
      uuid description hostname ip groupName isAlive lastAlive status health {{ status reasons }} processStatus
      currentProcess processPid
      screenHealthStatus lastScreenshotAnalyzed latestScreenshotUrl latestScreenshotType priorityScreenshotType
      priorityScreenshotReceivedAt hasActivePriorityScreenshot mqttReconnectCount mqttLastDisconnectAt
      logCounts {{ error warn }}
      latestError {{ {LOG_FIELDS} }}
    }}
  }}
  crashedClients {{ crashReason client {{ {CLIENT_FIELDS} group {{ name }} }} }}
  serviceFailedClients {{ {CLIENT_FIELDS} group {{ name }} }}
}}
"""


def _metric(
    label: str,
    value: object,
    color: str,
    testid: str,
    hint: str = "",
    *,
    on_click: Callable[[], Any] | None = None,
    selected: bool = False,
) -> None:
    card = ui.card().classes("is-stat items-center p-3").props(f'data-testid="mon-metric-{testid}"')
    if on_click is not None:
        # A metric card is also the shortcut to its status filter.
        card.classes("cursor-pointer").props(f'role=button tabindex=0 aria-pressed="{str(selected).lower()}"')
        card.on("click", on_click)
        card.on("keydown.enter", on_click)
        if selected:
            card.classes(f"ring-2 ring-offset-1 ring-{_ring_color(color)}")
    with card:
        ui.label(str(value)).classes(f"text-3xl font-bold text-{color}").props(f'data-testid="mon-{testid}"')
        ui.label(label).classes("is-muted text-sm text-center")
        if hint:
            ui.label(hint).classes("is-muted text-xs")


def _ring_color(color: str) -> str:
    """Tailwind ring colour for a Quasar colour name (Tailwind does not know "positive" etc.)."""
    return {"positive": "green-700", "warning": "amber-500", "negative": "red-700", "primary": "sky-800"}.get(
        color, "gray-500"
    )


def _client_label(client: dict[str, Any]) -> None:
    with ui.column().classes("gap-0 min-w-0"):
        ui.label(client_name(client)).classes("font-medium ellipsis")
        ui.label(client.get("ip") or "–").classes("is-muted text-xs")


class MonitoringView:
    def __init__(self) -> None:
        self.hours = 24
        self.slice = FleetSlice()
        self.data: dict[str, Any] = {}
        self.pending = False
        self.last_load = 0.0
        # Bumped by every load: a slow answer for an older filter/page must not overwrite a newer one.
        self.generation = 0
        # Panels the admin expanded past their first PANEL_PREVIEW rows.
        self.expanded: set[str] = set()

    async def load(self) -> None:
        self.generation += 1
        generation = self.generation
        for attempt in range(MAX_FIT_ATTEMPTS):
            data = await gql.gql(
                OVERVIEW,
                {"h": self.hours, "s": self.slice.statuses, "l": PAGE_SIZE, "o": self.slice.offset},
            )
            if generation != self.generation:
                return
            # Fewer matching displays than before (a reload, a fixed display): show the last page that exists.
            matching = data["monitoringOverview"]["matchingClients"]
            if attempt == MAX_FIT_ATTEMPTS - 1 or not self.slice.fit(matching):
                break
        self.data = data
        self.last_load = time.monotonic()
        self.render.refresh()

    async def select_filter(self, status_filter: str) -> None:
        if status_filter == self.slice.status_filter and self.slice.page == 1:
            return
        self.slice.select(status_filter)
        await run_action(self.load)

    async def go_to_page(self, page: int | None) -> None:
        if page is None or page == self.slice.page:
            return
        self.slice.page = max(1, int(page))
        if await run_action(self.load):
            # The pagination sits below the grid: bring the new page's first cards into view.
            ui.run_javascript(
                'document.querySelector(\'[data-testid="mon-filter"]\')?.scrollIntoView({block: "start"})'
            )

    async def set_hours(self, hours: int) -> None:
        self.hours = int(hours)
        self.slice.page = 1
        await run_action(self.load)

    def schedule_reload(self, _: dict[str, Any] | None = None) -> None:
        """Reload after a change, but at most once per debounce window (a busy fleet sends many updates)."""
        if self.pending:
            return
        self.pending = True
        delay = max(0.2, RELOAD_DEBOUNCE_SECONDS - (time.monotonic() - self.last_load))

        async def later() -> None:
            await asyncio.sleep(delay)
            self.pending = False
            await run_action(self.load)

        ui.timer(0.01, later, once=True)

    # --- panels ------------------------------------------------------------------------------------
    def crashed_panel(self) -> None:
        crashed = self.data.get("crashedClients") or []
        if not crashed:
            return
        with ui.card().classes("w-full border-l-4 border-red-700 gap-2").props('data-testid="crashed-panel"'):
            with ui.row().classes("items-center gap-2"):
                ui.icon("error", color="negative")
                ui.label(t("mon.crashed")).classes("text-lg font-medium text-red-9")
                ui.badge(str(len(crashed)), color="negative")
            for item in self._preview("crashed", crashed):
                client = item["client"]
                with ui.row().classes("w-full items-center gap-3 no-wrap max-md:flex-wrap"):
                    with ui.element("div").classes("w-56"):
                        _client_label(client)
                    ui.label((client.get("group") or {}).get("name") or t("dash.unassigned")).classes("w-40")
                    reason = (
                        t("mon.process_crashed")
                        if item["crashReason"] == "PROCESS_CRASHED"
                        else t("mon.heartbeat_stale")
                    )
                    ui.badge(reason, color="negative" if item["crashReason"] == "PROCESS_CRASHED" else "accent")
                    ui.label(client.get("processStatus") or "–").classes("w-24 text-sm")
                    ui.label(fmt_age(client.get("lastAlive"))).classes("w-28 text-sm is-muted")
                    ui.space()
                    self._restart_button(client["uuid"], reason)
            self._more_toggle("crashed", len(crashed))

    def _preview(self, panel: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A large outage would push the display cards off screen: the first rows unless expanded."""
        return rows if panel in self.expanded else rows[:PANEL_PREVIEW]

    def _more_toggle(self, panel: str, total: int) -> None:
        if total <= PANEL_PREVIEW:
            return
        expanded = panel in self.expanded
        label = t("mon.show_fewer") if expanded else t("mon.show_all_rows", n=total)

        def toggle() -> None:
            self.expanded.symmetric_difference_update({panel})
            self.render.refresh()

        ui.button(label, icon="expand_less" if expanded else "expand_more", on_click=toggle).props(
            f'flat dense size=sm data-testid="{panel}-more"'
        )

    def _restart_button(self, uuid: str, reason: str) -> None:
        button = ui.button(t("client.restart"), icon="restart_alt").props(
            f'outline color=negative size=sm data-testid="crash-restart-{uuid}"'
        )

        async def restart() -> None:
            button.disable()
            button.text = t("mon.sending")
            try:
                result = await issue_command(uuid, "reboot_host", reason)
            except gql.GqlError as exc:
                result = {"success": False, "message": exc.message}
            if result.get("success"):
                button.text = t("mon.restart_sent")
                await asyncio.sleep(8)
                await run_action(self.load)
            else:
                button.text = t("mon.failed")
                button.tooltip(str(result.get("message") or ""))
                button.enable()

        button.on_click(restart)

    def service_failed_panel(self) -> None:
        failed = self.data.get("serviceFailedClients") or []
        if not failed:
            return
        with ui.card().classes("w-full border-l-4 border-orange-600 gap-2").props('data-testid="service-failed-panel"'):
            with ui.row().classes("items-center gap-2"):
                ui.icon("report", color="orange-8")
                ui.label(t("mon.service_failed")).classes("text-lg font-medium text-orange-9")
                ui.badge(str(len(failed)), color="accent")
            ui.label(t("mon.service_failed_hint")).classes("text-sm is-muted")
            for client in self._preview("service-failed", failed):
                with ui.row().classes("w-full items-center gap-3 no-wrap max-md:flex-wrap"):
                    with ui.element("div").classes("w-56"):
                        _client_label(client)
                    ui.label((client.get("group") or {}).get("name") or t("dash.unassigned")).classes("w-40")
                    ui.label(client.get("serviceFailedUnit") or "–").classes("w-56 text-sm break-all")
                    ui.label(fmt_datetime(client.get("serviceFailedAt"))).classes("w-36 text-sm")
                    ui.label(fmt_age(client.get("lastAlive"))).classes("w-28 text-sm is-muted")
                    ui.space()
                    self._acknowledge_button(client["uuid"])
            self._more_toggle("service-failed", len(failed))

    def _acknowledge_button(self, uuid: str) -> None:
        button = ui.button(t("mon.acknowledge"), icon="task_alt").props(
            f'outline color=orange-9 size=sm data-testid="acknowledge-{uuid}"'
        )

        async def acknowledge() -> None:
            button.disable()
            button.text = t("mon.acknowledging")
            try:
                data = await gql.gql(
                    "mutation($u: String!) { clearServiceFailed(uuid: $u) { __typename "
                    "... on Client { uuid } ... on Error { message code } } }",
                    {"u": uuid},
                )
                gql.ok(data["clearServiceFailed"])
            except gql.GqlError as exc:
                button.text = t("mon.failed")
                button.tooltip(exc.message)
                button.enable()
                return
            button.text = t("mon.acknowledged")
            await asyncio.sleep(4)
            await run_action(self.load)

        button.on_click(acknowledge)

    # --- clients -----------------------------------------------------------------------------------
    def client_card(self, client: dict[str, Any]) -> None:
        status = client["status"]
        with ui.card().classes("gap-2").props(f'data-testid="mon-client-{client["uuid"]}"'):
            with ui.row().classes("w-full items-center no-wrap"):
                ui.label(client_name(client)).classes("font-medium ellipsis")
                ui.space()
                badge = ui.badge(health_label(status), color=health_color(status)).props(f'data-health="{status}"')
                reasons = health_reasons(client, status)
                if reasons:
                    badge.tooltip(reasons)
            ui.label(f"{client.get('groupName') or t('dash.unassigned')} · {client.get('ip') or '–'}").classes(
                "is-muted text-xs"
            )
            stamp = client.get("priorityScreenshotReceivedAt") or client.get("lastScreenshotAnalyzed") or ""
            src = f"{client['latestScreenshotUrl']}?v={stamp or int(self.last_load)}"
            if client.get("hasActivePriorityScreenshot"):
                src = f"/screenshots/{client['uuid']}/priority?v={stamp}"
            image = ui.image(src).classes("w-full rounded bg-grey-3").props("ratio=1.7778 no-spinner fit=contain")
            image.props["alt"] = t("a11y.screenshot", name=client_name(client))
            with ui.row().classes("gap-1"):
                if client.get("latestScreenshotType"):
                    ui.badge(client["latestScreenshotType"].lower(), color="grey-7")
                if client.get("hasActivePriorityScreenshot"):
                    ui.badge(f"Priorität: {str(client.get('priorityScreenshotType') or '').lower()}", color="accent")
            facts = (
                (t("dash.last_alive"), fmt_age(client.get("lastAlive"))),
                (t("mon.process_status"), f"{client.get('processStatus') or '–'} {client.get('currentProcess') or ''}"),
                (t("mon.screen_status"), client.get("screenHealthStatus") or "UNKNOWN"),
                (t("mon.reconnects"), str(client.get("mqttReconnectCount") or 0)),
            )
            for label, value in facts:
                with ui.row().classes("w-full no-wrap text-sm gap-2"):
                    ui.label(label).classes("is-muted w-32 shrink-0")
                    ui.label(value).classes("ellipsis")
            if client.get("mqttLastDisconnectAt"):
                with ui.row().classes("w-full no-wrap text-sm gap-2"):
                    ui.label(t("mon.last_disconnect")).classes("is-muted w-32 shrink-0")
                    ui.label(fmt_datetime(client["mqttLastDisconnectAt"]))
            counts = client["logCounts"]
            with ui.row().classes("w-full items-center gap-2"):
                ui.badge(f"ERROR {counts['error']}", color="negative" if counts["error"] else "grey-8")
                ui.badge(f"WARN {counts['warn']}", color="warning" if counts["warn"] else "grey-8")
                ui.space()
                ui.button(t("mon.logs"), icon="list", on_click=lambda c=client: self.open_logs(c)).props(
                    f'flat dense size=sm data-testid="logs-{client["uuid"]}"'
                )
            if client.get("latestError"):
                ui.label(client["latestError"]["message"]).classes("text-xs text-negative ellipsis-2-lines")

    def open_logs(self, client: dict[str, Any]) -> None:
        with ui.dialog() as dialog, ui.card().classes("w-[56rem] max-w-full gap-2"):
            with ui.row().classes("w-full items-center"):
                ui.label(f"{t('mon.logs')}: {client_name(client)}").classes("text-lg font-medium")
                ui.space()
                level = ui.select(
                    {"": t("common.all"), "ERROR": "ERROR", "WARN": "WARN", "INFO": "INFO", "DEBUG": "DEBUG"},
                    value="",
                    label=t("mon.level"),
                ).classes("w-32")
                hours = ui.select(HOURS, value=self.hours, label=t("mon.hours")).classes("w-32")
                close = ui.button(icon="close", on_click=dialog.close).props("flat round dense")
                close.props["aria-label"] = t("common.close")
            columns = [
                {"name": "time", "label": t("mon.time"), "field": "time", "align": "left"},
                {"name": "level", "label": t("mon.level"), "field": "level", "align": "left"},
                {"name": "message", "label": t("mon.message"), "field": "message", "align": "left"},
            ]
            table = ui.table(columns=columns, rows=[], row_key="id", pagination=15).classes("w-full")
            table.props(f'flat dense wrap-cells no-data-label="{t("common.empty")}"')
            table.add_slot(
                "body-cell-level",
                r"""<q-td :props="props"><q-badge :color="props.row.color" :label="props.value" /></q-td>""",
            )
            table.on("rowClick", lambda e: self.open_log_detail(e.args[1] if isinstance(e.args, list) else {}))

            async def load_logs() -> None:
                since = (utcnow() - timedelta(hours=int(hours.value or 24))).isoformat()
                data = await gql.gql(
                    f"query($u: String!, $l: LogLevel, $s: DateTime) {{ clientLogs(uuid: $u, level: $l, since: $s, "
                    f"limit: 500) {{ {LOG_FIELDS} }} }}",
                    {"u": client["uuid"], "l": level.value or None, "s": since},
                )
                table.rows = [
                    {
                        **log,
                        "time": fmt_datetime_seconds(log["timestamp"]),
                        "color": LEVEL_COLORS.get(log["level"], "grey-7"),
                        "contextText": "" if log.get("context") is None else str(log["context"]),
                    }
                    for log in data["clientLogs"]
                ]
                table.update()

            level.on_value_change(lambda _: run_action(load_logs))
            hours.on_value_change(lambda _: run_action(load_logs))
        dialog.on("hide", dialog.delete)
        dialog.open()
        ui.timer(0.01, lambda: run_action(load_logs), once=True)

    def open_log_detail(self, log: dict[str, Any]) -> None:
        if not log:
            return
        with ui.dialog() as dialog, ui.card().classes("w-[40rem] max-w-full"):
            ui.label(f"{log.get('level')} · {log.get('time')}").classes("font-medium")
            ui.label(str(log.get("message", ""))).classes("break-all")
            if log.get("contextText"):
                ui.code(log["contextText"]).classes("w-full")
            ui.button(t("common.close"), on_click=dialog.close).props("flat")
        dialog.on("hide", dialog.delete)
        dialog.open()

    @ui.refreshable_method
    def render(self) -> None:
        overview = self.data.get("monitoringOverview")
        if not overview:
            return
        summary = overview["summary"]
        chosen = self.slice.status_filter
        with ui.row().classes("w-full gap-3"):
            for key, label, value, color, testid in (
                ("all", t("mon.clients"), summary["totalClients"], "primary", "total"),
                ("healthy", health_label("HEALTHY"), summary["healthy"], health_color("HEALTHY"), "healthy"),
                ("warning", health_label("WARNING"), summary["warning"], health_color("WARNING"), "warning"),
                ("critical", health_label("CRITICAL"), summary["critical"], health_color("CRITICAL"), "critical"),
                ("offline", health_label("OFFLINE"), summary["offline"], health_color("OFFLINE"), "offline"),
            ):
                _metric(
                    label,
                    value,
                    color,
                    testid,
                    on_click=lambda k=key: self.select_filter(k),
                    selected=chosen == key,
                )
            _metric(t("mon.error_logs"), summary["errorLogs"], "negative", "error-logs", t("mon.in_window"))
        self.crashed_panel()
        self.service_failed_panel()
        self.filter_row(summary)
        self.client_grid(overview["clients"], overview["matchingClients"])

    def filter_row(self, summary: dict[str, Any]) -> None:
        counts = {
            "all": summary["totalClients"],
            "problems": summary["critical"] + summary["warning"] + summary["offline"],
            "critical": summary["critical"],
            "warning": summary["warning"],
            "offline": summary["offline"],
            "healthy": summary["healthy"],
        }
        with ui.row().classes("w-full items-center gap-1 scroll-mt-20").props('data-testid="mon-filter" role=group'):
            ui.label(t("mon.filter")).classes("is-muted text-sm mr-1")
            for key, label_key in FILTER_LABELS.items():
                selected = key == self.slice.status_filter
                look = "unelevated" if selected else "outline"
                ui.button(f"{t(label_key)} ({counts[key]})", on_click=lambda k=key: self.select_filter(k)).props(
                    f'{look} no-caps dense color=primary data-testid="mon-filter-{key}" '
                    f'aria-pressed="{str(selected).lower()}"'
                ).classes("px-3")

    def client_grid(self, clients: list[dict[str, Any]], matching: int) -> None:
        first, last = self.slice.shown_range(len(clients))
        if not clients:
            empty = "mon.no_clients" if self.slice.status_filter == "all" else "mon.no_clients_with_status"
            with ui.row().classes("w-full items-center gap-2 p-4 is-muted"):
                ui.icon("filter_alt_off" if self.slice.status_filter != "all" else "devices_other")
                ui.label(t(empty)).props('data-testid="mon-empty"')
                if self.slice.status_filter != "all":
                    ui.button(t("mon.show_all"), on_click=lambda: self.select_filter("all")).props(
                        'flat dense no-caps color=primary data-testid="mon-show-all"'
                    )
            return
        ui.label(t("mon.range", first=first, last=last, total=matching)).classes("text-sm is-muted").props(
            'data-testid="mon-range"'
        )
        with ui.element("div").classes("is-card-grid w-full").props('data-testid="mon-grid"'):
            for client in clients:
                self.client_card(client)
        pages = page_count(matching)
        if pages > 1:
            with ui.row().classes("w-full items-center justify-center gap-3"):
                ui.pagination(
                    1, pages, direction_links=True, value=self.slice.page, on_change=lambda e: self.go_to_page(e.value)
                ).props('max-pages=9 boundary-numbers data-testid="mon-pagination"')
                ui.label(t("mon.range", first=first, last=last, total=matching)).classes("text-sm is-muted")


@protected_page("/monitoring", nav="nav.monitoring", min_role=Role.SUPERADMIN)
async def monitoring_page(ctx: PageContext) -> None:
    view = MonitoringView()

    with ui.row().classes("w-full items-center"):
        page_heading(t("mon.title"))
        ui.space()
        ui.select(HOURS, value=view.hours, label=t("mon.hours"), on_change=lambda e: view.set_hours(e.value)).classes(
            "w-40"
        ).props('data-testid="mon-hours"')
        ui.button(t("common.refresh"), icon="refresh", on_click=lambda: run_action(view.load)).props(
            'flat data-testid="mon-refresh"'
        )
    view.render()
    await view.load()
    gql.follow("subscription { clientUpdated { uuid } }", None, view.schedule_reload)
    gql.follow("subscription { clientLogAdded(level: ERROR) { id } }", None, view.schedule_reload)
