"""Displays and room groups: queries (login), edits and group management (admin+), crash views (admin+)."""

from __future__ import annotations

from typing import Annotated, Union

import strawberry

from app.domain.clients import groups, lookup
from app.domain.clients import service as clients
from app.domain.clock import utcnow
from app.domain.enums import Role
from app.domain.ports import UseCaseDeps
from app.graphql.calls import caller, outcome
from app.graphql.client_loaders import client_loaders
from app.graphql.clients_types import (
    ClientGroupType,
    ClientType,
    CrashReason,
    client_columns_for,
    client_type,
    client_types,
    client_types_from_rows,
    grace_seconds,
)
from app.graphql.context import Info
from app.graphql.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from app.graphql.permissions import require
from app.graphql.selection import selected_attributes

MAX_PAGE = 20_000


@strawberry.type
class CrashedClient:
    client: ClientType
    crash_reason: CrashReason  # type: ignore[valid-type]


@strawberry.type
class GroupDeleted:
    id: int
    name: str
    unassigned_clients: list[str] = strawberry.field(description="Displays that fell back to “Nicht zugeordnet”.")
    not_notified: list[str] = strawberry.field(description="Displays whose retained group could not be cleared.")


@strawberry.type
class GroupOrder:
    groups: list[ClientGroupType]


@strawberry.type
class ClientsAssigned:
    clients: list[ClientType]
    not_notified: list[str] = strawberry.field(
        description="Displays that could not be told over MQTT (the assignment is saved regardless)."
    )

    @strawberry.field
    def all_notified(self) -> bool:
        return not self.not_notified


@strawberry.type
class ClientDeleted:
    uuid: str
    display_notified: bool


GroupResult = Annotated[
    Union[ClientGroupType, ValidationError, ConflictError, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("GroupResult"),
]
DeleteGroupResult = Annotated[
    Union[GroupDeleted, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("DeleteGroupResult"),
]
GroupOrderResult = Annotated[
    Union[GroupOrder, ValidationError, ForbiddenError],  # noqa: UP007
    strawberry.union("GroupOrderResult"),
]
AssignClientsResult = Annotated[
    Union[ClientsAssigned, ValidationError, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("AssignClientsResult"),
]
ClientResult = Annotated[
    Union[ClientType, ValidationError, NotFoundError, ConflictError, ForbiddenError],  # noqa: UP007
    strawberry.union("ClientResult"),
]
DeleteClientResult = Annotated[
    Union[ClientDeleted, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("DeleteClientResult"),
]


@strawberry.type
class ClientsQuery:
    @strawberry.field(description="Displays, optionally of one group (or only the unassigned ones), by description.")
    async def clients(
        self,
        info: Info,
        group_id: int | None = None,
        unassigned: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ClientType]:
        require(info)
        page = None if limit is None else max(0, min(limit, MAX_PAGE))
        async with info.context.read_session() as session:
            rows = await lookup.list_clients(
                session,
                group_id=group_id,
                unassigned_only=unassigned,
                limit=page,
                offset=offset,
                columns=client_columns_for(selected_attributes(info, ClientType)),
            )
            # All groups in one statement: `group` then resolves without a query or an await per client.
            client_loaders(info).prime_groups(await lookup.list_groups(session), complete=True)
        return client_types_from_rows(rows, grace_seconds(info))

    @strawberry.field(description="One display, or null if the uuid is unknown.")
    async def client(self, info: Info, uuid: str) -> ClientType | None:
        require(info)
        async with info.context.read_session() as session:
            model = await lookup.find_client(session, uuid)
        return None if model is None else client_type(model, info)

    @strawberry.field(
        description="Groups in display order, each with its clients; the pseudo-group “Nicht zugeordnet” "
        "(id null; “Unassigned” for a caller asking in English) comes last unless includeUnassigned is false."
    )
    async def groups(self, info: Info, include_unassigned: bool = True) -> list[ClientGroupType]:
        require(info)
        loaders = client_loaders(info)
        async with info.context.read_session() as session:
            models = await lookup.list_groups(session)
            clients = await lookup.list_clients(session)
        loaders.prime_groups(models, complete=True)
        result = [ClientGroupType.from_model(g) for g in models]
        if include_unassigned:
            result.append(ClientGroupType.unassigned(len(result) + 1, info.context.language))
        loaders.prime_clients_by_group(clients, [g.id for g in result])
        return result

    @strawberry.field(description="One group, or null if the id is unknown.")
    async def group(self, info: Info, id: int) -> ClientGroupType | None:
        require(info)
        model = await client_loaders(info).groups.load(id)
        return None if model is None else ClientGroupType.from_model(model)

    @strawberry.field(description="Displays in no group (“Nicht zugeordnet”).")
    async def unassigned_clients(self, info: Info) -> list[ClientType]:
        require(info)
        async with info.context.read_session() as session:
            models = await lookup.list_clients(session, unassigned_only=True)
        return client_types(models, grace_seconds(info))

    @strawberry.field(description="The heartbeat grace period (seconds) isAlive uses in this ENV.")
    def heartbeat_grace_period_seconds(self, info: Info) -> int:
        require(info)
        return grace_seconds(info)

    @strawberry.field(description="Active displays that are not alive or whose process crashed (admin+).")
    async def crashed_clients(self, info: Info) -> list[CrashedClient]:
        require(info, Role.ADMIN)
        grace = grace_seconds(info)
        now = utcnow()
        async with info.context.read_session() as session:
            rows = await clients.crashed_clients(session, now=now, grace_seconds=grace)
        return [CrashedClient(client=ClientType.from_model(r.client, now, grace), crash_reason=r.reason) for r in rows]

    @strawberry.field(description="Displays with a service_failed flag, newest first (admin+).")
    async def service_failed_clients(self, info: Info) -> list[ClientType]:
        require(info, Role.ADMIN)
        async with info.context.read_session() as session:
            models = await clients.service_failed_clients(session)
        return client_types(models, grace_seconds(info))


@strawberry.type
class ClientsMutation:
    @strawberry.mutation(description="Create a room group (admin+).")
    async def create_group(self, info: Info, name: str) -> GroupResult:
        async def run() -> ClientGroupType:
            group = await groups.create_group(_deps(info), caller(info), groups.CreateGroup(name))
            return ClientGroupType.from_model(group)

        return await outcome(run())  # type: ignore[return-value]

    @strawberry.mutation(description="Rename a room group (admin+).")
    async def rename_group(self, info: Info, id: int, name: str) -> GroupResult:
        async def run() -> ClientGroupType:
            group = await groups.rename_group(_deps(info), caller(info), groups.RenameGroup(id, name))
            return ClientGroupType.from_model(group)

        return await outcome(run())  # type: ignore[return-value]

    @strawberry.mutation(description="Delete a room group; its displays fall back to “Nicht zugeordnet” (admin+).")
    async def delete_group(self, info: Info, id: int) -> DeleteGroupResult:
        async def run() -> GroupDeleted:
            done = await groups.delete_group(_deps(info), caller(info), groups.DeleteGroup(id))
            return GroupDeleted(
                id=done.group_id, name=done.name, unassigned_clients=done.unassigned, not_notified=done.not_notified
            )

        return await outcome(run())  # type: ignore[return-value]

    @strawberry.mutation(description="Save the display order of the groups (ids first to last; admin+).")
    async def set_group_order(self, info: Info, ids: list[int]) -> GroupOrderResult:
        async def run() -> GroupOrder:
            ordered = await groups.set_group_order(_deps(info), caller(info), groups.SetGroupOrder(ids))
            return GroupOrder(groups=[ClientGroupType.from_model(g) for g in ordered])

        return await outcome(run())  # type: ignore[return-value]

    @strawberry.mutation(description="Move displays into a group and publish each retained group_id (admin+).")
    async def assign_clients_to_group(self, info: Info, uuids: list[str], group_id: int) -> AssignClientsResult:
        return await _assign(info, uuids, group_id)

    @strawberry.mutation(description="Move displays to “Nicht zugeordnet” and clear their retained group_id (admin+).")
    async def unassign_clients(self, info: Info, uuids: list[str]) -> AssignClientsResult:
        return await _assign(info, uuids, None)

    @strawberry.mutation(description="Edit a display's description (admin+).")
    async def update_client(self, info: Info, uuid: str, description: str | None) -> ClientResult:
        async def run() -> ClientType:
            command = clients.UpdateClient(uuid, description)
            return client_type(await clients.update_client(_deps(info), caller(info), command), info)

        return await outcome(run())  # type: ignore[return-value]

    @strawberry.mutation(description="Remove a display with its logs and commands; clears its retained group_id.")
    async def delete_client(self, info: Info, uuid: str) -> DeleteClientResult:
        async def run() -> ClientDeleted:
            done = await clients.delete_client(_deps(info), caller(info), clients.DeleteClient(uuid))
            return ClientDeleted(uuid=done.uuid, display_notified=done.display_notified)

        return await outcome(run())  # type: ignore[return-value]

    @strawberry.mutation(description="Acknowledge a service_failed flag: DB first, then the retained message (admin+).")
    async def clear_service_failed(self, info: Info, uuid: str) -> ClientResult:
        async def run() -> ClientType:
            command = clients.ClearServiceFailed(uuid)
            return client_type(await clients.clear_service_failed(_deps(info), caller(info), command), info)

        return await outcome(run())  # type: ignore[return-value]


def _deps(info: Info) -> UseCaseDeps:
    return info.context.container


async def _assign(info: Info, uuids: list[str], group_id: int | None) -> AssignClientsResult:
    async def run() -> ClientsAssigned:
        done = await clients.assign_clients_to_group(_deps(info), caller(info), clients.AssignClients(uuids, group_id))
        return ClientsAssigned(clients=client_types(done.clients, grace_seconds(info)), not_notified=done.not_notified)

    return await outcome(run())  # type: ignore[return-value]
