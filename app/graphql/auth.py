"""Login, logout, own password and integrator API tokens: translate, call the use case, translate back."""

from __future__ import annotations

import strawberry

from app.domain.enums import Role as DomainRole
from app.domain.users import accounts, api_tokens, auth
from app.graphql.caller import caller
from app.graphql.context import Info
from app.graphql.errors import as_result
from app.graphql.types_users import (
    ApiTokenResult,
    ApiTokenType,
    ChangePasswordResult,
    CreateApiTokenResult,
    CreatedApiToken,
    LoginPayload,
    LoginResult,
    LogoutOutcome,
    LogoutResult,
    Role,
    UserType,
)


@strawberry.type
class AuthQuery:
    @strawberry.field(description="The logged-in user.")
    async def me(self, info: Info) -> UserType:
        return UserType.from_model(await accounts.get_me(info.context.container, caller(info)))

    @strawberry.field(description="Own API tokens, or (admin+) those of a visible user.")
    async def api_tokens(
        self, info: Info, user_id: int | None = None, include_revoked: bool = False
    ) -> list[ApiTokenType]:
        rows = await api_tokens.list_api_tokens(
            info.context.container, caller(info), user_id=user_id, include_revoked=include_revoked
        )
        return [ApiTokenType.from_model(token, username) for token, username in rows]


async def _login(info: Info, command: auth.Login) -> LoginPayload:
    result = await auth.login(info.context.container, None, command)
    return LoginPayload(
        token=result.token,
        user=UserType.from_model(result.user),
        expires_at=result.expires_at,
        device_token=result.device_token,
    )


async def _change_password(info: Info, command: auth.ChangePassword) -> UserType:
    return UserType.from_model(await auth.change_password(info.context.container, caller(info), command))


async def _create_api_token(info: Info, command: api_tokens.CreateApiToken) -> CreatedApiToken:
    created = await api_tokens.create_api_token(info.context.container, caller(info), command)
    owner = info.context.principal.username if info.context.principal else ""
    return CreatedApiToken(token=created.token, api_token=ApiTokenType.from_model(created.record, owner))


async def _revoke_api_token(info: Info, command: api_tokens.RevokeApiToken) -> ApiTokenType:
    token, owner = await api_tokens.revoke_api_token(info.context.container, caller(info), command)
    return ApiTokenType.from_model(token, owner)


@strawberry.type
class AuthMutation:
    @strawberry.mutation(
        description="Exchange credentials for a bearer token. Refused credentials are an error member "
        "(`UnauthenticatedError`, `RateLimitedError`), never a token. Pass the `deviceToken` of this account's "
        "last login from this client: failures of others do not throttle it."
    )
    async def login(self, info: Info, username: str, password: str, device_token: str | None = None) -> LoginResult:
        command = auth.Login(username, password, device_token=device_token, ip=info.context.client_ip)
        return await as_result(_login(info, command), unauthenticated_member=True)

    @strawberry.mutation(description="End the current session: the token stops working.")
    async def logout(self, info: Info) -> LogoutOutcome:
        async def run() -> LogoutResult:
            return LogoutResult(ok=await auth.logout(info.context.container, caller(info), auth.Logout()))

        return await as_result(run)

    @strawberry.mutation(description="Change the own password; other sessions are logged out.")
    async def change_password(self, info: Info, current_password: str, new_password: str) -> ChangePasswordResult:
        return await as_result(_change_password(info, auth.ChangePassword(current_password, new_password)))

    @strawberry.mutation(description="A token for scripts, shown once; its role is at most the caller's.")
    async def create_api_token(
        self,
        info: Info,
        name: str,
        role: Role | None = None,  # type: ignore[valid-type]
        expires_in_days: int | None = None,
    ) -> CreateApiTokenResult:
        command = api_tokens.CreateApiToken(
            name, DomainRole(role) if role is not None else None, expires_in_days=expires_in_days
        )
        return await as_result(_create_api_token(info, command))

    @strawberry.mutation(description="Revoke an API token (own; admins also those of users they manage).")
    async def revoke_api_token(self, info: Info, id: int) -> ApiTokenResult:
        return await as_result(_revoke_api_token(info, api_tokens.RevokeApiToken(id)))
