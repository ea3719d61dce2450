"""Per-request GraphQL context: the container, the caller (principal, address, language) and request caches.

Writes and reads go through domain use cases and query functions with `info.context.container` as their deps;
`read_session()` remains for the read-only loaders of areas that have no query function yet.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.fastapi import BaseContext
from strawberry.types import Info as StrawberryInfo

from app.config import Settings
from app.container import Container
from app.domain.bus import Subscription
from app.domain.users.tokens import Principal, parse_bearer, principal_for_token
from app.messages import DEFAULT_LANGUAGE


class GraphQLContext(BaseContext):
    def __init__(
        self,
        container: Container,
        principal: Principal | None = None,
        client_ip: str | None = None,
        language: str = DEFAULT_LANGUAGE,
    ) -> None:
        super().__init__()
        self.container = container
        self.principal = principal
        self.client_ip = client_ip
        # The caller's language for `Error.message` (`de`/`en`): the dashboard user's, or Accept-Language.
        self.language = language
        # Set when the token could not be checked because the database is unreachable: resolvers re-raise
        # it (app.graphql.caller), so the caller gets SERVICE_UNAVAILABLE instead of "not logged in".
        self.unavailable: BaseException | None = None
        # Request-scoped caches (DataLoaders register themselves here by name).
        self.loaders: dict[str, Any] = {}
        # Set once a subscription resolver is registered with the bus: from then on no update is missed, so a
        # caller can re-read its state at that instant and be exact (app.ui.gql.follow's `on_live`).
        self.live = asyncio.Event()

    @property
    def settings(self) -> Settings:
        return self.container.settings

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        async with self.container.db.read_session() as session:
            yield session

    def subscribe(self, *topics: str, max_queue: int = 1000) -> Subscription:
        """The bus subscription of a GraphQL subscription resolver; marks the operation live."""
        subscription = self.container.bus.subscribe(*topics, max_queue=max_queue)
        self.live.set()
        return subscription

    async def authenticate(self, authorization: str | None) -> Principal | None:
        self.principal = await principal_for_token(self.container.db, bearer_token(authorization))
        return self.principal


bearer_token = parse_bearer


Info = StrawberryInfo[GraphQLContext, None]
