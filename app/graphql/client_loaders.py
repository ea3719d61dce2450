"""Request-scoped DataLoaders for clients, groups and latest commands (one batched statement per kind).

List resolvers also *prime* them with what they already loaded, so a `clients { group { name } }` over
thousands of displays resolves `group` from memory without one await per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased
from strawberry.dataloader import DataLoader

from app.domain.clients.models import Client, ClientGroup
from app.domain.commands.models import ClientCommand
from app.graphql.clients_types import ClientGroupType, ClientType, client_types
from app.graphql.context import GraphQLContext, Info

if TYPE_CHECKING:
    from app.graphql.commands import ClientCommandType

# Keys per IN (...) list: far below SQLite's variable limit, a single statement for any realistic fleet.
_CHUNK = 5000


def _chunks(keys: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(keys), _CHUNK):
        yield keys[i : i + _CHUNK]


class ClientLoaders:
    def __init__(self, context: GraphQLContext) -> None:
        self._context = context
        self._grace = context.settings.heartbeat_grace_seconds
        self._groups: dict[int, ClientGroupType] = {}
        self._all_groups_known = False
        self.groups: DataLoader[int, ClientGroupType | None] = DataLoader(self._load_groups)
        self.clients_by_group: DataLoader[int | None, list[ClientType]] = DataLoader(self._load_clients_by_group)
        self.clients_by_uuid: DataLoader[str, ClientType | None] = DataLoader(self._load_clients)
        self.latest_command: DataLoader[str, ClientCommandType | None] = DataLoader(self._load_latest_commands)

    # --- groups ----------------------------------------------------------------------------------
    def group(self, group_id: int) -> ClientGroupType | Awaitable[ClientGroupType | None] | None:
        known = self._groups.get(group_id)
        if known is not None or self._all_groups_known:
            return known
        return self.groups.load(group_id)

    def prime_groups(self, groups: Iterable[ClientGroup], *, complete: bool) -> list[ClientGroupType]:
        """Remember loaded groups; `complete` = these are all groups, so unknown ids need no query."""
        mapped = [ClientGroupType.from_model(g) for g in groups]
        for g in mapped:
            assert g.id is not None
            self._groups[g.id] = g
        self._all_groups_known = self._all_groups_known or complete
        return mapped

    async def _load_groups(self, keys: list[int]) -> list[ClientGroupType | None]:
        found: dict[int, ClientGroupType] = {}
        async with self._context.read_session() as session:
            for chunk in _chunks(keys):
                rows = (await session.scalars(select(ClientGroup).where(ClientGroup.id.in_(chunk)))).all()
                found.update({g.id: ClientGroupType.from_model(g) for g in rows})
        self._groups.update(found)
        return [found.get(k) for k in keys]

    # --- clients of a group (None = "Nicht zugeordnet") ------------------------------------------
    def prime_clients_by_group(self, clients: Iterable[Client], group_ids: Iterable[int | None]) -> None:
        grouped: dict[int | None, list[Client]] = defaultdict(list)
        for client in clients:
            grouped[client.group_id].append(client)
        for gid in group_ids:
            self.clients_by_group.prime(gid, client_types(grouped.get(gid, []), self._grace))

    async def _load_clients_by_group(self, keys: list[int | None]) -> list[list[ClientType]]:
        ids = [k for k in keys if k is not None]
        conditions = []
        if ids:
            conditions.append(Client.group_id.in_(ids))
        if None in keys:
            conditions.append(Client.group_id.is_(None))
        stmt = select(Client).where(or_(*conditions)).order_by(Client.description, Client.hostname, Client.uuid)
        async with self._context.read_session() as session:
            rows = list((await session.scalars(stmt)).all())
        grouped: dict[int | None, list[Client]] = defaultdict(list)
        for client in rows:
            grouped[client.group_id].append(client)
        return [client_types(grouped.get(k, []), self._grace) for k in keys]

    # --- clients by uuid -------------------------------------------------------------------------
    async def _load_clients(self, keys: list[str]) -> list[ClientType | None]:
        found: dict[str, ClientType] = {}
        async with self._context.read_session() as session:
            for chunk in _chunks(keys):
                rows = (await session.scalars(select(Client).where(Client.uuid.in_(chunk)))).all()
                found.update({c.uuid: c for c in client_types(rows, self._grace)})
        return [found.get(k) for k in keys]

    # --- latest command per client ---------------------------------------------------------------
    async def _load_latest_commands(self, keys: list[str]) -> list[ClientCommandType | None]:
        from app.graphql.commands import ClientCommandType

        found: dict[str, ClientCommandType] = {}
        async with self._context.read_session() as session:
            for chunk in _chunks(keys):
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
                rows = (await session.scalars(select(latest).where(ranked.c.rn == 1))).all()
                found.update({c.client_uuid: ClientCommandType.from_model(c) for c in rows})
        return [found.get(k) for k in keys]


def client_loaders(info: Info) -> ClientLoaders:
    loaders = info.context.loaders
    existing = loaders.get("clients")
    if existing is None:
        existing = loaders["clients"] = ClientLoaders(info.context)
    return existing  # type: ignore[no-any-return]
