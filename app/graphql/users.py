"""User management (admin+) and the audit trail."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.enums import Role as DomainRole
from app.domain.users import service
from app.domain.users.models import User
from app.domain.users.tokens import Principal
from app.graphql.context import Info
from app.graphql.permissions import require
from app.graphql.types_users import (
    AuditLogEntryType,
    CreateUserInput,
    DeletedUser,
    DeleteUserResult,
    UpdateUserInput,
    UserResult,
    UserType,
    as_result,
)

UserAction = Callable[[AsyncSession, Principal], Awaitable[User]]


async def _user_mutation(info: Info, action: UserAction) -> UserResult:
    """Common shape of the user mutations: admin+, one unit of work, typed errors."""
    principal = require(info)

    async def run() -> UserType:
        require(info, DomainRole.ADMIN)
        async with info.context.session() as session:
            return UserType.from_model(await action(session, principal))

    return await as_result(run)


@strawberry.type
class UsersQuery:
    @strawberry.field(description="Accounts the caller may manage (admin: user/editor/admin; superadmin: all).")
    async def users(self, info: Info) -> list[UserType]:
        principal = require(info, DomainRole.ADMIN)
        async with info.context.session() as session:
            return [UserType.from_model(u) for u in await service.list_users(session, principal)]

    @strawberry.field(description="One account with all audit fields.")
    async def user(self, info: Info, id: int) -> UserType:
        principal = require(info, DomainRole.ADMIN)
        async with info.context.session() as session:
            return UserType.from_model(await service.get_user(session, principal, id))

    @strawberry.field(description="Admin actions, newest first (admins do not see entries about superadmins).")
    async def audit_log(
        self, info: Info, object_type: str | None = None, object_id: str | None = None, limit: int = 100
    ) -> list[AuditLogEntryType]:
        principal = require(info, DomainRole.ADMIN)
        async with info.context.session() as session:
            entries = await service.audit_entries(
                session, principal, object_type=object_type, object_id=object_id, limit=limit
            )
            return [AuditLogEntryType.from_model(e) for e in entries]


@strawberry.type
class UsersMutation:
    @strawberry.mutation
    async def create_user(self, info: Info, input: CreateUserInput) -> UserResult:
        ip = info.context.client_ip
        return await _user_mutation(
            info,
            lambda s, p: service.create_user(
                s, p, input.username, input.password, DomainRole(input.role), input.is_active, ip=ip
            ),
        )

    @strawberry.mutation(description="Change username, role or status. Nobody changes their own role or status.")
    async def update_user(self, info: Info, id: int, input: UpdateUserInput) -> UserResult:
        changes = service.UserChanges(
            username=input.username,
            role=DomainRole(input.role) if input.role is not None else None,
            is_active=input.is_active,
        )
        ip = info.context.client_ip
        return await _user_mutation(info, lambda s, p: service.update_user(s, p, id, changes, ip=ip))

    @strawberry.mutation(description="Set a new password for another user (self-service: changePassword).")
    async def reset_user_password(self, info: Info, id: int, new_password: str) -> UserResult:
        ip = info.context.client_ip
        return await _user_mutation(info, lambda s, p: service.reset_password(s, p, id, new_password, ip=ip))

    @strawberry.mutation(description="Soft delete: the account can no longer log in and its tokens stop working.")
    async def deactivate_user(self, info: Info, id: int) -> UserResult:
        ip = info.context.client_ip
        return await _user_mutation(info, lambda s, p: service.deactivate_user(s, p, id, ip=ip))

    @strawberry.mutation
    async def reactivate_user(self, info: Info, id: int) -> UserResult:
        ip = info.context.client_ip
        return await _user_mutation(info, lambda s, p: service.reactivate_user(s, p, id, ip=ip))

    @strawberry.mutation(description="Lift a lockout after failed logins.")
    async def unlock_user(self, info: Info, id: int) -> UserResult:
        ip = info.context.client_ip
        return await _user_mutation(info, lambda s, p: service.unlock_user(s, p, id, ip=ip))

    @strawberry.mutation(description="Hard delete (superadmin only, never oneself).")
    async def delete_user(self, info: Info, id: int) -> DeleteUserResult:
        principal = require(info)

        async def run() -> DeletedUser:
            async with info.context.session() as session:
                return DeletedUser(id=await service.delete_user(session, principal, id, ip=info.context.client_ip))

        return await as_result(run)
