"""Reading displays and groups: the lookups every clients use case shares, and the one display order.

The lowest layer of `app.domain.clients` (models only): `service`, `groups` and `broker_access` build on
it, and the GraphQL loaders read through it, so none of them needs another.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.clients.models import Client, ClientGroup
from app.domain.errors import NotFoundError

# The order displays are listed in everywhere (lists, group boards, crash views): description, then
# hostname, then uuid (unique, so the order is total).
CLIENT_ORDER = (Client.description, Client.hostname, Client.uuid)
# Groups: their saved display order, ties by name, then id.
GROUP_ORDER = (ClientGroup.display_order, ClientGroup.name, ClientGroup.id)

# Keys per IN (...) list: far below SQLite's variable limit, one statement for any realistic fleet.
_CHUNK = 5000


def normalise_uuid(raw: str) -> str:
    """Lookup form of a uuid argument (trimmed, lower case); not a syntax check (see app.domain.uuids)."""
    return (raw or "").strip().lower()


async def find_client(session: AsyncSession, uuid: str) -> Client | None:
    key = normalise_uuid(uuid)
    if not key or len(key) > 36:
        return None
    return await session.get(Client, key)


async def get_client(session: AsyncSession, uuid: str, *, for_update: bool = False) -> Client:
    key = normalise_uuid(uuid)
    client = await session.get(Client, key, with_for_update=for_update) if key and len(key) <= 36 else None
    if client is None:
        raise NotFoundError("client.not_found", uuid=key)
    return client


async def get_group(session: AsyncSession, group_id: int) -> ClientGroup:
    group = await session.get(ClientGroup, group_id)
    if group is None:
        raise NotFoundError("group.not_found", id=group_id)
    return group


async def list_groups(session: AsyncSession) -> list[ClientGroup]:
    """All groups in their saved display order."""
    return list((await session.scalars(select(ClientGroup).order_by(*GROUP_ORDER))).all())


async def groups_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, ClientGroup]:
    found: dict[int, ClientGroup] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        found.update({g.id: g for g in (await session.scalars(select(ClientGroup).where(ClientGroup.id.in_(chunk))))})
    return found


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
    stmt = select(*wanted).order_by(*CLIENT_ORDER)
    if unassigned_only:
        stmt = stmt.where(Client.group_id.is_(None))
    elif group_id is not None:
        stmt = stmt.where(Client.group_id == group_id)
    if limit is not None:
        stmt = stmt.limit(max(0, limit)).offset(max(0, offset))
    elif offset:
        stmt = stmt.offset(max(0, offset))
    return list((await session.execute(stmt)).all())


async def clients_of_groups(session: AsyncSession, group_ids: Sequence[int | None]) -> dict[int | None, list[Client]]:
    """The displays of each group (None = "Nicht zugeordnet"), each list in the display order."""
    ids = [k for k in group_ids if k is not None]
    conditions = []
    if ids:
        conditions.append(Client.group_id.in_(ids))
    if None in group_ids:
        conditions.append(Client.group_id.is_(None))
    grouped: dict[int | None, list[Client]] = {k: [] for k in group_ids}
    if not conditions:
        return grouped
    stmt = select(Client).where(or_(*conditions)).order_by(*CLIENT_ORDER)
    for client in (await session.scalars(stmt)).all():
        grouped.setdefault(client.group_id, []).append(client)
    return grouped


async def clients_by_uuids(session: AsyncSession, uuids: Sequence[str]) -> dict[str, Client]:
    found: dict[str, Client] = {}
    for start in range(0, len(uuids), _CHUNK):
        chunk = list(uuids[start : start + _CHUNK])
        found.update({c.uuid: c for c in (await session.scalars(select(Client).where(Client.uuid.in_(chunk))))})
    return found
