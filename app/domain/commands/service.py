"""Issuing remote commands (§3.4): validation, the safety lockout, the tracked publish and the queries.

A command row is committed before anything is sent (`queued` → `publish_in_progress`), so a crash mid-way
leaves a row the sweep times out by stage (`lifecycle.py`); the final status is written only after the
broker's PUBACK for the primary topic (the compat/legacy copies are best effort, see `DisplayPublisher`).
Lockout: at most `REBOOT_LOCKOUT_THRESHOLD` reboot_host/restart_app per client in a rolling
`REBOOT_LOCKOUT_WINDOW_MINUTES`, counted by created_at over all rows (blocked ones too); the client row is
locked while counting so concurrent requests on MariaDB cannot both slip under the threshold.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.audit.service import record_audit
from app.domain.clients.models import Client, ClientGroup
from app.domain.clock import iso_z, utcnow
from app.domain.commands.lifecycle import RESTART_ACTIONS, TransitionSource, not_yet_published, sends_legacy_restart
from app.domain.commands.models import ClientCommand, ClientCommandTransition
from app.domain.commands.transitions import (
    CommandChange,
    EventPublisher,
    announce,
    begin_write,
    bounded,
    created,
    lock_command,
    move,
)
from app.domain.db import Database
from app.domain.enums import CommandAction, CommandStatus, Role
from app.domain.errors import ForbiddenError, NotFoundError, ValidationError
from app.domain.ports import DisplayPublisher
from app.domain.users.tokens import Principal

log = logging.getLogger(__name__)

COMMAND_SCHEMA_VERSION = "1.0"
COMMAND_EXPIRY_SECONDS = 240
REBOOT_LOCKOUT_WINDOW_MINUTES = 15
REBOOT_LOCKOUT_THRESHOLD = 3
MAX_REASON_CHARS = 2000
ISSUE_ROLE = Role.ADMIN

LOCKOUT_CODE = "lockout_threshold"
LOCKOUT_ERROR = "Reboot lockout active for this client"
LOCKOUT_MESSAGE = "Neustart voruebergehend blockiert (Sicherheits-Lockout)"
PUBLISH_FAILED_CODE = "mqtt_publish_failed"
NO_BROKER_ERROR = "Keine Verbindung zum MQTT-Broker in diesem Prozess."


@dataclass(frozen=True, slots=True)
class IssueResult:
    success: bool
    message: str
    command: ClientCommand | None


def parse_action(action: object) -> CommandAction:
    try:
        return CommandAction(str(action))
    except ValueError:
        raise ValidationError(f"Unsupported action '{str(action)[:40]}'", field="action") from None


def normalise_reason(reason: object, *, required: bool = False) -> str | None:
    text = str(reason).strip() if reason is not None else ""
    if not text:
        if required:
            raise ValidationError("Für Sammelaktionen ist eine Begründung erforderlich.", field="reason")
        return None
    if len(text) > MAX_REASON_CHARS:
        raise ValidationError(f"Die Begründung darf höchstens {MAX_REASON_CHARS} Zeichen lang sein.", field="reason")
    return text


def build_payload(command: ClientCommand) -> dict[str, Any]:
    """The frozen v1 command payload (§4.7); timestamps with `Z`."""
    return {
        "schema_version": COMMAND_SCHEMA_VERSION,
        "command_id": command.command_id,
        "client_uuid": command.client_uuid,
        "action": command.action,
        "issued_at": iso_z(command.issued_at),
        "expires_at": iso_z(command.expires_at),
        "requested_by": command.requested_by,
        "reason": command.reason,
    }


async def recent_restart_count(session: AsyncSession, client_uuid: str, since: datetime) -> int:
    stmt = select(func.count(ClientCommand.id)).where(
        ClientCommand.client_uuid == client_uuid,
        ClientCommand.action.in_(sorted(RESTART_ACTIONS)),
        ClientCommand.created_at >= since,
    )
    return int((await session.scalar(stmt)) or 0)


async def issue_command(
    db: Database,
    publisher: DisplayPublisher | None,
    principal: Principal | None,
    client_uuid: str,
    action: str | CommandAction,
    reason: str | None,
    *,
    bus: EventPublisher | None = None,
    source: TransitionSource = TransitionSource.API,
    expiry_seconds: int | None = None,
    ip: str | None = None,
) -> IssueResult:
    """Create, lock-check and publish one command. `principal` None means the system (crash recovery)."""
    command_action = parse_action(action)
    if principal is not None and not principal.has(ISSUE_ROLE):
        raise ForbiddenError("Keine Berechtigung für diese Aktion.")
    clean_reason = normalise_reason(reason)
    expiry = expiry_seconds if expiry_seconds is not None else COMMAND_EXPIRY_SECONDS
    now = utcnow()
    issued = now.replace(microsecond=0)
    changes: list[CommandChange] = []

    async with db.session() as session:
        await begin_write(session)  # the lockout count and the insert must not interleave
        client = (
            await session.scalars(select(Client).where(Client.uuid == str(client_uuid)[:64]).with_for_update())
        ).first()
        if client is None:
            raise NotFoundError("Client nicht gefunden")
        command = ClientCommand(
            command_id=str(uuid.uuid4()),
            client_uuid=client.uuid,
            action=command_action.value,
            status=CommandStatus.QUEUED.value,
            reason=clean_reason,
            requested_by=principal.user_id if principal is not None else None,
            issued_at=issued,
            expires_at=issued + timedelta(seconds=expiry),
            created_at=now,
            updated_at=now,
        )
        blocked = False
        if command_action.value in RESTART_ACTIONS:
            window_start = now - timedelta(minutes=REBOOT_LOCKOUT_WINDOW_MINUTES)
            blocked = await recent_restart_count(session, client.uuid, window_start) >= REBOOT_LOCKOUT_THRESHOLD
        if blocked:
            command.status = CommandStatus.BLOCKED_SAFETY.value
            command.failed_at = now
            command.error_code = LOCKOUT_CODE
            command.error_message = LOCKOUT_ERROR
        session.add(command)
        await session.flush()
        changes.append(created(session, command, source=source, now=now))
        await record_audit(
            session,
            principal,
            "command.blocked" if blocked else "command.issue",
            "client_command",
            command.command_id,
            {"client_uuid": client.uuid, "action": command.action, "reason": clean_reason, "source": source.value},
            ip=ip,
        )
    await announce(bus, changes)
    if blocked:
        log.warning("event=command_blocked_lockout client=%s action=%s", command.client_uuid, command.action)
        return IssueResult(False, LOCKOUT_MESSAGE, command)

    command = await _step(db, bus, command.command_id, CommandStatus.PUBLISH_IN_PROGRESS, source) or command
    try:
        if publisher is None:
            raise RuntimeError(NO_BROKER_ERROR)
        legacy = sends_legacy_restart(command.action, source)
        await publisher.publish_command(command.client_uuid, build_payload(command), legacy_restart=legacy)
    except Exception as exc:
        error = str(exc) or type(exc).__name__
        log.warning("event=command_publish_failed command_id=%s client=%s error=%s", command.command_id,
                    command.client_uuid, error)  # fmt: skip
        failed = await _step(
            db, bus, command.command_id, CommandStatus.FAILED, source, error_code=PUBLISH_FAILED_CODE, error=error
        )
        return IssueResult(False, f"Befehl konnte nicht gesendet werden: {bounded(error, 300)}", failed or command)

    published = await _mark_published(db, bus, command.command_id, source)
    log.info("event=command_published command_id=%s client=%s action=%s", command.command_id, command.client_uuid,
             command.action)  # fmt: skip
    return IssueResult(True, f"Befehl an Client {command.client_uuid} gesendet.", published or command)


async def _step(
    db: Database,
    bus: EventPublisher | None,
    command_id: str,
    to: CommandStatus,
    source: TransitionSource,
    *,
    error_code: str | None = None,
    error: str | None = None,
) -> ClientCommand | None:
    """One committed transition of the issuing flow (skipped if an ACK already moved the command on)."""
    changes: list[CommandChange] = []
    async with db.session() as session:
        command = await lock_command(session, command_id)
        if command is None:
            return None
        if not_yet_published(command.status, command.error_code):
            fields: dict[str, object] = {}
            if error_code is not None:
                fields = {"error_code": error_code, "error_message": error}
            changes.append(move(session, command, to, source=source, now=utcnow(), **fields))
    await announce(bus, changes)
    return command


async def _mark_published(
    db: Database, bus: EventPublisher | None, command_id: str, source: TransitionSource
) -> ClientCommand | None:
    changes: list[CommandChange] = []
    async with db.session() as session:
        # Re-read: an ACK may have arrived between the PUBACK and now.
        command = await lock_command(session, command_id)
        if command is None:
            return None
        now = utcnow()
        if command.published_at is None:
            command.published_at = now
        if not_yet_published(command.status, command.error_code):
            changes.append(move(session, command, CommandStatus.PUBLISHED, source=source, now=now))
    await announce(bus, changes)
    return command


@dataclass(frozen=True, slots=True)
class BulkIssueItem:
    client_uuid: str
    result: IssueResult


async def offline_clients(session: AsyncSession, group_id: int, grace_seconds: int) -> list[Client]:
    """Active clients of the group without a heartbeat inside the grace period."""
    cutoff = utcnow() - timedelta(seconds=grace_seconds)
    stmt = (
        select(Client)
        .where(Client.group_id == group_id, Client.is_active.is_(True))
        .where((Client.last_alive.is_(None)) | (Client.last_alive < cutoff))
        .order_by(Client.uuid)
    )
    return list((await session.scalars(stmt)).all())


async def restart_offline_clients(
    db: Database,
    publisher: DisplayPublisher | None,
    principal: Principal,
    group_id: int,
    reason: str | None,
    *,
    grace_seconds: int,
    bus: EventPublisher | None = None,
    ip: str | None = None,
) -> list[BulkIssueItem]:
    """One tracked `reboot_host` per offline client of the group; a reason is required for bulk actions."""
    if not principal.has(ISSUE_ROLE):
        raise ForbiddenError("Keine Berechtigung für diese Aktion.")
    clean_reason = normalise_reason(reason, required=True)
    async with db.read_session() as session:
        if await session.get(ClientGroup, group_id) is None:
            raise NotFoundError("Gruppe nicht gefunden")
        targets = [c.uuid for c in await offline_clients(session, group_id, grace_seconds)]
    items: list[BulkIssueItem] = []
    for client_uuid in targets:
        try:
            result = await issue_command(
                db, publisher, principal, client_uuid, CommandAction.REBOOT_HOST, clean_reason,
                bus=bus, ip=ip,
            )  # fmt: skip
        except NotFoundError as exc:  # deleted between listing and issuing
            result = IssueResult(False, exc.message, None)
        items.append(BulkIssueItem(client_uuid, result))
    return items


# --- queries -------------------------------------------------------------------------------------------
MAX_LIST_LIMIT = 500


async def get_command(session: AsyncSession, command_id: str) -> ClientCommand | None:
    stmt = select(ClientCommand).where(ClientCommand.command_id == str(command_id)[:64])
    return (await session.scalars(stmt)).first()


async def list_commands(session: AsyncSession, client_uuid: str | None = None, limit: int = 50) -> list[ClientCommand]:
    stmt = select(ClientCommand).order_by(ClientCommand.created_at.desc(), ClientCommand.id.desc())
    if client_uuid:
        stmt = stmt.where(ClientCommand.client_uuid == client_uuid[:64])
    return list((await session.scalars(stmt.limit(max(1, min(limit, MAX_LIST_LIMIT))))).all())


async def transitions_for(
    session: AsyncSession, command_ids: Sequence[str]
) -> dict[str, list[ClientCommandTransition]]:
    result: dict[str, list[ClientCommandTransition]] = {cid: [] for cid in command_ids}
    if not command_ids:
        return result
    stmt = (
        select(ClientCommandTransition)
        .where(ClientCommandTransition.command_id.in_(list(command_ids)))
        .order_by(ClientCommandTransition.at, ClientCommandTransition.id)
    )
    for row in (await session.scalars(stmt)).all():
        result.setdefault(row.command_id, []).append(row)
    return result
