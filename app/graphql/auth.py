"""Login, logout, own password and integrator API tokens."""

from __future__ import annotations

from datetime import timedelta

import strawberry

from app.container import Container
from app.domain.enums import Role as DomainRole
from app.domain.users import auth
from app.domain.users.login_policy import LoginGuard, LoginRateLimiter
from app.domain.users.service import get_me
from app.graphql.context import Info
from app.graphql.permissions import require
from app.graphql.types_users import (
    ApiTokenResult,
    ApiTokenType,
    ChangePasswordResult,
    CreateApiTokenResult,
    CreatedApiToken,
    LoginPayload,
    Role,
    UserType,
    as_result,
)

_GUARD_KEY = "login_guard"


def login_guard(container: Container) -> LoginGuard:
    """One per process (container), shared by GraphQL over HTTP and the in-process dashboard."""
    guard = container.extras.get(_GUARD_KEY)
    if not isinstance(guard, LoginGuard):
        guard = container.extras[_GUARD_KEY] = LoginGuard(container.settings.secret_key)
    return guard


def login_limiter(container: Container) -> LoginRateLimiter:
    return login_guard(container).limiter


@strawberry.type
class AuthQuery:
    @strawberry.field(description="The logged-in user.")
    async def me(self, info: Info) -> UserType:
        principal = require(info)
        async with info.context.session() as session:
            return UserType.from_model(await get_me(session, principal))

    @strawberry.field(description="Own API tokens, or (admin+) those of a visible user.")
    async def api_tokens(
        self, info: Info, user_id: int | None = None, include_revoked: bool = False
    ) -> list[ApiTokenType]:
        principal = require(info)
        async with info.context.session() as session:
            rows = await auth.list_api_tokens(session, principal, user_id=user_id, include_revoked=include_revoked)
            return [ApiTokenType.from_model(token, username) for token, username in rows]


@strawberry.type
class AuthMutation:
    @strawberry.mutation(
        description="Exchange credentials for a bearer token. Failures are errors, never a token. Pass the "
        "`deviceToken` of this account's last login from this client: failures of others do not throttle it."
    )
    async def login(self, info: Info, username: str, password: str, device_token: str | None = None) -> LoginPayload:
        container = info.context.container
        result = await auth.login(
            container.db,
            username,
            password,
            ttl=timedelta(hours=container.settings.session_ttl_hours),
            guard=login_guard(container),
            ip=info.context.client_ip,
            device_token=device_token,
        )
        return LoginPayload(
            token=result.token,
            user=UserType.from_model(result.user),
            expires_at=result.expires_at,
            device_token=result.device_token,
        )

    @strawberry.mutation(description="End the current session: the token stops working.")
    async def logout(self, info: Info) -> bool:
        principal = require(info)
        async with info.context.session() as session:
            return await auth.logout(session, principal)

    @strawberry.mutation(description="Change the own password; other sessions are logged out.")
    async def change_password(self, info: Info, current_password: str, new_password: str) -> ChangePasswordResult:
        principal = require(info)

        async def run() -> UserType:
            async with info.context.session() as session:
                user = await auth.change_password(
                    session,
                    principal,
                    current_password,
                    new_password,
                    limiter=login_limiter(info.context.container),
                    ip=info.context.client_ip,
                )
                return UserType.from_model(user)

        return await as_result(run)

    @strawberry.mutation(description="A token for scripts, shown once; its role is at most the caller's.")
    async def create_api_token(
        self,
        info: Info,
        name: str,
        role: Role | None = None,  # type: ignore[valid-type]
        expires_in_days: int | None = None,
    ) -> CreateApiTokenResult:
        principal = require(info)

        async def run() -> CreatedApiToken:
            async with info.context.session() as session:
                created = await auth.create_api_token(
                    session,
                    principal,
                    name,
                    DomainRole(role) if role is not None else None,
                    expires_in_days=expires_in_days,
                    ip=info.context.client_ip,
                )
                return CreatedApiToken(
                    token=created.token, api_token=ApiTokenType.from_model(created.record, principal.username)
                )

        return await as_result(run)

    @strawberry.mutation(description="Revoke an API token (own; admins also those of users they manage).")
    async def revoke_api_token(self, info: Info, id: int) -> ApiTokenResult:
        principal = require(info)

        async def run() -> ApiTokenType:
            async with info.context.session() as session:
                token, owner = await auth.revoke_api_token(session, principal, id, ip=info.context.client_ip)
                return ApiTokenType.from_model(token, owner)

        return await as_result(run)
