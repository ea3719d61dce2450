"""Drive the real HTTP app (GraphQL at /graphql) in-process over httpx, with users of any role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from app.container import Container
from app.domain.enums import Role, TokenKind
from app.domain.users.models import User
from app.domain.users.passwords import hash_password
from app.domain.users.tokens import create_token


@dataclass
class Api:
    container: Container
    client: httpx.AsyncClient
    tokens: dict[str, str] = field(default_factory=dict)

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        """POST /graphql and return the whole response body ({data, errors})."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code in (200, 400), response.text
        return response.json()

    async def data(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None) -> Any:
        """Like gql(), but asserts there were no errors and returns `data`."""
        body = await self.gql(query, variables, token=token)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    async def make_user(self, role: Role, username: str | None = None, password: str = "secret-123") -> User:
        async with self.container.db.session() as session:
            user = User(username=username or f"{role.value}-user", password_hash=hash_password(password), role=role)
            session.add(user)
            await session.flush()
            return user

    async def token_for(self, role: Role, username: str | None = None) -> str:
        """A session token for a (new) user of `role`; cached per username."""
        name = username or f"{role.value}-user"
        if name not in self.tokens:
            user = await self.make_user(role, name)
            async with self.container.db.session() as session:
                raw, _ = await create_token(session, user, TokenKind.SESSION, ttl=timedelta(hours=1))
            self.tokens[name] = raw
        return self.tokens[name]
