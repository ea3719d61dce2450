"""The command lifecycle as pure rules: stage order, ACK mapping, timeouts and what a sweep must do next.

Decisions (seed-spec §4.8–4.10, documented in docs/commands.md):

- Order of progress: queued < publish_in_progress < published < ack_received < execution_started <
  awaiting_reconnect < recovered < completed. An ACK only ever moves a command forward; a duplicate or a
  late `accepted` after `execution_started` changes nothing. `failed` may arrive at any non-terminal stage.
- Terminal (never change again): completed, failed, expired, canceled, blocked_safety,
  manual_intervention_required (`TERMINAL_COMMAND_STATUSES`).
- `timed_out` is NOT terminal: it means "a stage overran its planned time". The display retries its ACKs
  until `expires_at`, so a late ACK still moves the command on (and clears the timeout error). The stage
  that overran is kept in `error_code` (ack_timeout / execution_start_timeout / reconnect_timeout), which
  also gives the timed-out command its place in the order above.
- Commands that never left the server: `queued` longer than the queue stage (5 s from `created_at`) or
  `publish_in_progress` longer than the publish stage (8 s from entering it, i.e. `updated_at`) become
  `timed_out` (queue_timeout / publish_timeout) at the next sweep instead of waiting for `expires_at`. A
  publish that did leave before the process stopped can still be ACKed: the ACK moves the command on.
- Success of a publish is judged on the primary topic `infoscreen/{uuid}/commands` only; the compat
  `/command` and legacy `clients/{uuid}/restart` copies are best effort (`sends_legacy_restart` decides
  the legacy copy, here and nowhere else).
- `expires_at` is the universal hard stop: any non-terminal command past it becomes `expired`.
- `reboot_host` only: `execution_started` becomes `awaiting_reconnect` once the 10 s execution stage is over
  (the server cannot see the display's TCP connection drop, so time is the signal). A discovery received
  after that moment (a display announces itself once per boot) is reconnect evidence → `recovered` →
  `completed`, even without the display's own `completed` ACK. Heartbeats prove nothing: a display whose
  reboot never happened keeps sending them.
- `reboot_host` whose display does not reconnect within the ceiling (150 s after the stage) becomes
  `timed_out` (reconnect_timeout); a discovery can still recover it during the 60 s escalation cooldown,
  after which it is `manual_intervention_required` (terminal) — unless `expires_at` came first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from app.domain.enums import TERMINAL_COMMAND_STATUSES, CommandAction, CommandStatus

S = CommandStatus


class TransitionSource(StrEnum):
    API = "api"
    ACK = "ack"
    SWEEP = "sweep"
    HEARTBEAT = "heartbeat"
    RECOVERY = "recovery"


_PROGRESS: tuple[CommandStatus, ...] = (
    S.QUEUED,
    S.PUBLISH_IN_PROGRESS,
    S.PUBLISHED,
    S.ACK_RECEIVED,
    S.EXECUTION_STARTED,
    S.AWAITING_RECONNECT,
    S.RECOVERED,
    S.COMPLETED,
)
PROGRESS_RANK: dict[str, int] = {status.value: rank for rank, status in enumerate(_PROGRESS)}

# Which stage a `timed_out` command is stuck in, by its error_code.
QUEUE_TIMEOUT = "queue_timeout"
PUBLISH_TIMEOUT = "publish_timeout"
ACK_TIMEOUT = "ack_timeout"
EXECUTION_START_TIMEOUT = "execution_start_timeout"
RECONNECT_TIMEOUT = "reconnect_timeout"
TIMEOUT_STAGES: dict[str, CommandStatus] = {
    QUEUE_TIMEOUT: S.QUEUED,
    PUBLISH_TIMEOUT: S.PUBLISH_IN_PROGRESS,
    ACK_TIMEOUT: S.PUBLISHED,
    EXECUTION_START_TIMEOUT: S.ACK_RECEIVED,
    RECONNECT_TIMEOUT: S.AWAITING_RECONNECT,
}
TIMEOUT_MESSAGES: dict[str, str] = {
    QUEUE_TIMEOUT: "The server did not start publishing the command in time (process stopped?).",
    PUBLISH_TIMEOUT: "The server did not finish publishing the command in time (process stopped?).",
    ACK_TIMEOUT: "Display did not acknowledge the command in time.",
    EXECUTION_START_TIMEOUT: "Display acknowledged but did not start executing in time.",
    RECONNECT_TIMEOUT: "Display did not reconnect after the reboot in time.",
}

EXPIRED_CODE = "expired"
EXPIRED_MESSAGE = "Command expired before terminal state was reached."
MANUAL_INTERVENTION_MESSAGE = "Display did not come back after the reboot; manual intervention required."

# ACK status (wire) -> stored status (§4.8).
ACK_STATUS_MAP: dict[str, CommandStatus] = {
    "accepted": S.ACK_RECEIVED,
    "execution_started": S.EXECUTION_STARTED,
    "completed": S.COMPLETED,
    "failed": S.FAILED,
}

# The timestamp column each status sets when it is entered (kept if already set).
STATUS_TIMESTAMP: dict[str, str] = {
    S.PUBLISHED.value: "published_at",
    S.ACK_RECEIVED.value: "acked_at",
    S.EXECUTION_STARTED.value: "execution_started_at",
    S.COMPLETED.value: "completed_at",
    S.FAILED.value: "failed_at",
    S.EXPIRED.value: "failed_at",
    S.BLOCKED_SAFETY.value: "failed_at",
    S.MANUAL_INTERVENTION_REQUIRED.value: "failed_at",
}

TERMINAL: frozenset[str] = frozenset(s.value for s in TERMINAL_COMMAND_STATUSES)
RESTART_ACTIONS: frozenset[str] = frozenset({CommandAction.REBOOT_HOST.value, CommandAction.RESTART_APP.value})


@dataclass(frozen=True, slots=True)
class CommandTimeouts:
    """§4.10 plan defaults (seconds). Tests shorten them by replacing `lifecycle.TIMEOUTS`."""

    queued: float = 5
    publish: float = 8
    ack: float = 20
    execution_start_host: float = 25
    execution_start_app: float = 15
    execution_stage: float = 10
    reconnect_ceiling: float = 150
    escalation_cooldown: float = 60

    def execution_start_for(self, action: str) -> float:
        return self.execution_start_app if action == CommandAction.RESTART_APP else self.execution_start_host


DEFAULT_TIMEOUTS = CommandTimeouts()
TIMEOUTS = DEFAULT_TIMEOUTS


def current_timeouts() -> CommandTimeouts:
    """Read at call time so a test (or an operator tool) can swap the module value."""
    return TIMEOUTS


class CommandView(Protocol):
    """The fields the rules read (a ClientCommand row satisfies it)."""

    action: str
    status: str
    error_code: str | None
    expires_at: datetime
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    acked_at: datetime | None
    execution_started_at: datetime | None


def is_terminal(status: str) -> bool:
    return status in TERMINAL


def sends_legacy_restart(action: str, source: TransitionSource) -> bool:
    """Whether a command also goes to the legacy `clients/{uuid}/restart` topic (seed §3.4 step 8).

    Only a reboot an operator asked for (GraphQL, one display or a group's offline ones); crash recovery
    publishes to the primary and compat topics only (seed §5)."""
    return action == CommandAction.REBOOT_HOST and source is not TransitionSource.RECOVERY


def not_yet_published(status: str, error_code: str | None) -> bool:
    """Queued, being published, or timed out in one of those two stages: the server may still publish."""
    if status == S.TIMED_OUT:
        return error_code in (QUEUE_TIMEOUT, PUBLISH_TIMEOUT)
    return status in (S.QUEUED, S.PUBLISH_IN_PROGRESS)


def progress_rank(status: str, error_code: str | None) -> int | None:
    """Where a command stands in the forward order; a timed-out command stands at its stuck stage."""
    if status == S.TIMED_OUT:
        stage = TIMEOUT_STAGES.get(error_code or "", S.PUBLISHED)
        return PROGRESS_RANK[stage.value]
    return PROGRESS_RANK.get(status)


def ack_refusal(status: str, error_code: str | None, target: CommandStatus) -> str | None:
    """Why an ACK moving the command to `target` must be ignored, or None when it applies."""
    if is_terminal(status):
        return "already_terminal"
    if target is S.FAILED:
        return None
    if status == target:
        return "duplicate"
    current = progress_rank(status, error_code)
    if current is None:
        return "unknown_current_status"
    if PROGRESS_RANK[target.value] <= current:
        return "would_move_backwards"
    return None


@dataclass(frozen=True, slots=True)
class Step:
    """A transition a sweep (or a discovery) must make now."""

    to: CommandStatus
    error_code: str | None = None
    error_message: str | None = None


def awaiting_since(cmd: CommandView, t: CommandTimeouts) -> datetime | None:
    """When a reboot entered (or would enter) awaiting_reconnect: the end of the execution stage."""
    if cmd.execution_started_at is None:
        return None
    return cmd.execution_started_at + timedelta(seconds=t.execution_stage)


def _in_reconnect_phase(cmd: CommandView) -> bool:
    if cmd.action != CommandAction.REBOOT_HOST:
        return False
    if cmd.status in (S.EXECUTION_STARTED, S.AWAITING_RECONNECT):
        return True
    return cmd.status == S.TIMED_OUT and cmd.error_code == RECONNECT_TIMEOUT


def due_step(cmd: CommandView, now: datetime, t: CommandTimeouts) -> Step | None:
    """The next time-driven transition for `cmd` at `now`, if one is due."""
    status = cmd.status
    if is_terminal(status):
        return None
    if now >= cmd.expires_at:
        return Step(S.EXPIRED, EXPIRED_CODE, EXPIRED_MESSAGE)
    if status == S.QUEUED:
        if now >= cmd.created_at + timedelta(seconds=t.queued):
            return Step(S.TIMED_OUT, QUEUE_TIMEOUT, TIMEOUT_MESSAGES[QUEUE_TIMEOUT])
        return None
    if status == S.PUBLISH_IN_PROGRESS:
        if now >= cmd.updated_at + timedelta(seconds=t.publish):
            return Step(S.TIMED_OUT, PUBLISH_TIMEOUT, TIMEOUT_MESSAGES[PUBLISH_TIMEOUT])
        return None
    if status == S.PUBLISHED and cmd.published_at is not None:
        if now >= cmd.published_at + timedelta(seconds=t.ack):
            return Step(S.TIMED_OUT, ACK_TIMEOUT, TIMEOUT_MESSAGES[ACK_TIMEOUT])
        return None
    if status == S.ACK_RECEIVED and cmd.acked_at is not None:
        if now >= cmd.acked_at + timedelta(seconds=t.execution_start_for(cmd.action)):
            return Step(S.TIMED_OUT, EXECUTION_START_TIMEOUT, TIMEOUT_MESSAGES[EXECUTION_START_TIMEOUT])
        return None
    since = awaiting_since(cmd, t)
    if not _in_reconnect_phase(cmd) or since is None:
        return None
    if status == S.EXECUTION_STARTED:
        return Step(S.AWAITING_RECONNECT) if now >= since else None
    ceiling = since + timedelta(seconds=t.reconnect_ceiling)
    if status == S.AWAITING_RECONNECT:
        if now >= ceiling:
            return Step(S.TIMED_OUT, RECONNECT_TIMEOUT, TIMEOUT_MESSAGES[RECONNECT_TIMEOUT])
        return None
    if now >= ceiling + timedelta(seconds=t.escalation_cooldown):
        return Step(S.MANUAL_INTERVENTION_REQUIRED, RECONNECT_TIMEOUT, MANUAL_INTERVENTION_MESSAGE)
    return None


def reconnect_evidence(cmd: CommandView, discovered_at: datetime | None, t: CommandTimeouts) -> bool:
    """Whether a discovery at `discovered_at` proves a rebooting display came back (a new boot announces itself)."""
    since = awaiting_since(cmd, t)
    if not _in_reconnect_phase(cmd) or since is None or discovered_at is None:
        return False
    return discovered_at > since
