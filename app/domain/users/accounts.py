"""User management by admins — the use cases `create_user`, `update_user`, `reset_user_password`,
`deactivate_user`, `reactivate_user`, `unlock_user`, `delete_user` and the queries `list_users`, `get_user`,
`get_me` (the audit trail: `app.domain.audit.queries.search_audit`).

The seeds' rules on visibility, escalation and self-protection:
- admins see and manage user/editor/admin accounts; superadmins see and manage everything;
- nobody changes their own role or active status, resets their own password here, or deletes themselves;
- deactivation is the admin's "delete" (tokens revoked, who/when recorded); hard delete is superadmin-only.
Every change is written to the audit trail in the same unit of work and announced as USERS_CHANGED after it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.bus import USERS_CHANGED, DomainEvent
from app.domain.clock import utcnow
from app.domain.enums import Role
from app.domain.errors import AuthenticationError, ConflictError, ForbiddenError, NotFoundError, ValidationError
from app.domain.ports import UseCaseDeps
from app.domain.usecase import UnitOfWork, require_role, unit_of_work
from app.domain.users.login_policy import account_key
from app.domain.users.models import User
from app.domain.users.passwords import check_password_policy, hash_password
from app.domain.users.throttles import forget_account
from app.domain.users.tokens import Principal, revoke_all_for_user
from app.domain.users.visibility import can_assign, visible_roles

MIN_USERNAME_LENGTH = 3
MAX_USERNAME_LENGTH = 100
_NOT_FOUND = "user.not_found"


# --- commands ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateUser:
    username: str
    password: str
    role: Role = Role.USER
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class UpdateUser:
    """Fields to change; None leaves a field as it is."""

    user_id: int
    username: str | None = None
    role: Role | None = None
    is_active: bool | None = None


@dataclass(frozen=True, slots=True)
class ResetUserPassword:
    user_id: int
    new_password: str


@dataclass(frozen=True, slots=True)
class DeactivateUser:
    user_id: int


@dataclass(frozen=True, slots=True)
class ReactivateUser:
    user_id: int


@dataclass(frozen=True, slots=True)
class UnlockUser:
    user_id: int


@dataclass(frozen=True, slots=True)
class DeleteUser:
    user_id: int


# --- rules ------------------------------------------------------------------------------------------


def clean_username(username: str | None) -> str:
    name = (username or "").strip()
    if not MIN_USERNAME_LENGTH <= len(name) <= MAX_USERNAME_LENGTH:
        raise ValidationError(
            "user.username_length", field="username", min_length=MIN_USERNAME_LENGTH, max_length=MAX_USERNAME_LENGTH
        )
    if any(ch.isspace() and ch != " " for ch in name) or any(ord(ch) < 32 for ch in name):
        raise ValidationError("user.username_invalid", field="username")
    return name


async def _ensure_unique(session: AsyncSession, username: str, *, except_id: int | None = None) -> None:
    stmt = select(User.id).where(func.lower(User.username) == username.lower())
    if except_id is not None:
        stmt = stmt.where(User.id != except_id)
    if await session.scalar(stmt) is not None:
        raise ConflictError("user.username_taken", field="username")


async def _visible_user(session: AsyncSession, principal: Principal, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None or user.role not in visible_roles(principal):
        raise NotFoundError(_NOT_FOUND)
    return user


async def _manageable_user(session: AsyncSession, principal: Principal, user_id: int) -> User:
    """A user the caller may change: admins get a clear refusal for superadmin accounts."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFoundError(_NOT_FOUND)
    if user.role not in visible_roles(principal):
        raise ForbiddenError("user.superadmin_protected")
    return user


def _changed(uow: UnitOfWork, user_id: int, change: str) -> None:
    uow.announce(DomainEvent(USERS_CHANGED, {"id": user_id, "change": change}))


# --- queries ----------------------------------------------------------------------------------------


async def list_users(deps: UseCaseDeps, principal: Principal | None) -> list[User]:
    """Accounts the caller may manage (admin+), by name."""
    caller = require_role(principal, Role.ADMIN)
    stmt = select(User).where(User.role.in_(sorted(visible_roles(caller)))).order_by(User.username)
    async with deps.db.read_session() as session:
        return list((await session.scalars(stmt)).all())


async def get_user(deps: UseCaseDeps, principal: Principal | None, user_id: int) -> User:
    caller = require_role(principal, Role.ADMIN)
    async with deps.db.read_session() as session:
        return await _visible_user(session, caller, user_id)


async def get_me(deps: UseCaseDeps, principal: Principal | None) -> User:
    caller = require_role(principal, Role.USER)
    async with deps.db.read_session() as session:
        user = await session.get(User, caller.user_id)
    if user is None:
        raise AuthenticationError("auth.required")
    return user


# --- use cases --------------------------------------------------------------------------------------


async def create_user(deps: UseCaseDeps, principal: Principal | None, command: CreateUser) -> User:
    caller = require_role(principal, Role.ADMIN)
    if not can_assign(caller, command.role):
        raise ForbiddenError("user.superadmin_create")
    name = clean_username(command.username)
    check_password_policy(command.password or "")
    password_hash = await asyncio.to_thread(hash_password, command.password)
    async with unit_of_work(deps, caller) as uow:
        await _ensure_unique(uow.session, name)
        now = utcnow()
        user = User(
            username=name,
            password_hash=password_hash,
            role=command.role,
            is_active=command.is_active,
            failed_login_attempts=0,
            last_password_change_at=now,
            deactivated_at=None if command.is_active else now,
            deactivated_by=None if command.is_active else caller.user_id,
            created_at=now,
        )
        uow.session.add(user)
        await uow.session.flush()
        details = {"username": name, "role": command.role.value, "isActive": command.is_active}
        await uow.audit("user.create", "user", user.id, details)
        _changed(uow, user.id, "created")
    return user


async def _set_active(session: AsyncSession, principal: Principal, user: User, active: bool) -> bool:
    """Apply a status change; returns whether anything changed."""
    if user.is_active == active:
        return False
    if user.id == principal.user_id:
        raise ForbiddenError("user.own_status")
    user.is_active = active
    if active:
        user.deactivated_at = None
        user.deactivated_by = None
    else:
        user.deactivated_at = utcnow()
        user.deactivated_by = principal.user_id
        await revoke_all_for_user(session, user.id)
    return True


async def update_user(deps: UseCaseDeps, principal: Principal | None, command: UpdateUser) -> User:
    """Change username, role or status. Nobody changes their own role or status."""
    caller = require_role(principal, Role.ADMIN)
    async with unit_of_work(deps, caller) as uow:
        user = await _manageable_user(uow.session, caller, command.user_id)
        diff: dict[str, Any] = {}
        if command.role is not None and command.role != user.role:
            if user.id == caller.user_id:
                raise ForbiddenError("user.own_role")
            if not can_assign(caller, command.role):
                raise ForbiddenError("user.superadmin_promote")
            diff["role"] = {"old": user.role.value, "new": command.role.value}
            user.role = command.role
        if command.is_active is not None and command.is_active != user.is_active:
            await _set_active(uow.session, caller, user, command.is_active)
            diff["isActive"] = {"old": not command.is_active, "new": command.is_active}
        if command.username is not None:
            name = clean_username(command.username)
            if name != user.username:
                await _ensure_unique(uow.session, name, except_id=user.id)
                diff["username"] = {"old": user.username, "new": name}
                user.username = name
        if diff:
            user.updated_at = utcnow()
            await uow.session.flush()
            await uow.audit("user.update", "user", user.id, {"role": user.role.value, **diff})
            _changed(uow, user.id, "updated")
    return user


async def _set_status(deps: UseCaseDeps, principal: Principal | None, user_id: int, active: bool) -> User:
    caller = require_role(principal, Role.ADMIN)
    async with unit_of_work(deps, caller) as uow:
        user = await _manageable_user(uow.session, caller, user_id)
        if await _set_active(uow.session, caller, user, active):
            await uow.session.flush()
            action = "user.reactivate" if active else "user.deactivate"
            await uow.audit(action, "user", user.id, {"role": user.role.value})
            _changed(uow, user.id, "reactivated" if active else "deactivated")
    return user


async def deactivate_user(deps: UseCaseDeps, principal: Principal | None, command: DeactivateUser) -> User:
    """Soft delete: the account can no longer log in and its tokens stop working."""
    return await _set_status(deps, principal, command.user_id, False)


async def reactivate_user(deps: UseCaseDeps, principal: Principal | None, command: ReactivateUser) -> User:
    return await _set_status(deps, principal, command.user_id, True)


async def reset_user_password(deps: UseCaseDeps, principal: Principal | None, command: ResetUserPassword) -> User:
    """An admin sets a new password (no current password needed); the account is unlocked and logged out."""
    caller = require_role(principal, Role.ADMIN)
    async with unit_of_work(deps, caller) as uow:
        user = await _manageable_user(uow.session, caller, command.user_id)
        if user.id == caller.user_id:
            raise ForbiddenError("user.own_password_reset")
        check_password_policy(command.new_password or "")
        user.password_hash = await asyncio.to_thread(hash_password, command.new_password)
        user.last_password_change_at = utcnow()
        user.failed_login_attempts = 0
        user.locked_until = None
        await forget_account(uow.session, account_key(user.username))
        await revoke_all_for_user(uow.session, user.id)
        await uow.session.flush()
        await uow.audit("user.reset_password", "user", user.id, {"role": user.role.value})
        _changed(uow, user.id, "password_reset")
    return user


async def unlock_user(deps: UseCaseDeps, principal: Principal | None, command: UnlockUser) -> User:
    """Lift every lock after failed logins (the account-wide one and each source's) before it runs out."""
    caller = require_role(principal, Role.ADMIN)
    async with unit_of_work(deps, caller) as uow:
        user = await _manageable_user(uow.session, caller, command.user_id)
        locked_sources = await forget_account(uow.session, account_key(user.username))
        if user.locked_until is not None or user.failed_login_attempts or locked_sources:
            details = {
                "role": user.role.value,
                "account_locked": user.locked_until is not None,
                "locked_sources": locked_sources,
            }
            user.locked_until = None
            user.failed_login_attempts = 0
            await uow.session.flush()
            await uow.audit("user.unlock", "user", user.id, details)
            _changed(uow, user.id, "unlocked")
    return user


async def delete_user(deps: UseCaseDeps, principal: Principal | None, command: DeleteUser) -> int:
    """Hard delete (superadmin only, never oneself); returns the deleted id."""
    caller = require_role(principal, Role.ADMIN)
    if not caller.has(Role.SUPERADMIN):
        raise ForbiddenError("user.delete_superadmin_only")
    if command.user_id == caller.user_id:
        raise ForbiddenError("user.delete_self")
    async with unit_of_work(deps, caller) as uow:
        user = await uow.session.get(User, command.user_id)
        if user is None:
            raise NotFoundError(_NOT_FOUND)
        details = {"username": user.username, "role": user.role.value}
        await uow.session.delete(user)
        await uow.session.flush()
        await uow.audit("user.delete", "user", command.user_id, details)
        _changed(uow, command.user_id, "deleted")
    return command.user_id
