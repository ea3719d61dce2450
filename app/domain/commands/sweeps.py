"""Time- and heartbeat-driven command work: expiry, stage timeouts, reboot reconnects, crash auto-recovery.

All of it is idempotent: every step re-reads the row under a lock and applies only what is due, so a
sweep that runs twice (two replicas during a leader handover, a retried actor) changes nothing twice.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.domain.clients.models import Client
from app.domain.clients.status import crash_reason, crashed_sql, is_client_alive
from app.domain.clock import utcnow
from app.domain.commands import lifecycle
from app.domain.commands.lifecycle import (
    RECONNECT_TIMEOUT,
    RESTART_ACTIONS,
    TERMINAL,
    CommandTimeouts,
    TransitionSource,
    due_step,
    reconnect_evidence,
)
from app.domain.commands.models import ClientCommand
from app.domain.commands.service import IssueCommand, issue_command
from app.domain.commands.transitions import CommandChange, EventPublisher, begin_write, move, system_deps
from app.domain.db import Database
from app.domain.enums import CommandAction, CommandStatus, CrashReason
from app.domain.ports import DisplayPublisher
from app.domain.usecase import unit_of_work

log = logging.getLogger(__name__)


SWEEP_BATCH = 500
_MAX_STEPS = 8


@dataclass
class SweepResult:
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> int:
        return sum(self.counts.values())


def advance(
    session: AsyncSession,
    command: ClientCommand,
    last_alive: datetime | None,
    now: datetime,
    t: CommandTimeouts,
    *,
    source: TransitionSource,
) -> list[CommandChange]:
    """Apply every transition due for `command` at `now` (reconnect evidence first, then the clock)."""
    changes: list[CommandChange] = []
    for _ in range(_MAX_STEPS):
        # A heartbeat that arrived before the deadline proves the reboot worked, even if we look late.
        if reconnect_evidence(command, last_alive, t) and last_alive is not None and last_alive < command.expires_at:
            if command.status == CommandStatus.EXECUTION_STARTED:
                changes.append(move(session, command, CommandStatus.AWAITING_RECONNECT, source=source, now=now))
            hb = TransitionSource.HEARTBEAT
            changes.append(move(session, command, CommandStatus.RECOVERED, source=hb, now=now))
            changes.append(move(session, command, CommandStatus.COMPLETED, source=hb, now=now))
            break
        step = due_step(command, now, t)
        if step is None:
            break
        fields: dict[str, object] = {}
        if step.error_code is not None:
            fields = {"error_code": step.error_code, "error_message": step.error_message}
        changes.append(move(session, command, step.to, source=source, now=now, **fields))
    return changes


async def sweep_commands(
    db: Database,
    bus: EventPublisher | None,
    *,
    now: datetime | None = None,
    timeouts: CommandTimeouts | None = None,
) -> SweepResult:
    """Expire, time out, escalate and (from stored heartbeats) recover every open command."""
    now = now or utcnow()
    t = timeouts or lifecycle.current_timeouts()
    result = SweepResult()
    changes: list[CommandChange] = []
    async with unit_of_work(system_deps(db, bus), None) as uow:
        session = uow.session
        await begin_write(session)
        # Reboot evidence is the display's newest discovery (docs/commands.md, "When a reboot counts as done").
        stmt = (
            select(ClientCommand, Client.last_discovery_at)
            .join(Client, Client.uuid == ClientCommand.client_uuid)
            .where(ClientCommand.status.not_in(sorted(TERMINAL)))
            .order_by(ClientCommand.id)
            .limit(SWEEP_BATCH)
            .with_for_update(of=ClientCommand, skip_locked=True)
        )
        for command, last_alive in (await session.execute(stmt)).all():
            changes += advance(session, command, last_alive, now, t, source=TransitionSource.SWEEP)
        for change in changes:
            uow.announce(change.event())
    for change in changes:
        result.counts[change.status] += 1
    log.info("event=command_expiry_sweep expired=%d", result.counts[CommandStatus.EXPIRED])
    if result.changed:
        log.info(
            "event=command_timeout_sweep timed_out=%d awaiting_reconnect=%d recovered=%d "
            "manual_intervention_required=%d",
            result.counts[CommandStatus.TIMED_OUT],
            result.counts[CommandStatus.AWAITING_RECONNECT],
            result.counts[CommandStatus.RECOVERED],
            result.counts[CommandStatus.MANUAL_INTERVENTION_REQUIRED],
        )
    return result


async def detect_reconnect(
    db: Database,
    bus: EventPublisher | None,
    client_uuid: str,
    *,
    now: datetime | None = None,
    timeouts: CommandTimeouts | None = None,
) -> list[CommandChange]:
    """React to one display's discovery: finish its rebooting commands that now have restart evidence.

    The evidence is a discovery received after the execution stage: a display client announces itself at
    every start, which after `reboot_host` means the host came back. A heartbeat alone proves nothing (the
    old process may still be running, e.g. when the reboot did not happen).
    """
    now = now or utcnow()
    t = timeouts or lifecycle.current_timeouts()
    changes: list[CommandChange] = []
    async with unit_of_work(system_deps(db, bus), None) as uow:
        session = uow.session
        await begin_write(session)
        last_alive = await session.scalar(select(Client.last_discovery_at).where(Client.uuid == client_uuid))
        if last_alive is None:
            return []
        stmt = (
            select(ClientCommand)
            .where(
                ClientCommand.client_uuid == client_uuid,
                ClientCommand.action == CommandAction.REBOOT_HOST.value,
                ClientCommand.status.in_(
                    [CommandStatus.EXECUTION_STARTED.value, CommandStatus.AWAITING_RECONNECT.value,
                     CommandStatus.TIMED_OUT.value]
                ),
            )
            .with_for_update()
        )  # fmt: skip
        for command in (await session.scalars(stmt)).all():
            if command.status == CommandStatus.TIMED_OUT and command.error_code != RECONNECT_TIMEOUT:
                continue
            changes += advance(session, command, last_alive, now, t, source=TransitionSource.HEARTBEAT)
        for change in changes:
            uow.announce(change.event())
    if any(c.status == CommandStatus.COMPLETED for c in changes):
        log.info("event=command_reconnect_detected client=%s commands=%d", client_uuid,
                 sum(1 for c in changes if c.status == CommandStatus.COMPLETED))  # fmt: skip
    return changes


# --- crash auto-recovery (§5) ----------------------------------------------------------------------------
@dataclass
class CrashRecoveryReport:
    candidates: int = 0
    issued: int = 0
    failed: int = 0
    skipped_lockout: int = 0


async def crash_candidates(session: AsyncSession, now: datetime, grace_seconds: int) -> list[tuple[str, CrashReason]]:
    """Active clients that crashed or whose heartbeat is stale (a client never seen is not a candidate)."""
    stmt = (
        select(Client.uuid, Client.process_status, Client.last_alive, Client.is_active)
        .where(crashed_sql(now, grace_seconds, never_seen=False))
        .order_by(Client.uuid)
    )
    found: list[tuple[str, CrashReason]] = []
    for uuid_, status, last_alive, active in (await session.execute(stmt)).all():
        reason = crash_reason(is_client_alive(last_alive, active, now, grace_seconds), status)
        if reason is not None:
            found.append((uuid_, reason))
    return found


async def _recently_restarted(session: AsyncSession, uuids: list[str], since: datetime) -> set[str]:
    if not uuids:
        return set()
    stmt = select(ClientCommand.client_uuid).where(
        ClientCommand.client_uuid.in_(uuids),
        ClientCommand.action.in_(sorted(RESTART_ACTIONS)),
        ClientCommand.created_at >= since,
    )
    return set((await session.scalars(stmt)).all())


async def crash_recovery_scan(
    db: Database,
    bus: EventPublisher | None,
    publisher: DisplayPublisher | None,
    settings: Settings,
    *,
    now: datetime | None = None,
) -> CrashRecoveryReport:
    """One `reboot_host` per crashed/stale display and lockout window (CRASH_RECOVERY_*; off by default)."""
    report = CrashRecoveryReport()
    if not settings.crash_recovery_enabled:
        return report
    now = now or utcnow()
    async with db.read_session() as session:
        candidates = await crash_candidates(session, now, settings.crash_recovery_grace_seconds)
        window_start = now - timedelta(minutes=settings.crash_recovery_lockout_minutes)
        recent = await _recently_restarted(session, [uuid_ for uuid_, _ in candidates], window_start)
    report.candidates = len(candidates)
    log.info("event=crash_recovery_scan candidates=%d", report.candidates)
    deps = system_deps(db, bus, publisher)
    for client_uuid, reason in candidates:
        if client_uuid in recent:
            report.skipped_lockout += 1
            continue
        try:
            result = await issue_command(deps, None, IssueCommand(
                client_uuid, CommandAction.REBOOT_HOST, reason.value, source=TransitionSource.RECOVERY,
                expiry_seconds=settings.crash_recovery_command_expiry_seconds,
            ))  # fmt: skip
        except Exception as exc:
            report.failed += 1
            log.error("event=crash_recovery_command_error client=%s error=%s", client_uuid, exc)
            continue
        command_id = result.command.command_id if result.command is not None else None
        if result.success:
            report.issued += 1
            log.info("event=crash_recovery_command_issued client=%s reason=%s command_id=%s", client_uuid,
                     reason.value, command_id)  # fmt: skip
        else:
            report.failed += 1
            log.warning("event=crash_recovery_publish_failed client=%s command_id=%s message=%s", client_uuid,
                        command_id, result.message)  # fmt: skip
    return report
