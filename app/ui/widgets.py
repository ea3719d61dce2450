"""Pieces several pages share: client status badges, the command dialog and a live command tracker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from app.domain.clients.status import is_client_alive
from app.domain.clock import utcnow
from app.ui import gql
from app.ui.format import fmt_age, fmt_datetime, parse_dt
from app.ui.i18n import current_language, t
from app.ui.layout import notify_error, notify_ok, run_action

CLIENT_FIELDS = (
    "uuid description hostname ip groupId isAlive lastAlive isActive processStatus currentProcess "
    "screenHealthStatus serviceFailedAt serviceFailedUnit health { status reasons }"
)
COMMAND_FIELDS = (
    "commandId clientUuid action status isTerminal reason requestedBy issuedAt expiresAt publishedAt ackedAt "
    "executionStartedAt completedAt failedAt errorCode errorMessage"
)

# status → (German, English, colour). Badge colours carry white text: each at least 4.5:1 (WCAG AA).
COMMAND_STATUS: dict[str, tuple[str, str, str]] = {
    "queued": ("In Warteschlange", "Queued", "grey-7"),
    "publish_in_progress": ("Wird gesendet", "Publishing", "blue-8"),
    "published": ("Gesendet", "Published", "blue-9"),
    "ack_received": ("Bestätigt", "Acknowledged", "indigo-7"),
    "execution_started": ("Wird ausgeführt", "Executing", "warning"),
    "awaiting_reconnect": ("Warte auf Neuverbindung", "Awaiting reconnect", "brown-7"),
    "recovered": ("Wieder online", "Recovered", "teal-9"),
    "completed": ("Abgeschlossen", "Completed", "green-9"),
    "failed": ("Fehlgeschlagen", "Failed", "red-8"),
    "expired": ("Abgelaufen", "Expired", "red-9"),
    "timed_out": ("Zeitüberschreitung", "Timed out", "red-9"),
    "canceled": ("Abgebrochen", "Canceled", "grey-8"),
    "blocked_safety": ("Sicherheitssperre", "Blocked (safety)", "red-9"),
    "manual_intervention_required": ("Manuelle Intervention nötig", "Manual intervention", "accent"),
}
COMMAND_ACTION = {
    "reboot_host": ("Neustart", "Reboot"),
    "shutdown_host": ("Herunterfahren", "Shut down"),
    "restart_app": ("App-Neustart", "App restart"),
}
# The one health vocabulary of every page (Client.health / MonitoringClient.status, decided by the server):
# status → (German, English, colour).
HEALTH_STYLE: dict[str, tuple[str, str, str]] = {
    "HEALTHY": ("Gesund", "Healthy", "positive"),
    "WARNING": ("Warnung", "Warning", "warning"),
    "CRITICAL": ("Kritisch", "Critical", "negative"),
    "OFFLINE": ("Offline", "Offline", "grey-8"),
    "PLANNED_OFF": ("aus (geplant)", "off (planned)", "blue-grey-7"),
}
HEALTH_ORDER = ("HEALTHY", "WARNING", "CRITICAL", "OFFLINE", "PLANNED_OFF")
HEALTH_REASON = {
    "INACTIVE": ("deaktiviert", "deactivated"),
    "HEARTBEAT_STALE": ("kein Heartbeat", "no heartbeat"),
    "PROCESS_CRASHED": ("Player abgestürzt", "player crashed"),
    "SCREEN_BLACK": ("Bildschirm schwarz", "screen black"),
    "SCREEN_FROZEN": ("Bild eingefroren", "screen frozen"),
    "SERVICE_FAILED": ("Dienst ausgefallen", "service failed"),
    "ERROR_LOGS": ("Fehler im Log", "errors logged"),
    "WARN_LOGS": ("Warnungen im Log", "warnings logged"),
    "PROCESS_STARTING": ("Player startet", "player starting"),
    "PROCESS_STOPPED": ("Player gestoppt", "player stopped"),
    "SCREEN_UNKNOWN": ("Bildschirmzustand unbekannt", "screen state unknown"),
    "CONTENT_MISMATCH": ("zeigt nicht den Plan", "not showing the plan"),
    "PLANNED_OFF": ("laut Plan ausgeschaltet", "switched off by plan"),
}


def client_name(client: dict[str, Any]) -> str:
    return client.get("description") or client.get("hostname") or client.get("uuid", "?")


def alive_now(client: dict[str, Any], grace_seconds: int) -> bool:
    """Alive by the domain's rule, recomputed locally so a silent display turns offline without a round trip."""
    return is_client_alive(
        parse_dt(client.get("lastAlive")), bool(client.get("isActive", True)), utcnow(), grace_seconds
    )


def display_health(client: dict[str, Any], grace_seconds: int) -> str:
    """The display's health as the server classified it (`health.status`), turned OFFLINE as soon as its
    heartbeat is older than the grace period (the same rule, evaluated locally between updates): PLANNED_OFF
    instead when its group is off by plan (`plannedOff`, where the page selected it)."""
    if not alive_now(client, grace_seconds):
        server = str((client.get("health") or {}).get("status") or "")
        planned = (bool(client.get("plannedOff")) or server == "PLANNED_OFF") and bool(client.get("isActive", True))
        return "PLANNED_OFF" if planned else "OFFLINE"
    status = str((client.get("health") or {}).get("status") or "")
    return status if status in HEALTH_STYLE else "WARNING"


def health_label(status: str) -> str:
    style = HEALTH_STYLE.get(status)
    if style is None:
        return status
    return style[1] if current_language() == "en" else style[0]


def health_color(status: str) -> str:
    return HEALTH_STYLE.get(status, ("", "", "grey-7"))[2]


def health_reasons(client: dict[str, Any], status: str) -> str:
    """Why, in words ("kein Heartbeat" when the page itself noticed the silence)."""
    reasons = list((client.get("health") or {}).get("reasons") or [])
    if status == "OFFLINE" and not reasons:
        reasons = ["HEARTBEAT_STALE"]
    english = current_language() == "en"
    return ", ".join(HEALTH_REASON[r][1 if english else 0] if r in HEALTH_REASON else str(r) for r in reasons)


def health_badge(client: dict[str, Any], grace_seconds: int) -> ui.badge:
    """The display's status word in its colour, the reasons as tooltip (`data-health` for tests)."""
    status = display_health(client, grace_seconds)
    badge = ui.badge(health_label(status), color=health_color(status)).props(f'data-health="{status}"')
    reasons = health_reasons(client, status)
    if reasons:
        badge.tooltip(reasons)
    return badge


def command_status_text(status: str) -> str:
    entry = COMMAND_STATUS.get(status)
    if entry is None:
        return status
    return entry[1] if current_language() == "en" else entry[0]


def command_action_text(action: str) -> str:
    entry = COMMAND_ACTION.get(action)
    if entry is None:
        return action
    return entry[1] if current_language() == "en" else entry[0]


def command_badge(command: dict[str, Any]) -> ui.badge:
    status = str(command.get("status", ""))
    color = COMMAND_STATUS.get(status, ("", "", "grey-7"))[2]
    badge = ui.badge(command_status_text(status), color=color).props(f'data-status="{status}"')
    if command.get("errorMessage"):
        badge.tooltip(str(command["errorMessage"]))
    return badge


MUTATION_FOR_ACTION = {
    "reboot_host": "restartClient",
    "shutdown_host": "shutdownClient",
    "restart_app": "restartClientApp",
}


async def read_command(command_id: str) -> dict[str, Any] | None:
    """A command as the server holds it now (for reports that re-read what a missed update would have said)."""
    data = await gql.gql(
        f"query($c: String!) {{ clientCommand(commandId: $c) {{ {COMMAND_FIELDS} }} }}", {"c": command_id}
    )
    return data.get("clientCommand")


async def issue_command(uuid: str, action: str, reason: str | None) -> dict[str, Any]:
    """Issue one command: `{success message command}` (a refused command may still be recorded, e.g. blocked);
    a typed error (not found, invalid reason, no permission) answers `success: false` with its message."""
    mutation = MUTATION_FOR_ACTION[action]
    data = await gql.gql(
        f"mutation($u: String!, $r: String) {{ {mutation}(uuid: $u, reason: $r) {{ __typename "
        f"... on CommandIssueResult {{ success message command {{ {COMMAND_FIELDS} }} }} "
        "... on Error { message code } } }",
        {"u": uuid, "r": reason or None},
    )
    result = data[mutation]
    if result.get("__typename") != "CommandIssueResult":
        return {"success": False, "message": result.get("message"), "command": None}
    return result


def confirm_with_reason(
    title: str, on_confirm: Callable[[str], Awaitable[None]], *, confirm_label: str, danger: bool = True
) -> None:
    """A dialog asking for a reason before a remote action; the reason goes into the command's audit trail."""
    with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
        ui.label(title).classes("text-lg font-medium")
        reason = ui.input(t("common.reason"), placeholder=t("cmd.reason_placeholder")).classes("w-full")
        reason.props('data-testid="command-reason" maxlength=200')

        async def go() -> None:
            button.disable()
            try:
                await on_confirm((reason.value or "").strip())
            finally:
                dialog.close()

        with ui.row().classes("w-full justify-end"):
            ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
            button = ui.button(confirm_label, on_click=go, color="negative" if danger else "primary")
            button.props('data-testid="command-confirm"')
    dialog.open()


class CommandTracker:
    """A live list of recent commands for one display (or all), updated through `commandUpdated`."""

    def __init__(self, client_uuid: str | None, *, limit: int = 10) -> None:
        self.client_uuid = client_uuid
        self.limit = limit
        self.commands: dict[str, dict[str, Any]] = {}
        self.container = ui.column().classes("w-full gap-1").props('data-testid="command-list"')

    async def load(self) -> None:
        await self.read()
        gql.follow(
            f"subscription($u: String) {{ commandUpdated(clientUuid: $u) {{ {COMMAND_FIELDS} }} }}",
            {"u": self.client_uuid},
            self.update,
            on_live=self.read,  # registered: re-read, so a change since the first read is not missed
        )

    async def read(self) -> None:
        data = await gql.gql(
            f"query($u: String, $n: Int) {{ clientCommands(clientUuid: $u, limit: $n) {{ {COMMAND_FIELDS} }} }}",
            {"u": self.client_uuid, "n": self.limit},
        )
        self.commands = {c["commandId"]: c for c in data["clientCommands"]}
        if not self.container.is_deleted:
            self.render()

    def add(self, command: dict[str, Any]) -> None:
        if command.get("commandId"):
            self.commands[command["commandId"]] = command
            self.render()

    def update(self, data: dict[str, Any]) -> None:
        self.add(data["commandUpdated"])

    def render(self) -> None:
        self.container.clear()
        ordered = sorted(self.commands.values(), key=lambda c: c.get("issuedAt") or "", reverse=True)[: self.limit]
        with self.container:
            if not ordered:
                ui.label(t("groups.no_commands")).classes("is-muted text-sm")
            for command in ordered:
                with (
                    ui.row()
                    .classes("w-full items-center gap-2 text-sm no-wrap")
                    .props(f'data-testid="command-{command["commandId"]}"')
                ):
                    ui.label(command_action_text(command.get("action", ""))).classes("font-medium")
                    command_badge(command)
                    ui.label(fmt_datetime(command.get("issuedAt"))).classes("is-muted")
                    if command.get("reason"):
                        ui.label(f"„{command['reason']}“").classes("is-muted ellipsis")


def last_alive_label(client: dict[str, Any]) -> str:
    last = client.get("lastAlive")
    return f"{fmt_age(last)} ({fmt_datetime(last)})" if last else t("common.never")


async def run_command(uuid: str, action: str, reason: str, tracker: CommandTracker | None = None) -> bool:
    """Issue a command from a button: toast with the server's message, show the command in `tracker`."""
    result = await run_action(lambda: issue_command(uuid, action, reason))
    if not isinstance(result, dict):
        return False
    if tracker is not None and result.get("command"):
        tracker.add(result["command"])
    if result.get("success"):
        notify_ok(result.get("message") or t("client.command_sent"))
        return True
    notify_error(result.get("message") or t("common.error"))
    return False


def date_stepper(testid_prefix: str, move: Callable[[int], Any], go_today: Callable[[], Any]) -> None:
    """Back / today / forward buttons shared by the calendar and the resource timeline."""
    ui.button(icon="chevron_left", on_click=lambda: move(-1)).props(
        f'flat round dense data-testid="{testid_prefix}-prev" aria-label="{t("cal.prev")}"'
    )
    ui.button(t("cal.today"), on_click=go_today).props(f'outline dense data-testid="{testid_prefix}-today"')
    ui.button(icon="chevron_right", on_click=lambda: move(1)).props(
        f'flat round dense data-testid="{testid_prefix}-next" aria-label="{t("cal.next")}"'
    )
