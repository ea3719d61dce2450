"""User management (admin+) and the audit trail: translate, call the use case, translate back."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime

import strawberry

from app.domain.audit.queries import AuditFilter, search_audit
from app.domain.enums import Role as DomainRole
from app.domain.users import accounts, api_tokens, profile
from app.domain.users.models import User
from app.graphql.caller import caller
from app.graphql.context import Info
from app.graphql.errors import as_result
from app.graphql.types_users import (
    ApiTokenType,
    AuditLogEntryType,
    CreateUserInput,
    DeletedUser,
    DeleteUserResult,
    ProfileResult,
    UpdateProfileInput,
    UpdateUserInput,
    UserResult,
    UserType,
)


async def _user(call: Awaitable[User]) -> UserType:
    return UserType.from_model(await call)


async def _deleted(call: Awaitable[int]) -> DeletedUser:
    return DeletedUser(id=await call)


@strawberry.type
class UsersQuery:
    @strawberry.field(description="Accounts the caller may manage (admin: user/editor/admin; superadmin: all).")
    async def users(self, info: Info) -> list[UserType]:
        return [UserType.from_model(u) for u in await accounts.list_users(info.context.container, caller(info))]

    @strawberry.field(description="One account with all audit fields.")
    async def user(self, info: Info, id: int) -> UserType:
        return UserType.from_model(await accounts.get_user(info.context.container, caller(info), id))

    @strawberry.field(description="Every account's API tokens, newest first (superadmin only).")
    async def all_api_tokens(self, info: Info, include_revoked: bool = False) -> list[ApiTokenType]:
        rows = await api_tokens.list_all_api_tokens(
            info.context.container, caller(info), include_revoked=include_revoked
        )
        return [ApiTokenType.from_model(token, username) for token, username in rows]

    @strawberry.field(
        description="Admin actions, newest first (admins do not see entries about superadmins); "
        "the filters are those of auditLogPage, which also gives the total."
    )
    async def audit_log(
        self,
        info: Info,
        object_type: str | None = None,
        object_id: str | None = None,
        limit: int = 100,
        action: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        offset: int = 0,
    ) -> list[AuditLogEntryType]:
        query = AuditFilter(action, object_type, actor, since, until, min(limit, 1000), offset, object_id)
        page = await search_audit(info.context.container, caller(info), query)
        return [AuditLogEntryType.from_model(e) for e in page.entries]


@strawberry.type
class UsersMutation:
    @strawberry.mutation
    async def create_user(self, info: Info, input: CreateUserInput) -> UserResult:
        command = accounts.CreateUser(input.username, input.password, DomainRole(input.role), input.is_active)
        return await as_result(_user(accounts.create_user(info.context.container, caller(info), command)))

    @strawberry.mutation(description="Change username, role or status. Nobody changes their own role or status.")
    async def update_user(self, info: Info, id: int, input: UpdateUserInput) -> UserResult:
        command = accounts.UpdateUser(
            id,
            username=input.username,
            role=DomainRole(input.role) if input.role is not None else None,
            is_active=input.is_active,
        )
        return await as_result(_user(accounts.update_user(info.context.container, caller(info), command)))

    @strawberry.mutation(description="Set a new password for another user (self-service: changePassword).")
    async def reset_user_password(self, info: Info, id: int, new_password: str) -> UserResult:
        command = accounts.ResetUserPassword(id, new_password)
        return await as_result(_user(accounts.reset_user_password(info.context.container, caller(info), command)))

    @strawberry.mutation(description="Soft delete: the account can no longer log in and its tokens stop working.")
    async def deactivate_user(self, info: Info, id: int) -> UserResult:
        command = accounts.DeactivateUser(id)
        return await as_result(_user(accounts.deactivate_user(info.context.container, caller(info), command)))

    @strawberry.mutation
    async def reactivate_user(self, info: Info, id: int) -> UserResult:
        command = accounts.ReactivateUser(id)
        return await as_result(_user(accounts.reactivate_user(info.context.container, caller(info), command)))

    @strawberry.mutation(description="Lift a lockout after failed logins.")
    async def unlock_user(self, info: Info, id: int) -> UserResult:
        command = accounts.UnlockUser(id)
        return await as_result(_user(accounts.unlock_user(info.context.container, caller(info), command)))

    @strawberry.mutation(description="Change the own profile (e-mail address); any logged-in user.")
    async def update_profile(self, info: Info, input: UpdateProfileInput) -> ProfileResult:
        command = profile.UpdateOwnProfile(email=input.email)
        return await as_result(_user(profile.update_own_profile(info.context.container, caller(info), command)))

    @strawberry.mutation(description="Hard delete (superadmin only, never oneself).")
    async def delete_user(self, info: Info, id: int) -> DeleteUserResult:
        command = accounts.DeleteUser(id)
        return await as_result(_deleted(accounts.delete_user(info.context.container, caller(info), command)))
