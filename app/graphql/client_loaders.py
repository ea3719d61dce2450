"""Request-scoped DataLoaders for displays, groups and latest commands (one batched statement per kind).

They hold domain rows (the GraphQL types map them, `app.graphql.clients_types`), read through the domain's
query functions (`app.domain.clients.lookup`, `app.domain.commands.service`), so the display order and the
queries live once. List resolvers also *prime* them with what they already loaded, so a
`clients { group { name } }` over thousands of displays resolves `group` from memory without one await per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Iterable

from strawberry.dataloader import DataLoader

from app.domain.clients import lookup
from app.domain.clients.models import Client, ClientGroup
from app.domain.commands.models import ClientCommand
from app.domain.commands.service import latest_commands
from app.graphql.context import GraphQLContext, Info


class ClientLoaders:
    def __init__(self, context: GraphQLContext) -> None:
        self._context = context
        self._groups: dict[int, ClientGroup] = {}
        self._all_groups_known = False
        self.groups: DataLoader[int, ClientGroup | None] = DataLoader(self._load_groups)
        self.clients_by_group: DataLoader[int | None, list[Client]] = DataLoader(self._load_clients_by_group)
        self.clients_by_uuid: DataLoader[str, Client | None] = DataLoader(self._load_clients)
        self.latest_command: DataLoader[str, ClientCommand | None] = DataLoader(self._load_latest_commands)

    # --- groups ----------------------------------------------------------------------------------
    def group(self, group_id: int) -> ClientGroup | Awaitable[ClientGroup | None] | None:
        known = self._groups.get(group_id)
        if known is not None or self._all_groups_known:
            return known
        return self.groups.load(group_id)

    def prime_groups(self, groups: Iterable[ClientGroup], *, complete: bool) -> None:
        """Remember loaded groups; `complete` = these are all groups, so unknown ids need no query."""
        for g in groups:
            self._groups[g.id] = g
        self._all_groups_known = self._all_groups_known or complete

    async def _load_groups(self, keys: list[int]) -> list[ClientGroup | None]:
        async with self._context.read_session() as session:
            found = await lookup.groups_by_ids(session, keys)
        self._groups.update(found)
        return [found.get(k) for k in keys]

    # --- clients of a group (None = "Nicht zugeordnet") ------------------------------------------
    def prime_clients_by_group(self, clients: Iterable[Client], group_ids: Iterable[int | None]) -> None:
        grouped: dict[int | None, list[Client]] = defaultdict(list)
        for client in clients:
            grouped[client.group_id].append(client)
        for gid in group_ids:
            self.clients_by_group.prime(gid, grouped.get(gid, []))

    async def _load_clients_by_group(self, keys: list[int | None]) -> list[list[Client]]:
        async with self._context.read_session() as session:
            grouped = await lookup.clients_of_groups(session, keys)
        return [grouped.get(k, []) for k in keys]

    # --- clients by uuid -------------------------------------------------------------------------
    async def _load_clients(self, keys: list[str]) -> list[Client | None]:
        async with self._context.read_session() as session:
            found = await lookup.clients_by_uuids(session, keys)
        return [found.get(k) for k in keys]

    # --- latest command per client ---------------------------------------------------------------
    async def _load_latest_commands(self, keys: list[str]) -> list[ClientCommand | None]:
        async with self._context.read_session() as session:
            found = await latest_commands(session, keys)
        return [found.get(k) for k in keys]


def client_loaders(info: Info) -> ClientLoaders:
    loaders = info.context.loaders
    existing = loaders.get("clients")
    if existing is None:
        existing = loaders["clients"] = ClientLoaders(info.context)
    return existing  # type: ignore[no-any-return]
