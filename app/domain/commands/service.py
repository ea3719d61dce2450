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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.domain.clients.lookup import get_group
from app.domain.clients.models import Client
from app.domain.clock import iso_z, utcnow
from app.domain.commands.lifecycle import RESTART_ACTIONS, TransitionSource, not_yet_published, sends_legacy_restart
from app.domain.commands.models import ClientCommand, ClientCommandTransition
from app.domain.commands.transitions import begin_write, bounded, created, lock_command, move
from app.domain.enums import CommandAction, CommandStatus, Role
from app.domain.errors import DomainError, NotFoundError, ValidationError
from app.domain.ports import UseCaseDeps
from app.domain.usecase import require_role, unit_of_work
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
PUBLISH_FAILED_CODE = "mqtt_publish_failed"


@dataclass(frozen=True, slots=True)
class IssueResult:
    """What became of one command: `key` and `params` name the outcome (texts in app/messages/clients.py);
    `command` is the recorded row (None when nothing was recorded)."""

    success: bool
    key: str
    command: ClientCommand | None
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, language: str = "de") -> str:
        # Rendered like an error's text: the words live at the edge, the domain names the outcome.
        return DomainError(self.key, **self.params).text(language)

    @property
    def message(self) -> str:
        return self.text("de")


@dataclass(frozen=True)
class IssueCommand:
    """One remote command for one display; `source` and `expiry_seconds` differ for crash recovery."""

    client_uuid: str
    action: str | CommandAction
    reason: str | None = None
    source: TransitionSource = TransitionSource.API
    expiry_seconds: int | None = None


@dataclass(frozen=True)
class RestartOfflineClients:
    group_id: int
    reason: str | None
    grace_seconds: int


def parse_action(action: object) -> CommandAction:
    try:
        return CommandAction(str(action))
    except ValueError:
        raise ValidationError("command.unsupported_action", field="action", action=str(action)[:40]) from None


def normalise_reason(reason: object, *, required: bool = False) -> str | None:
    text = str(reason).strip() if reason is not None else ""
    if not text:
        if required:
            raise ValidationError("command.reason_required", field="reason")
        return None
    if len(text) > MAX_REASON_CHARS:
        raise ValidationError("command.reason_too_long", field="reason", max=MAX_REASON_CHARS)
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


async def issue_command(deps: UseCaseDeps, principal: Principal | None, command: IssueCommand) -> IssueResult:
    """Create, lock-check and publish one command. `principal` None means the system (crash recovery)."""
    command_action = parse_action(command.action)
    if principal is not None:
        require_role(principal, ISSUE_ROLE)
    clean_reason = normalise_reason(command.reason)
    source = command.source
    expiry = command.expiry_seconds if command.expiry_seconds is not None else COMMAND_EXPIRY_SECONDS
    now = utcnow()
    issued = now.replace(microsecond=0)

    async with unit_of_work(deps, principal) as uow:
        session = uow.session
        await begin_write(session)  # the lockout count and the insert must not interleave
        client = (
            await session.scalars(select(Client).where(Client.uuid == str(command.client_uuid)[:64]).with_for_update())
        ).first()
        if client is None:
            raise NotFoundError("client.not_found", uuid=str(command.client_uuid)[:64])
        row = ClientCommand(
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
            row.status = CommandStatus.BLOCKED_SAFETY.value
            row.failed_at = now
            row.error_code = LOCKOUT_CODE
            row.error_message = LOCKOUT_ERROR
        session.add(row)
        await session.flush()
        uow.announce(created(session, row, source=source, now=now).event())
        await uow.audit(
            "command.blocked" if blocked else "command.issue",
            "client_command",
            row.command_id,
            {"client_uuid": client.uuid, "action": row.action, "reason": clean_reason, "source": source.value},
        )
    if blocked:
        log.warning("event=command_blocked_lockout client=%s action=%s", row.client_uuid, row.action)
        return IssueResult(False, "command.lockout", row)

    row = await _step(deps, row.command_id, CommandStatus.PUBLISH_IN_PROGRESS, source) or row
    try:
        if deps.publisher is None:
            raise RuntimeError(DomainError("command.no_broker").message)
        legacy = sends_legacy_restart(row.action, source)
        await deps.publisher.publish_command(row.client_uuid, build_payload(row), legacy_restart=legacy)
    except Exception as exc:
        error = str(exc) or type(exc).__name__
        log.warning("event=command_publish_failed command_id=%s client=%s error=%s", row.command_id,
                    row.client_uuid, error)  # fmt: skip
        failed = await _step(
            deps, row.command_id, CommandStatus.FAILED, source, error_code=PUBLISH_FAILED_CODE, error=error
        )
        return IssueResult(False, "command.publish_failed", failed or row, {"error": bounded(error, 300)})

    published = await _mark_published(deps, row.command_id, source)
    log.info("event=command_published command_id=%s client=%s action=%s", row.command_id, row.client_uuid,
             row.action)  # fmt: skip
    return IssueResult(True, "command.sent", published or row, {"uuid": row.client_uuid})


async def _step(
    deps: UseCaseDeps,
    command_id: str,
    to: CommandStatus,
    source: TransitionSource,
    *,
    error_code: str | None = None,
    error: str | None = None,
) -> ClientCommand | None:
    """One committed transition of the issuing flow (skipped if an ACK already moved the command on)."""
    async with unit_of_work(deps, None) as uow:
        command = await lock_command(uow.session, command_id)
        if command is None:
            return None
        if not_yet_published(command.status, command.error_code):
            fields: dict[str, object] = {}
            if error_code is not None:
                fields = {"error_code": error_code, "error_message": error}
            uow.announce(move(uow.session, command, to, source=source, now=utcnow(), **fields).event())
    return command


async def _mark_published(deps: UseCaseDeps, command_id: str, source: TransitionSource) -> ClientCommand | None:
    async with unit_of_work(deps, None) as uow:
        # Re-read: an ACK may have arrived between the PUBACK and now.
        command = await lock_command(uow.session, command_id)
        if command is None:
            return None
        now = utcnow()
        if command.published_at is None:
            command.published_at = now
        if not_yet_published(command.status, command.error_code):
            uow.announce(move(uow.session, command, CommandStatus.PUBLISHED, source=source, now=now).event())
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
    deps: UseCaseDeps, principal: Principal, command: RestartOfflineClients
) -> list[BulkIssueItem]:
    """One tracked `reboot_host` per offline client of the group; a reason is required for bulk actions."""
    require_role(principal, ISSUE_ROLE)
    clean_reason = normalise_reason(command.reason, required=True)
    async with deps.db.read_session() as session:
        await get_group(session, command.group_id)
        targets = [c.uuid for c in await offline_clients(session, command.group_id, command.grace_seconds)]
    items: list[BulkIssueItem] = []
    for client_uuid in targets:
        try:
            result = await issue_command(
                deps, principal, IssueCommand(client_uuid, CommandAction.REBOOT_HOST, clean_reason)
            )
        except NotFoundError as exc:  # deleted between listing and issuing
            result = IssueResult(False, exc.key, None, dict(exc.params))
        items.append(BulkIssueItem(client_uuid, result))
    return items


# --- queries -------------------------------------------------------------------------------------------
MAX_LIST_LIMIT = 500
_CHUNK = 5000  # keys per IN (...) list


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


async def latest_commands(session: AsyncSession, client_uuids: Sequence[str]) -> dict[str, ClientCommand]:
    """The most recently created command of each display (by creation time, then id)."""
    found: dict[str, ClientCommand] = {}
    for start in range(0, len(client_uuids), _CHUNK):
        chunk = list(client_uuids[start : start + _CHUNK])
        ranked = (
            select(
                ClientCommand,
                func.row_number()
                .over(
                    partition_by=ClientCommand.client_uuid,
                    order_by=(ClientCommand.created_at.desc(), ClientCommand.id.desc()),
                )
                .label("rn"),
            )
            .where(ClientCommand.client_uuid.in_(chunk))
            .subquery()
        )
        latest = aliased(ClientCommand, ranked)
        found.update({c.client_uuid: c for c in (await session.scalars(select(latest).where(ranked.c.rn == 1)))})
    return found
