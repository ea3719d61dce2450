"""Per-request GraphQL context: the container, the caller (principal) and one DB session per request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.fastapi import BaseContext
from strawberry.types import Info as StrawberryInfo

from app.container import Container
from app.domain.users.tokens import Principal, parse_bearer, resolve_token


class GraphQLContext(BaseContext):
    def __init__(self, container: Container, principal: Principal | None = None, client_ip: str | None = None) -> None:
        super().__init__()
        self.container = container
        self.principal = principal
        self.client_ip = client_ip
        # Set when the token could not be checked because the database is unreachable: `require` re-raises
        # it, so the caller gets SERVICE_UNAVAILABLE instead of "not logged in" (or an HTTP 500).
        self.unavailable: BaseException | None = None
        # Request-scoped caches (DataLoaders register themselves here by name).
        self.loaders: dict[str, Any] = {}

    @property
    def settings(self):  # type: ignore[no-untyped-def]
        return self.container.settings

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: commits when the block succeeds, rolls back otherwise."""
        async with self.container.db.session() as session:
            yield session

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        async with self.container.db.read_session() as session:
            yield session

    async def authenticate(self, authorization: str | None) -> Principal | None:
        token = bearer_token(authorization)
        if token is None:
            return None
        async with self.container.db.session() as session:
            self.principal = await resolve_token(session, token)
        return self.principal


bearer_token = parse_bearer


Info = StrawberryInfo[GraphQLContext, None]
