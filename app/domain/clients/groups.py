"""Room groups: create, rename, delete (clients fall back to "Nicht zugeordnet") and display order."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.clients.broker_rights import sync_group_rights
from app.domain.clients.lookup import get_group, list_groups
from app.domain.clients.models import Client, ClientGroup
from app.domain.clients.notify import clients_updated, groups_changed, publish_group_assignments
from app.domain.enums import Role
from app.domain.errors import ConflictError, ValidationError
from app.domain.ports import UseCaseDeps
from app.domain.usecase import require_role, unit_of_work
from app.domain.users.tokens import Principal

__all__ = [
    "UNASSIGNED_GROUP_NAME",
    "UNASSIGNED_GROUP_NAMES",
    "CreateGroup",
    "DeleteGroup",
    "GroupDeletion",
    "RenameGroup",
    "SetGroupOrder",
    "clean_group_name",
    "create_group",
    "delete_group",
    "get_group",
    "list_groups",
    "rename_group",
    "set_group_order",
]

UNASSIGNED_GROUP_NAME = "Nicht zugeordnet"
# The pseudo-group's name per caller language (`de` is the default); no real group may take either.
UNASSIGNED_GROUP_NAMES = {"de": UNASSIGNED_GROUP_NAME, "en": "Unassigned"}
MAX_GROUP_NAME_LENGTH = 100


@dataclass(frozen=True)
class CreateGroup:
    name: str


@dataclass(frozen=True)
class RenameGroup:
    group_id: int
    name: str


@dataclass(frozen=True)
class DeleteGroup:
    group_id: int


@dataclass(frozen=True)
class SetGroupOrder:
    ids: list[int]


def clean_group_name(raw: str | None) -> str:
    """Trimmed (inner whitespace collapsed), non-empty, not the reserved pseudo-group name."""
    name = re.sub(r"\s+", " ", raw or "").strip()
    if not name:
        raise ValidationError("group.name_empty", field="name")
    if len(name) > MAX_GROUP_NAME_LENGTH:
        raise ValidationError("group.name_too_long", field="name", max=MAX_GROUP_NAME_LENGTH)
    for reserved in UNASSIGNED_GROUP_NAMES.values():
        if name.casefold() == reserved.casefold():
            raise ValidationError("group.name_reserved", field="name", name=reserved)
    return name


async def _ensure_unique(session: AsyncSession, name: str, *, except_id: int | None = None) -> None:
    # Case-insensitive on both engines (MariaDB's collation already is; SQLite's is not).
    stmt = select(ClientGroup.id).where(func.lower(ClientGroup.name) == name.lower())
    if except_id is not None:
        stmt = stmt.where(ClientGroup.id != except_id)
    if await session.scalar(stmt.limit(1)) is not None:
        raise ConflictError("group.name_taken", field="name", name=name)


async def create_group(deps: UseCaseDeps, principal: Principal, command: CreateGroup) -> ClientGroup:
    require_role(principal, Role.ADMIN)
    clean = clean_group_name(command.name)
    async with unit_of_work(deps, principal) as uow:
        await _ensure_unique(uow.session, clean)
        last = await uow.session.scalar(select(func.max(ClientGroup.display_order)))
        group = ClientGroup(name=clean, display_order=(last or 0) + 1)
        uow.session.add(group)
        await uow.session.flush()
        await uow.audit("group.create", "client_group", group.id, {"name": clean})
        uow.announce(groups_changed(group.id, "created"))
    return group


async def rename_group(deps: UseCaseDeps, principal: Principal, command: RenameGroup) -> ClientGroup:
    require_role(principal, Role.ADMIN)
    clean = clean_group_name(command.name)
    async with unit_of_work(deps, principal) as uow:
        group = await get_group(uow.session, command.group_id)
        old = group.name
        if old != clean:
            await _ensure_unique(uow.session, clean, except_id=group.id)
            group.name = clean
            await uow.session.flush()
            await uow.audit("group.rename", "client_group", group.id, {"from": old, "to": clean})
        uow.announce(groups_changed(group.id, "renamed"))
    return group


@dataclass(frozen=True)
class GroupDeletion:
    group_id: int
    name: str
    # Clients that fell back to "Nicht zugeordnet", and those whose retained assignment could not be cleared.
    unassigned: list[str]
    not_notified: list[str]


async def delete_group(deps: UseCaseDeps, principal: Principal, command: DeleteGroup) -> GroupDeletion:
    require_role(principal, Role.ADMIN)
    async with unit_of_work(deps, principal) as uow:
        session = uow.session
        group = await get_group(session, command.group_id)
        name = group.name
        uuids = list((await session.scalars(select(Client.uuid).where(Client.group_id == group.id))).all())
        await session.execute(update(Client).where(Client.group_id == group.id).values(group_id=None))
        await session.delete(group)
        await session.flush()
        await uow.audit("group.delete", "client_group", command.group_id, {"name": name, "clients": len(uuids)})
        not_notified: list[str] = []

        async def tell_displays() -> None:
            # Retained state and broker rights follow the commit (the database is the truth); reported only.
            not_notified.extend(await publish_group_assignments(deps.publisher, [(uuid, None) for uuid in uuids]))
            await sync_group_rights(deps, uuids, None)

        uow.after_commit(tell_displays)
        for event in clients_updated(uuids):
            uow.announce(event)
        uow.announce(groups_changed(command.group_id, "deleted"))
    return GroupDeletion(command.group_id, name, uuids, not_notified)


async def set_group_order(deps: UseCaseDeps, principal: Principal, command: SetGroupOrder) -> list[ClientGroup]:
    """Persist the order; groups missing from `ids` keep their relative order after the listed ones."""
    require_role(principal, Role.ADMIN)
    ids = list(command.ids)
    if len(set(ids)) != len(ids):
        raise ValidationError("group.order_duplicate", field="ids")
    async with unit_of_work(deps, principal) as uow:
        groups = await list_groups(uow.session)
        by_id = {g.id: g for g in groups}
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise ValidationError("group.order_unknown", field="ids", ids=", ".join(map(str, unknown)))
        ordered = [by_id[i] for i in ids] + [g for g in groups if g.id not in set(ids)]
        for position, group in enumerate(ordered, start=1):
            group.display_order = position
        await uow.session.flush()
        await uow.audit("group.order", "client_group", None, {"ids": [g.id for g in ordered]})
        uow.announce(groups_changed(None, "reordered"))
    return ordered
