"""Per-display broker credentials (admin+): approve a discovered display, rotate its password, revoke it.

The password is in the mutation's answer exactly once; the server does not keep it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Union

import strawberry

from app.domain.clients import broker_access
from app.domain.enums import Role
from app.graphql.clients_types import ClientType, client_type
from app.graphql.context import Info
from app.graphql.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from app.graphql.permissions import require
from app.graphql.types_users import as_result


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


async def _issue(info: Info, use_case: Callable[..., Awaitable[broker_access.IssuedCredentials]], uuid: str) -> object:
    """Run an approve/rotate use case as admin and answer with the one-time credentials (or a typed error)."""

    async def run() -> ClientCredentials:
        principal = require(info, Role.ADMIN)
        issued = await use_case(info.context.container, principal, uuid, ip=info.context.client_ip)
        return ClientCredentials(client=client_type(issued.client, info), username=issued.username,
                                 password=issued.password)  # fmt: skip

    return await as_result(run)


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
        return await _issue(info, broker_access.approve_client, uuid)  # type: ignore[return-value]

    @strawberry.mutation(description="Set a new broker password for an approved display (admin+).")
    async def rotate_client_credentials(self, info: Info, uuid: str) -> RotateClientCredentialsResult:
        return await _issue(info, broker_access.rotate_client_credentials, uuid)  # type: ignore[return-value]

    @strawberry.mutation(description="Disable exactly this display's broker account (admin+).")
    async def revoke_client_access(self, info: Info, uuid: str) -> RevokeClientAccessResult:
        async def run() -> ClientType:
            principal = require(info, Role.ADMIN)
            model = await broker_access.revoke_client_access(
                info.context.container, principal, uuid, ip=info.context.client_ip
            )
            return client_type(model, info)

        return await as_result(run)
