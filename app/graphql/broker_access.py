"""Per-display broker credentials (admin+): approve a discovered display, rotate its password, revoke it.

The password is in the mutation's answer exactly once; the server does not keep it.
"""

from __future__ import annotations

from typing import Annotated, Union

import strawberry

from app.domain.clients import broker_access
from app.domain.enums import Role
from app.graphql.calls import caller, logged_in, outcome
from app.graphql.clients_types import ClientType, client_type
from app.graphql.context import Info
from app.graphql.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from app.graphql.permissions import require


@strawberry.type(description="A display's broker login. The password is shown only in this answer.")
class ClientCredentials:
    client: ClientType
    username: str
    password: str


ApproveClientResult = Annotated[
    Union[ClientCredentials, ValidationError, NotFoundError, ConflictError, ForbiddenError],  # noqa: UP007
    strawberry.union("ApproveClientResult"),
]
RotateClientCredentialsResult = Annotated[
    Union[ClientCredentials, ValidationError, NotFoundError, ConflictError, ForbiddenError],  # noqa: UP007
    strawberry.union("RotateClientCredentialsResult"),
]
RevokeClientAccessResult = Annotated[
    Union[ClientType, ValidationError, NotFoundError, ConflictError, ForbiddenError],  # noqa: UP007
    strawberry.union("RevokeClientAccessResult"),
]


def _credentials(info: Info, issued: broker_access.IssuedCredentials) -> ClientCredentials:
    return ClientCredentials(client=client_type(issued.client, info), username=issued.username,
                             password=issued.password)  # fmt: skip


@strawberry.type
class BrokerAccessQuery:
    @strawberry.field(
        description="Whether this server manages per-display broker accounts (MQTT_DYNSEC_ENABLED; admin+). "
        "Without it approveClient/rotateClientCredentials/revokeClientAccess answer with a ValidationError."
    )
    def broker_accounts_managed(self, info: Info) -> bool:
        require(info, Role.ADMIN)
        return info.context.container.settings.mqtt_dynsec_enabled


@strawberry.type
class BrokerAccessMutation:
    @strawberry.mutation(description="Give a discovered display its own broker account (admin+).")
    async def approve_client(self, info: Info, uuid: str) -> ApproveClientResult:
        async def run() -> ClientCredentials:
            command = broker_access.ApproveClient(uuid)
            return _credentials(
                info, await broker_access.approve_client(info.context.container, logged_in(info), command)
            )

        return await outcome(run())  # type: ignore[return-value]

    @strawberry.mutation(description="Set a new broker password for an approved display (admin+).")
    async def rotate_client_credentials(self, info: Info, uuid: str) -> RotateClientCredentialsResult:
        async def run() -> ClientCredentials:
            command = broker_access.RotateClientCredentials(uuid)
            issued = await broker_access.rotate_client_credentials(info.context.container, caller(info), command)
            return _credentials(info, issued)

        return await outcome(run())  # type: ignore[return-value]

    @strawberry.mutation(description="Disable exactly this display's broker account (admin+).")
    async def revoke_client_access(self, info: Info, uuid: str) -> RevokeClientAccessResult:
        async def run() -> ClientType:
            command = broker_access.RevokeClientAccess(uuid)
            model = await broker_access.revoke_client_access(info.context.container, caller(info), command)
            return client_type(model, info)

        return await outcome(run())  # type: ignore[return-value]
