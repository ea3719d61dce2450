"""Room groups: create, rename, delete (clients fall back to "Nicht zugeordnet") and display order."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.audit.service import record_audit
from app.domain.clients.models import Client, ClientGroup
from app.domain.clients.notify import announce_clients_updated, announce_groups_changed, publish_group_assignments
from app.domain.errors import ConflictError, NotFoundError, ValidationError
from app.domain.ports import UseCaseDeps
from app.domain.users.tokens import Principal

UNASSIGNED_GROUP_NAME = "Nicht zugeordnet"
MAX_GROUP_NAME_LENGTH = 100


def clean_group_name(raw: str | None) -> str:
    """Trimmed (inner whitespace collapsed), non-empty, not the reserved pseudo-group name."""
    name = re.sub(r"\s+", " ", raw or "").strip()
    if not name:
        raise ValidationError("Der Gruppenname darf nicht leer sein.", field="name")
    if len(name) > MAX_GROUP_NAME_LENGTH:
        raise ValidationError(f"Der Gruppenname darf höchstens {MAX_GROUP_NAME_LENGTH} Zeichen haben.", field="name")
    if name.casefold() == UNASSIGNED_GROUP_NAME.casefold():
        raise ValidationError(f'"{UNASSIGNED_GROUP_NAME}" ist reserviert.', field="name")
    return name


async def list_groups(session: AsyncSession) -> list[ClientGroup]:
    """All groups in their saved display order (ties by name, then id)."""
    stmt = select(ClientGroup).order_by(ClientGroup.display_order, ClientGroup.name, ClientGroup.id)
    return list((await session.scalars(stmt)).all())


async def get_group(session: AsyncSession, group_id: int) -> ClientGroup:
    group = await session.get(ClientGroup, group_id)
    if group is None:
        raise NotFoundError("Gruppe nicht gefunden")
    return group


async def _ensure_unique(session: AsyncSession, name: str, *, except_id: int | None = None) -> None:
    # Case-insensitive on both engines (MariaDB's collation already is; SQLite's is not).
    stmt = select(ClientGroup.id).where(func.lower(ClientGroup.name) == name.lower())
    if except_id is not None:
        stmt = stmt.where(ClientGroup.id != except_id)
    if await session.scalar(stmt.limit(1)) is not None:
        raise ConflictError(f'Eine Gruppe "{name}" existiert bereits.')


async def create_group(deps: UseCaseDeps, principal: Principal, name: str, *, ip: str | None = None) -> ClientGroup:
    clean = clean_group_name(name)
    async with deps.db.session() as session:
        await _ensure_unique(session, clean)
        last = await session.scalar(select(func.max(ClientGroup.display_order)))
        group = ClientGroup(name=clean, display_order=(last or 0) + 1)
        session.add(group)
        await session.flush()
        await record_audit(session, principal, "group.create", "client_group", group.id, {"name": clean}, ip=ip)
    await announce_groups_changed(deps.bus, group.id, "created")
    return group


async def rename_group(
    deps: UseCaseDeps, principal: Principal, group_id: int, name: str, *, ip: str | None = None
) -> ClientGroup:
    clean = clean_group_name(name)
    async with deps.db.session() as session:
        group = await get_group(session, group_id)
        old = group.name
        if old != clean:
            await _ensure_unique(session, clean, except_id=group_id)
            group.name = clean
            await session.flush()
            await record_audit(
                session, principal, "group.rename", "client_group", group_id, {"from": old, "to": clean}, ip=ip
            )
    await announce_groups_changed(deps.bus, group_id, "renamed")
    return group


@dataclass(frozen=True)
class GroupDeletion:
    group_id: int
    name: str
    # Clients that fell back to "Nicht zugeordnet", and those whose retained assignment could not be cleared.
    unassigned: list[str]
    not_notified: list[str]


async def delete_group(
    deps: UseCaseDeps, principal: Principal, group_id: int, *, ip: str | None = None
) -> GroupDeletion:
    async with deps.db.session() as session:
        group = await get_group(session, group_id)
        name = group.name
        uuids = list((await session.scalars(select(Client.uuid).where(Client.group_id == group_id))).all())
        await session.execute(update(Client).where(Client.group_id == group_id).values(group_id=None))
        await session.delete(group)
        await session.flush()
        await record_audit(
            session, principal, "group.delete", "client_group", group_id, {"name": name, "clients": len(uuids)}, ip=ip
        )
    not_notified = await publish_group_assignments(deps.publisher, [(uuid, None) for uuid in uuids])
    from app.domain.clients.broker_access import sync_group_rights  # imports this module

    await sync_group_rights(deps, uuids, None)
    await announce_clients_updated(deps.bus, uuids)
    await announce_groups_changed(deps.bus, group_id, "deleted")
    return GroupDeletion(group_id, name, uuids, not_notified)


async def set_group_order(
    deps: UseCaseDeps, principal: Principal, ids: list[int], *, ip: str | None = None
) -> list[ClientGroup]:
    """Persist the order; groups missing from `ids` keep their relative order after the listed ones."""
    if len(set(ids)) != len(ids):
        raise ValidationError("Die Reihenfolge enthält eine Gruppe mehrfach.", field="ids")
    async with deps.db.session() as session:
        groups = await list_groups(session)
        by_id = {g.id: g for g in groups}
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise ValidationError(f"Unbekannte Gruppen: {', '.join(map(str, unknown))}", field="ids")
        ordered = [by_id[i] for i in ids] + [g for g in groups if g.id not in set(ids)]
        for position, group in enumerate(ordered, start=1):
            group.display_order = position
        await session.flush()
        await record_audit(
            session, principal, "group.order", "client_group", None, {"ids": [g.id for g in ordered]}, ip=ip
        )
    await announce_groups_changed(deps.bus, None, "reordered")
    return ordered
