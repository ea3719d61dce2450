"""Client (display) use cases: editing, deleting, group assignment, clearing service_failed; crash views."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.clients.broker_rights import remove_broker_account, sync_group_rights
from app.domain.clients.lookup import (
    CLIENT_ORDER,
    find_client,
    get_client,
    get_group,
    list_clients,
    normalise_uuid,
)
from app.domain.clients.models import Client
from app.domain.clients.notify import clients_updated, publish_group_assignments
from app.domain.clients.status import crash_reason, crashed_sql, is_client_alive
from app.domain.enums import CrashReason, Role
from app.domain.errors import NotFoundError, ValidationError
from app.domain.ports import UseCaseDeps
from app.domain.usecase import require_role, unit_of_work
from app.domain.users.tokens import Principal

__all__ = [
    "AssignClients",
    "ClearServiceFailed",
    "ClientDeletion",
    "CrashedClient",
    "DeleteClient",
    "GroupAssignment",
    "UpdateClient",
    "assign_clients_to_group",
    "clear_service_failed",
    "crashed_clients",
    "delete_client",
    "find_client",
    "get_client",
    "list_clients",
    "normalise_uuid",
    "service_failed_clients",
    "update_client",
]

log = logging.getLogger(__name__)

MAX_DESCRIPTION_LENGTH = 255
MAX_BULK_ASSIGN = 10_000


@dataclass(frozen=True)
class UpdateClient:
    uuid: str
    description: str | None


@dataclass(frozen=True)
class DeleteClient:
    uuid: str


@dataclass(frozen=True)
class AssignClients:
    uuids: list[str]
    group_id: int | None  # None = "Nicht zugeordnet"


@dataclass(frozen=True)
class ClearServiceFailed:
    uuid: str


async def update_client(deps: UseCaseDeps, principal: Principal, command: UpdateClient) -> Client:
    require_role(principal, Role.ADMIN)
    text = (command.description or "").strip() or None
    if text is not None and len(text) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError("client.description_too_long", field="description", max=MAX_DESCRIPTION_LENGTH)
    async with unit_of_work(deps, principal) as uow:
        client = await get_client(uow.session, command.uuid)
        old = client.description
        client.description = text
        await uow.session.flush()
        await uow.audit("client.update", "client", client.uuid, {"description": [old, text]})
        # As the seeds do: an edit re-publishes the retained group, which heals a display that lost it.
        pair = (client.uuid, client.group_id)
        uow.after_commit(lambda: publish_group_assignments(deps.publisher, [pair]))
        for event in clients_updated([client.uuid]):
            uow.announce(event)
    return client


@dataclass(frozen=True)
class ClientDeletion:
    uuid: str
    # False when the retained group assignment could not be cleared on the broker.
    display_notified: bool


async def delete_client(deps: UseCaseDeps, principal: Principal, command: DeleteClient) -> ClientDeletion:
    require_role(principal, Role.ADMIN)
    failed: list[str] = []
    async with unit_of_work(deps, principal) as uow:
        client = await get_client(uow.session, command.uuid)
        key, details = client.uuid, {"description": client.description, "hostname": client.hostname}
        broker_username = client.broker_username
        # Logs and commands go with it (ON DELETE CASCADE); the explicit delete keeps SQLite honest too.
        await uow.session.execute(delete(Client).where(Client.uuid == key))
        await uow.audit("client.delete", "client", key, details)

        async def tell_display() -> None:
            failed.extend(await publish_group_assignments(deps.publisher, [(key, None)]))
            await remove_broker_account(deps, key, broker_username)

        uow.after_commit(tell_display)
        for event in clients_updated([key], deleted=True):
            uow.announce(event)
    return ClientDeletion(key, display_notified=not failed)


@dataclass(frozen=True)
class GroupAssignment:
    clients: list[Client]
    # Displays whose retained group_id could not be published (the DB change stands regardless).
    not_notified: list[str]


async def assign_clients_to_group(deps: UseCaseDeps, principal: Principal, command: AssignClients) -> GroupAssignment:
    """Move displays into a group (None = "Nicht zugeordnet") and publish each retained `group_id`."""
    require_role(principal, Role.ADMIN)
    group_id = command.group_id
    keys = list(dict.fromkeys(normalise_uuid(u) for u in command.uuids if normalise_uuid(u)))
    if not keys:
        raise ValidationError("client.none_selected", field="uuids")
    if len(keys) > MAX_BULK_ASSIGN:
        raise ValidationError("client.too_many", field="uuids", max=MAX_BULK_ASSIGN)
    not_notified: list[str] = []
    async with unit_of_work(deps, principal) as uow:
        session = uow.session
        if group_id is not None:
            await get_group(session, group_id)
        clients = list((await session.scalars(select(Client).where(Client.uuid.in_(keys)))).all())
        missing = sorted(set(keys) - {c.uuid for c in clients})
        if missing:
            raise NotFoundError("client.not_found_some", uuids=", ".join(missing[:10]))
        await session.execute(update(Client).where(Client.uuid.in_(keys)).values(group_id=group_id))
        for client in clients:
            client.group_id = group_id
        await uow.audit("client.assign_group", "client_group", group_id, {"clients": keys[:200]})

        async def tell_displays() -> None:
            not_notified.extend(await publish_group_assignments(deps.publisher, [(k, group_id) for k in keys]))
            # A display whose broker rights could not be moved counts as not notified too.
            not_notified.extend(u for u in await sync_group_rights(deps, keys, group_id) if u not in not_notified)

        uow.after_commit(tell_displays)
        for event in clients_updated(keys):
            uow.announce(event)
    by_key = {c.uuid: c for c in clients}
    return GroupAssignment([by_key[k] for k in keys], not_notified)


@dataclass(frozen=True)
class CrashedClient:
    client: Client
    alive: bool
    reason: CrashReason


async def crashed_clients(session: AsyncSession, *, now: datetime, grace_seconds: int) -> list[CrashedClient]:
    """Active displays that are not alive or whose process crashed (seed GET /api/clients/crashed)."""
    stmt = select(Client).where(crashed_sql(now, grace_seconds, never_seen=True)).order_by(*CLIENT_ORDER)
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


async def clear_service_failed(deps: UseCaseDeps, principal: Principal, command: ClearServiceFailed) -> Client:
    """Clear the flag in the DB first, then the retained broker message (a failed publish is only logged)."""
    require_role(principal, Role.ADMIN)
    async with unit_of_work(deps, principal) as uow:
        client = await get_client(uow.session, command.uuid)
        if client.service_failed_at is None:
            return client  # nothing set: no publish, as in the seeds
        unit = client.service_failed_unit
        client.service_failed_at = None
        client.service_failed_unit = None
        await uow.session.flush()
        await uow.audit("client.clear_service_failed", "client", client.uuid, {"unit": unit})
        key = client.uuid
        uow.after_commit(lambda: _clear_retained_service_failed(deps, key))
        for event in clients_updated([key]):
            uow.announce(event)
    return client


async def _clear_retained_service_failed(deps: UseCaseDeps, uuid: str) -> None:
    if deps.publisher is None:
        log.warning("event=service_failed_not_cleared client=%s reason=no_broker_link", uuid)
        return
    try:
        await deps.publisher.clear_service_failed(uuid)
    except Exception as exc:
        log.warning("event=service_failed_clear_publish_failed client=%s error=%s", uuid, exc)
