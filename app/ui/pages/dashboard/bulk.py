"""Restarting a group's offline displays: one tracked reboot each, reported display by display.

After `restartOfflineClients` the report dialog lists every display with its own outcome (refused with the
server's reason, or its command followed live through `commandUpdated` to completed / failed / timed out /
expired), instead of one "n of m sent" toast. The unsettled commands are re-read once the subscription is
registered and then every few seconds while the report is open, so an update that happened before the
registration (or during a resubscription) cannot leave a row spinning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from nicegui import ui

from app.ui import gql
from app.ui.i18n import t
from app.ui.layout import run_action
from app.ui.live_reload import PatchedSection
from app.ui.widgets import COMMAND_FIELDS, command_badge, read_command

RESYNC_SECONDS = 5
log = logging.getLogger(__name__)
SETTLED = {"completed", "failed", "expired", "timed_out", "canceled", "blocked_safety", "manual_intervention_required"}


class BulkRestartReport:
    def __init__(self, dialog_host: ui.element, name_of: Callable[[str], str]) -> None:
        self.dialog_host = dialog_host
        self.name_of = name_of
        self.results: list[dict[str, Any]] = []
        self.section: PatchedSection | None = None
        self.following = False

    async def run(self, group: dict[str, Any], reason: str) -> None:
        async def issue() -> dict[str, Any]:
            data = await gql.gql(
                "mutation($g: Int!, $r: String!) { restartOfflineClients(groupId: $g, reason: $r) { __typename "
                f"... on BulkCommandIssue {{ issued failed results {{ clientUuid success message "
                f"command {{ {COMMAND_FIELDS} }} }} }} "
                "... on Error { message code } } }",
                {"g": group["id"], "r": reason or t("dash.restart_offline")},
            )
            return gql.ok(data["restartOfflineClients"])

        result = await run_action(issue)
        if not isinstance(result, dict):
            return
        self.results = sorted(result["results"], key=lambda r: self.name_of(r["clientUuid"]).lower())
        self._follow()
        self._open(group, result)

    def _follow(self) -> None:
        if self.following:
            return
        self.following = True
        gql.follow(
            f"subscription {{ commandUpdated {{ {COMMAND_FIELDS} }} }}", None, self.on_command, on_live=self.resync
        )

    def on_command(self, data: dict[str, Any]) -> None:
        self._apply(data.get("commandUpdated") or {})

    def _apply(self, command: dict[str, Any]) -> None:
        for result in self.results:
            if (result.get("command") or {}).get("commandId") == command.get("commandId"):
                result["command"] = command
                self.render()

    def _unsettled(self) -> list[str]:
        commands = (result.get("command") or {} for result in self.results)
        return [c["commandId"] for c in commands if c.get("commandId") and c.get("status") not in SETTLED]

    async def resync(self) -> None:
        """Re-read the commands still under way: the truth even if an update was missed."""
        for command_id in self._unsettled():
            try:
                command = await read_command(command_id)
            except gql.GqlError as exc:  # e.g. the database is away: the next tick tries again, without a toast
                log.info("event=ui_bulk_resync_failed message=%s", exc.message)
                return
            if command:
                self._apply(command)

    def _open(self, group: dict[str, Any], result: dict[str, Any]) -> None:
        with self.dialog_host, ui.dialog() as dialog, ui.card().classes("w-[36rem] max-w-full gap-2"):
            dialog.props('data-testid="bulk-report"')
            ui.label(t("dash.bulk_title", group=group["name"])).classes("text-lg font-medium")
            total = result["issued"] + result["failed"]
            ui.label(t("dash.restart_sent", ok=result["issued"], total=total)).props('data-testid="bulk-summary"')
            self.section = PatchedSection(ui.column().classes("w-full gap-1"))
            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.close"), on_click=dialog.close).props('flat data-testid="bulk-close"')
            ui.timer(RESYNC_SECONDS, self.resync)
        dialog.on("hide", dialog.delete)
        self.render()
        dialog.open()

    def render(self) -> None:
        if self.section is None or self.section.container.is_deleted:
            return
        key = tuple(
            (r["clientUuid"], r["success"], r["message"], (r.get("command") or {}).get("status")) for r in self.results
        )
        self.section.show(key, self._rows)

    def _rows(self) -> None:
        for result in self.results:
            command = result.get("command") or {}
            status = str(command.get("status") or ("refused" if not result["success"] else ""))
            with (
                ui.row()
                .classes("w-full items-center gap-2 text-sm no-wrap")
                .props(f'data-testid="bulk-row-{result["clientUuid"]}" data-status="{status}"')
            ):
                ui.label(self.name_of(result["clientUuid"])).classes("font-medium w-48 ellipsis")
                if command:
                    command_badge(command)
                    if status not in SETTLED:
                        ui.spinner(size="1.2em")
                else:
                    ui.badge(t("dash.bulk_refused"), color="red-8")
                if not result["success"] and result.get("message"):
                    ui.label(str(result["message"])).classes("text-xs ellipsis")
