"""Changing a command's status: the one place that sets the status, its timestamp and the transition row.

Every status change goes through `move`, so `client_command_transitions` holds the full history and every
committed change can be announced (`CommandChange.event()`, through `uow.announce`) as COMMAND_UPDATED.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.bus import COMMAND_UPDATED, DomainEvent
from app.domain.commands.lifecycle import STATUS_TIMESTAMP, TIMEOUT_STAGES, TransitionSource
from app.domain.commands.models import ClientCommand, ClientCommandTransition
from app.domain.db import Database
from app.domain.enums import CommandStatus
from app.domain.ports import DisplayPublisher

_ERROR_CODE_MAX = 64
_ERROR_MESSAGE_MAX = 4000
_KEEP = object()


class EventPublisher(Protocol):
    """Anything that can publish a domain event (the event bus, or an actor's runtime)."""

    async def publish(self, event: DomainEvent) -> None: ...


class _Silent:
    async def publish(self, event: DomainEvent) -> None:
        return None


@dataclass(frozen=True)
class SystemDeps:
    """The UseCaseDeps of the system's own command writes (ingest ACKs, sweeps, crash recovery) when the caller
    hands over its pieces (a worker's runtime is the bus there; None publishes nowhere)."""

    db: Database
    bus: EventPublisher
    publisher: DisplayPublisher | None = None


def system_deps(db: Database, bus: EventPublisher | None, publisher: DisplayPublisher | None = None) -> SystemDeps:
    return SystemDeps(db, bus if bus is not None else _Silent(), publisher)


@dataclass(frozen=True, slots=True)
class CommandChange:
    command_id: str
    client_uuid: str
    from_status: str | None
    status: str

    def event(self) -> DomainEvent:
        return DomainEvent(
            COMMAND_UPDATED, {"command_id": self.command_id, "client_uuid": self.client_uuid, "status": self.status}
        )


def bounded(value: object, limit: int) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def move(
    session: AsyncSession,
    command: ClientCommand,
    to: CommandStatus,
    *,
    source: TransitionSource,
    now: datetime,
    error_code: object = _KEEP,
    error_message: object = _KEEP,
) -> CommandChange:
    """Set the status (and the status' timestamp when not yet set) and record the transition."""
    previous = command.status
    if previous == CommandStatus.TIMED_OUT and command.error_code in TIMEOUT_STAGES and to != CommandStatus.TIMED_OUT:
        # The stage that overran has now moved on; the timeout error no longer describes the command.
        command.error_code = None
        command.error_message = None
    command.status = to.value
    stamp = STATUS_TIMESTAMP.get(to.value)
    if stamp is not None and getattr(command, stamp) is None:
        setattr(command, stamp, now)
    if error_code is not _KEEP:
        command.error_code = bounded(error_code, _ERROR_CODE_MAX)
    if error_message is not _KEEP:
        command.error_message = bounded(error_message, _ERROR_MESSAGE_MAX)
    session.add(
        ClientCommandTransition(
            command_id=command.command_id, from_status=previous, to_status=to.value, source=source.value, at=now
        )
    )
    return CommandChange(command.command_id, command.client_uuid, previous, to.value)


def created(session: AsyncSession, command: ClientCommand, *, source: TransitionSource, now: datetime) -> CommandChange:
    """Record the initial status of a new row (from_status None)."""
    session.add(
        ClientCommandTransition(
            command_id=command.command_id, from_status=None, to_status=command.status, source=source.value, at=now
        )
    )
    return CommandChange(command.command_id, command.client_uuid, None, command.status)


async def begin_write(session: AsyncSession) -> None:
    """Serialise command writers before reading what they will change.

    MariaDB locks the rows read FOR UPDATE. SQLite has no row locks and, in WAL mode, a transaction that
    starts as a reader may act on a stale snapshot; a no-op UPDATE as the first statement takes the
    database write lock at once, so concurrent ACKs and sweeps queue up and each sees the latest commit.
    """
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(text("UPDATE client_commands SET status = status WHERE 1 = 0"))


async def lock_command(session: AsyncSession, command_id: str) -> ClientCommand | None:
    """Read a command for change; the row (SQLite: the database) stays locked until the unit of work ends."""
    await begin_write(session)
    stmt = select(ClientCommand).where(ClientCommand.command_id == command_id).with_for_update()
    return (await session.scalars(stmt.execution_options(populate_existing=True))).first()
