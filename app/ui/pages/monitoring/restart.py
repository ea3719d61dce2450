"""Restarting a display from Monitoring: confirm first, then follow the command to where it ends.

The confirmation says when a display is offline (the reboot can only run once it receives it); after
sending, the "Neustarts" list shows every restart issued on this page with its live status from
`commandUpdated` (polled as well while unsettled, so a lost notice does not freeze a row) until it is
completed, failed, expired or timed out. The reason sent is a code the audit trail can group by
(`process_crashed` / `heartbeat_stale`), never the badge's words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nicegui import ui

from app.ui import gql
from app.ui.actions import closed
from app.ui.format import fmt_age, fmt_time
from app.ui.i18n import t
from app.ui.live_reload import PatchedSection
from app.ui.widgets import client_name, command_badge, issue_command, read_command

# States after which nothing more is expected from the display (timed_out may still move on a late ACK,
# but the admin has their answer: the display did not do it in time).
SETTLED = {
    "completed",
    "failed",
    "expired",
    "timed_out",
    "canceled",
    "blocked_safety",
    "manual_intervention_required",
}
REASON_CODES = {"PROCESS_CRASHED": "process_crashed", "HEARTBEAT_STALE": "heartbeat_stale"}


@dataclass
class Restart:
    uuid: str
    name: str
    offline: bool
    command: dict[str, Any] | None = None
    error: str = ""

    @property
    def status(self) -> str:
        return str((self.command or {}).get("status") or "")

    @property
    def settled(self) -> bool:
        return self.command is None or self.status in SETTLED


class RestartTracker:
    """The restarts issued on this page, one row per display (its newest restart)."""

    def __init__(self, dialog_host: ui.element, on_change: Callable[[], None]) -> None:
        self.dialog_host = dialog_host
        self.on_change = on_change  # the panels show "läuft" on a display's button while its restart runs
        self.restarts: dict[str, Restart] = {}
        self.section = PatchedSection(ui.column().classes("w-full gap-0"))

    def running(self, uuid: str) -> bool:
        restart = self.restarts.get(uuid)
        return restart is not None and not restart.settled

    # --- asking ---------------------------------------------------------------------------------------
    def confirm(self, client: dict[str, Any], crash_reason: str, offline: bool) -> None:
        name = client_name(client)
        reason = REASON_CODES.get(crash_reason, "manual")
        with self.dialog_host, ui.dialog() as dialog, ui.card().classes("w-[28rem] max-w-full gap-3"):
            dialog.props('data-testid="restart-dialog"')
            ui.label(t("mon.restart_title", name=name)).classes("text-lg font-medium")
            ui.label(t("mon.restart_text")).classes("text-sm")
            if offline:
                with (
                    ui.row()
                    .classes("w-full no-wrap items-start gap-2 bg-orange-1 text-orange-10 rounded p-2")
                    .props('data-testid="restart-offline-warning" role=alert')
                ):
                    ui.icon("cloud_off").classes("mt-1")
                    ui.label(t("mon.restart_offline", age=fmt_age(client.get("lastAlive")))).classes("text-sm")
            ui.label(t("mon.restart_reason", reason=reason)).classes("is-muted text-xs")

            async def go() -> None:
                with closed(dialog):
                    await self.send(client, reason, offline)

            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.cancel"), on_click=dialog.close).props('flat data-testid="restart-cancel"')
                ui.button(
                    t("mon.restart_anyway") if offline else t("client.restart"), on_click=go, color="negative"
                ).props('data-testid="restart-confirm"')
        dialog.on("hide", dialog.delete)
        dialog.open()

    async def send(self, client: dict[str, Any], reason: str, offline: bool) -> None:
        restart = Restart(client["uuid"], client_name(client), offline)
        self.restarts[restart.uuid] = restart
        self._changed()
        try:
            result = await issue_command(restart.uuid, "reboot_host", reason)
        except gql.GqlError as exc:
            result = {"success": False, "message": exc.message, "command": None}
        restart.command = result.get("command")
        if not result.get("success"):
            restart.error = str(result.get("message") or t("mon.failed"))
        self._changed()

    # --- following ------------------------------------------------------------------------------------
    def on_command(self, data: dict[str, Any]) -> None:
        command = data.get("commandUpdated") or {}
        restart = self.restarts.get(str(command.get("clientUuid")))
        if restart and restart.command and restart.command.get("commandId") == command.get("commandId"):
            restart.command = command
            self._changed()

    async def poll(self) -> None:
        """Re-read the unsettled commands (the page's tick): the truth even if a notice was lost."""
        for restart in list(self.restarts.values()):
            if restart.settled or restart.command is None:
                continue
            command = await read_command(restart.command["commandId"])
            if command:
                restart.command = command
        self._changed()

    def _changed(self) -> None:
        self.render()
        self.on_change()

    # --- showing --------------------------------------------------------------------------------------
    def render(self) -> None:
        rows = sorted(self.restarts.values(), key=lambda r: r.name.lower())
        key = tuple((r.uuid, r.name, r.offline, r.status, r.error, (r.command or {}).get("errorCode")) for r in rows)
        self.section.show(key, lambda: self._build(rows))

    def _build(self, rows: list[Restart]) -> None:
        if not rows:
            return
        with ui.card().classes("w-full gap-1").props('data-testid="restart-panel"'):
            with ui.row().classes("items-center gap-2"):
                ui.icon("restart_alt", color="primary")
                ui.label(t("mon.restarts")).classes("text-lg font-medium")
                ui.space()
                ui.button(icon="clear_all", on_click=self.clear_settled).props(
                    f'flat round dense aria-label="{t("mon.restarts_clear")}" data-testid="restarts-clear"'
                ).tooltip(t("mon.restarts_clear"))
            for restart in rows:
                self._row(restart)

    def _row(self, restart: Restart) -> None:
        command = restart.command or {}
        with (
            ui.row()
            .classes("w-full items-center gap-3 text-sm max-md:flex-wrap")
            .props(f'data-testid="restart-row-{restart.uuid}" data-status="{restart.status or "error"}"')
        ):
            ui.label(restart.name).classes("font-medium w-56 ellipsis")
            if command:
                command_badge(command)
            elif restart.error:
                ui.badge(t("mon.failed"), color="red-8")
            else:
                ui.badge(t("mon.sending"), color="grey-8")
            if not restart.settled or (not command and not restart.error):
                ui.spinner(size="1.2em").props(f'aria-label="{t("mon.restart_running")}"')
            if restart.offline:
                ui.badge(t("mon.offline_when_sent"), color="grey-8").props('outline data-testid="restart-offline"')
            if command.get("issuedAt"):
                ui.label(fmt_time(command["issuedAt"])).classes("is-muted")
            detail = restart.error or _outcome(command)
            if detail:
                ui.label(detail).classes("text-xs").props(f'data-testid="restart-detail-{restart.uuid}"')

    def clear_settled(self) -> None:
        self.restarts = {u: r for u, r in self.restarts.items() if not r.settled}
        self._changed()


def _outcome(command: dict[str, Any]) -> str:
    """What the admin should know about a settled (or stuck) command, in words."""
    status = command.get("status")
    code = command.get("errorCode") or ""
    if status == "completed":
        return t("mon.restart_done")
    if status == "timed_out":
        return t("mon.restart_timed_out", code=code)
    if status == "expired":
        return t("mon.restart_expired")
    if status in ("failed", "blocked_safety", "manual_intervention_required"):
        return str(command.get("errorMessage") or code or "")
    return ""
