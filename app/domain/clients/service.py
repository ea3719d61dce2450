"""Client (display) use cases: listing, editing, deleting, group assignment, crash and service_failed views."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.audit.service import record_audit
from app.domain.clients.groups import get_group
from app.domain.clients.models import Client
from app.domain.clients.notify import announce_clients_updated, publish_group_assignments
from app.domain.clients.status import crash_reason, is_client_alive
from app.domain.enums import CrashReason, ProcessStatus
from app.domain.errors import NotFoundError, ValidationError
from app.domain.ports import UseCaseDeps
from app.domain.users.tokens import Principal

log = logging.getLogger(__name__)

CLIENT_NOT_FOUND = "Client nicht gefunden"
MAX_DESCRIPTION_LENGTH = 255
MAX_BULK_ASSIGN = 10_000


def normalise_uuid(raw: str) -> str:
    return (raw or "").strip().lower()


async def list_clients(
    session: AsyncSession,
    *,
    group_id: int | None = None,
    unassigned_only: bool = False,
    limit: int | None = None,
    offset: int = 0,
    columns: Sequence[str] | None = None,
) -> list[Any]:
    """Read-only rows with the given columns of Client (default: all), attribute access like the model.

    No ORM entities: a fleet-sized list would spend more time in the identity map than in the database.
    """
    table = Client.__table__
    wanted = table.columns if columns is None else [table.c[name] for name in columns]
    stmt = select(*wanted).order_by(Client.description, Client.hostname, Client.uuid)
    if unassigned_only:
        stmt = stmt.where(Client.group_id.is_(None))
    elif group_id is not None:
        stmt = stmt.where(Client.group_id == group_id)
    if limit is not None:
        stmt = stmt.limit(max(0, limit)).offset(max(0, offset))
    elif offset:
        stmt = stmt.offset(max(0, offset))
    return list((await session.execute(stmt)).all())


async def find_client(session: AsyncSession, uuid: str) -> Client | None:
    key = normalise_uuid(uuid)
    if not key or len(key) > 36:
        return None
    return await session.get(Client, key)


async def get_client(session: AsyncSession, uuid: str) -> Client:
    client = await find_client(session, uuid)
    if client is None:
        raise NotFoundError(CLIENT_NOT_FOUND)
    return client


async def update_client(
    deps: UseCaseDeps, principal: Principal, uuid: str, description: str | None, *, ip: str | None = None
) -> Client:
    text = (description or "").strip() or None
    if text is not None and len(text) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError(
            f"Die Beschreibung darf höchstens {MAX_DESCRIPTION_LENGTH} Zeichen haben.", field="description"
        )
    async with deps.db.session() as session:
        client = await get_client(session, uuid)
        old = client.description
        client.description = text
        await session.flush()
        await record_audit(
            session, principal, "client.update", "client", client.uuid, {"description": [old, text]}, ip=ip
        )
    # As the seeds do: an edit re-publishes the retained group, which heals a display that lost it.
    await publish_group_assignments(deps.publisher, [(client.uuid, client.group_id)])
    await announce_clients_updated(deps.bus, [client.uuid])
    return client


@dataclass(frozen=True)
class ClientDeletion:
    uuid: str
    # False when the retained group assignment could not be cleared on the broker.
    display_notified: bool


async def delete_client(deps: UseCaseDeps, principal: Principal, uuid: str, *, ip: str | None = None) -> ClientDeletion:
    async with deps.db.session() as session:
        client = await get_client(session, uuid)
        key, details = client.uuid, {"description": client.description, "hostname": client.hostname}
        broker_username = client.broker_username
        # Logs and commands go with it (ON DELETE CASCADE); the explicit delete keeps SQLite honest too.
        await session.execute(delete(Client).where(Client.uuid == key))
        await record_audit(session, principal, "client.delete", "client", key, details, ip=ip)
    failed = await publish_group_assignments(deps.publisher, [(key, None)])
    from app.domain.clients.broker_access import remove_broker_account  # imports this module

    await remove_broker_account(deps, key, broker_username)
    await announce_clients_updated(deps.bus, [key], deleted=True)
    return ClientDeletion(key, display_notified=not failed)


@dataclass(frozen=True)
class GroupAssignment:
    clients: list[Client]
    # Displays whose retained group_id could not be published (the DB change stands regardless).
    not_notified: list[str]


async def assign_clients_to_group(
    deps: UseCaseDeps, principal: Principal, uuids: list[str], group_id: int | None, *, ip: str | None = None
) -> GroupAssignment:
    """Move displays into a group (None = "Nicht zugeordnet") and publish each retained `group_id`."""
    keys = list(dict.fromkeys(normalise_uuid(u) for u in uuids if normalise_uuid(u)))
    if not keys:
        raise ValidationError("Keine Clients ausgewählt.", field="uuids")
    if len(keys) > MAX_BULK_ASSIGN:
        raise ValidationError(f"Höchstens {MAX_BULK_ASSIGN} Clients auf einmal.", field="uuids")
    async with deps.db.session() as session:
        if group_id is not None:
            await get_group(session, group_id)
        clients = list((await session.scalars(select(Client).where(Client.uuid.in_(keys)))).all())
        missing = sorted(set(keys) - {c.uuid for c in clients})
        if missing:
            raise NotFoundError(f"{CLIENT_NOT_FOUND}: {', '.join(missing[:10])}")
        await session.execute(update(Client).where(Client.uuid.in_(keys)).values(group_id=group_id))
        for client in clients:
            client.group_id = group_id
        await record_audit(
            session, principal, "client.assign_group", "client_group", group_id, {"clients": keys[:200]}, ip=ip
        )
    by_key = {c.uuid: c for c in clients}
    ordered = [by_key[k] for k in keys]
    not_notified = await publish_group_assignments(deps.publisher, [(k, group_id) for k in keys])
    from app.domain.clients.broker_access import sync_group_rights  # imports this module

    # A display whose broker rights could not be moved counts as not notified too.
    not_notified += [u for u in await sync_group_rights(deps, keys, group_id) if u not in not_notified]
    await announce_clients_updated(deps.bus, keys)
    return GroupAssignment(ordered, not_notified)


@dataclass(frozen=True)
class CrashedClient:
    client: Client
    alive: bool
    reason: CrashReason


async def crashed_clients(session: AsyncSession, *, now: datetime, grace_seconds: int) -> list[CrashedClient]:
    """Active displays that are not alive or whose process crashed (seed GET /api/clients/crashed)."""
    stale_before = now - timedelta(seconds=grace_seconds)
    stmt = (
        select(Client)
        .where(
            Client.is_active.is_(True),
            or_(
                Client.last_alive.is_(None),
                Client.last_alive < stale_before,
                Client.process_status == ProcessStatus.CRASHED,
            ),
        )
        .order_by(Client.description, Client.uuid)
    )
    result: list[CrashedClient] = []
    for client in (await session.scalars(stmt)).all():
        alive = is_client_alive(client.last_alive, client.is_active, now, grace_seconds)
        reason = crash_reason(alive, client.process_status)
        if reason is not None:
            result.append(CrashedClient(client, alive, reason))
    return result


async def service_failed_clients(session: AsyncSession) -> list[Client]:
    stmt = (
        select(Client)
        .where(Client.service_failed_at.is_not(None))
        .order_by(Client.service_failed_at.desc(), Client.uuid)
    )
    return list((await session.scalars(stmt)).all())


async def clear_service_failed(deps: UseCaseDeps, principal: Principal, uuid: str, *, ip: str | None = None) -> Client:
    """Clear the flag in the DB first, then the retained broker message (a failed publish is only logged)."""
    async with deps.db.session() as session:
        client = await get_client(session, uuid)
        if client.service_failed_at is None:
            return client  # nothing set: no publish, as in the seeds
        unit = client.service_failed_unit
        client.service_failed_at = None
        client.service_failed_unit = None
        await session.flush()
        await record_audit(
            session, principal, "client.clear_service_failed", "client", client.uuid, {"unit": unit}, ip=ip
        )
    if deps.publisher is None:
        log.warning("event=service_failed_not_cleared client=%s reason=no_broker_link", client.uuid)
    else:
        try:
            await deps.publisher.clear_service_failed(client.uuid)
        except Exception as exc:
            log.warning("event=service_failed_clear_publish_failed client=%s error=%s", client.uuid, exc)
    await announce_clients_updated(deps.bus, [client.uuid])
    return client
