"""User management by admins: the seeds' rules on visibility, escalation and self-protection.

- admins see and manage user/editor/admin accounts; superadmins see and manage everything;
- nobody changes their own role or active status, resets their own password here, or deletes themselves;
- deactivation is the admin's "delete" (tokens revoked, who/when recorded); hard delete is superadmin-only.
Every change is written to the audit trail in the same unit of work.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.audit.models import AuditLogEntry
from app.domain.audit.service import list_audit, record_audit
from app.domain.clock import utcnow
from app.domain.enums import Role
from app.domain.errors import AuthenticationError, ConflictError, ForbiddenError, NotFoundError, ValidationError
from app.domain.users.login_policy import account_key
from app.domain.users.models import User
from app.domain.users.passwords import check_password_policy, hash_password
from app.domain.users.throttles import forget_account
from app.domain.users.tokens import Principal, revoke_all_for_user
from app.domain.users.visibility import can_assign, visible_roles

MIN_USERNAME_LENGTH = 3
MAX_USERNAME_LENGTH = 100
_FORBIDDEN = "Keine Berechtigung für diese Aktion."
_NOT_FOUND = "Benutzer nicht gefunden."


@dataclass(frozen=True, slots=True)
class UserChanges:
    """Fields to change; None leaves a field as it is."""

    username: str | None = None
    role: Role | None = None
    is_active: bool | None = None


def _require_admin(principal: Principal) -> None:
    if not principal.has(Role.ADMIN):
        raise ForbiddenError(_FORBIDDEN)


def _clean_username(username: str | None) -> str:
    name = (username or "").strip()
    if not MIN_USERNAME_LENGTH <= len(name) <= MAX_USERNAME_LENGTH:
        raise ValidationError(
            f"Der Benutzername muss {MIN_USERNAME_LENGTH} bis {MAX_USERNAME_LENGTH} Zeichen lang sein.",
            field="username",
        )
    if any(ch.isspace() and ch != " " for ch in name) or any(ord(ch) < 32 for ch in name):
        raise ValidationError("Der Benutzername enthält unzulässige Zeichen.", field="username")
    return name


async def _ensure_unique(session: AsyncSession, username: str, *, except_id: int | None = None) -> None:
    stmt = select(User.id).where(func.lower(User.username) == username.lower())
    if except_id is not None:
        stmt = stmt.where(User.id != except_id)
    if await session.scalar(stmt) is not None:
        raise ConflictError("Benutzername ist bereits vergeben.", field="username")


async def _visible_user(session: AsyncSession, principal: Principal, user_id: int) -> User:
    _require_admin(principal)
    user = await session.get(User, user_id)
    if user is None or user.role not in visible_roles(principal):
        raise NotFoundError(_NOT_FOUND)
    return user


async def _manageable_user(session: AsyncSession, principal: Principal, user_id: int) -> User:
    """A user the caller may change: admins get a clear refusal for superadmin accounts."""
    _require_admin(principal)
    user = await session.get(User, user_id)
    if user is None:
        raise NotFoundError(_NOT_FOUND)
    if user.role not in visible_roles(principal):
        raise ForbiddenError("Admins können Superadmin-Konten nicht ändern.")
    return user


async def list_users(session: AsyncSession, principal: Principal) -> list[User]:
    _require_admin(principal)
    stmt = select(User).where(User.role.in_(sorted(visible_roles(principal)))).order_by(User.username)
    return list((await session.scalars(stmt)).all())


async def get_user(session: AsyncSession, principal: Principal, user_id: int) -> User:
    return await _visible_user(session, principal, user_id)


async def get_me(session: AsyncSession, principal: Principal) -> User:
    user = await session.get(User, principal.user_id)
    if user is None:
        raise AuthenticationError("Nicht angemeldet.")
    return user


async def create_user(
    session: AsyncSession,
    principal: Principal,
    username: str,
    password: str,
    role: Role = Role.USER,
    is_active: bool = True,
    *,
    ip: str | None = None,
) -> User:
    _require_admin(principal)
    if not can_assign(principal, role):
        raise ForbiddenError("Admins können keine Superadmin-Konten anlegen.")
    name = _clean_username(username)
    check_password_policy(password or "")
    await _ensure_unique(session, name)
    now = utcnow()
    user = User(
        username=name,
        password_hash=await asyncio.to_thread(hash_password, password),
        role=role,
        is_active=is_active,
        failed_login_attempts=0,
        last_password_change_at=now,
        deactivated_at=None if is_active else now,
        deactivated_by=None if is_active else principal.user_id,
        created_at=now,
    )
    session.add(user)
    await session.flush()
    await record_audit(
        session,
        principal,
        "user.create",
        "user",
        user.id,
        {"username": name, "role": role.value, "isActive": is_active},
        ip=ip,
    )
    return user


async def _set_active(session: AsyncSession, principal: Principal, user: User, active: bool) -> bool:
    """Apply a status change; returns whether anything changed."""
    if user.is_active == active:
        return False
    if user.id == principal.user_id:
        raise ForbiddenError("Sie können Ihren eigenen Status nicht ändern.")
    user.is_active = active
    if active:
        user.deactivated_at = None
        user.deactivated_by = None
    else:
        user.deactivated_at = utcnow()
        user.deactivated_by = principal.user_id
        await revoke_all_for_user(session, user.id)
    return True


async def update_user(
    session: AsyncSession, principal: Principal, user_id: int, changes: UserChanges, *, ip: str | None = None
) -> User:
    user = await _manageable_user(session, principal, user_id)
    diff: dict[str, Any] = {}
    if changes.role is not None and changes.role != user.role:
        if user.id == principal.user_id:
            raise ForbiddenError("Sie können Ihre eigene Rolle nicht ändern.")
        if not can_assign(principal, changes.role):
            raise ForbiddenError("Admins können niemanden zum Superadmin machen.")
        diff["role"] = {"old": user.role.value, "new": changes.role.value}
        user.role = changes.role
    if changes.is_active is not None and changes.is_active != user.is_active:
        if user.id == principal.user_id:
            raise ForbiddenError("Sie können Ihren eigenen Status nicht ändern.")
        await _set_active(session, principal, user, changes.is_active)
        diff["isActive"] = {"old": not changes.is_active, "new": changes.is_active}
    if changes.username is not None:
        name = _clean_username(changes.username)
        if name != user.username:
            await _ensure_unique(session, name, except_id=user.id)
            diff["username"] = {"old": user.username, "new": name}
            user.username = name
    if diff:
        user.updated_at = utcnow()
        await session.flush()
        await record_audit(session, principal, "user.update", "user", user.id, {"role": user.role.value, **diff}, ip=ip)
    return user


async def deactivate_user(session: AsyncSession, principal: Principal, user_id: int, *, ip: str | None = None) -> User:
    user = await _manageable_user(session, principal, user_id)
    if await _set_active(session, principal, user, False):
        await session.flush()
        await record_audit(session, principal, "user.deactivate", "user", user.id, {"role": user.role.value}, ip=ip)
    return user


async def reactivate_user(session: AsyncSession, principal: Principal, user_id: int, *, ip: str | None = None) -> User:
    user = await _manageable_user(session, principal, user_id)
    if await _set_active(session, principal, user, True):
        await session.flush()
        await record_audit(session, principal, "user.reactivate", "user", user.id, {"role": user.role.value}, ip=ip)
    return user


async def reset_password(
    session: AsyncSession, principal: Principal, user_id: int, new_password: str, *, ip: str | None = None
) -> User:
    """An admin sets a new password (no current password needed); the account is unlocked and logged out."""
    user = await _manageable_user(session, principal, user_id)
    if user.id == principal.user_id:
        raise ForbiddenError("Das eigene Passwort bitte über changePassword ändern.")
    check_password_policy(new_password or "")
    user.password_hash = await asyncio.to_thread(hash_password, new_password)
    user.last_password_change_at = utcnow()
    user.failed_login_attempts = 0
    user.locked_until = None
    await forget_account(session, account_key(user.username))
    await revoke_all_for_user(session, user.id)
    await session.flush()
    await record_audit(session, principal, "user.reset_password", "user", user.id, {"role": user.role.value}, ip=ip)
    return user


async def unlock_user(session: AsyncSession, principal: Principal, user_id: int, *, ip: str | None = None) -> User:
    """Lift every lock after failed logins (the account-wide one and each source's) before it runs out."""
    user = await _manageable_user(session, principal, user_id)
    locked_sources = await forget_account(session, account_key(user.username))
    if user.locked_until is not None or user.failed_login_attempts or locked_sources:
        details = {
            "role": user.role.value,
            "account_locked": user.locked_until is not None,
            "locked_sources": locked_sources,
        }
        user.locked_until = None
        user.failed_login_attempts = 0
        await session.flush()
        await record_audit(session, principal, "user.unlock", "user", user.id, details, ip=ip)
    return user


async def delete_user(session: AsyncSession, principal: Principal, user_id: int, *, ip: str | None = None) -> int:
    """Hard delete (superadmin only, never oneself); returns the deleted id."""
    if not principal.has(Role.SUPERADMIN):
        raise ForbiddenError("Nur Superadmins können Benutzer endgültig löschen; bitte deaktivieren.")
    if user_id == principal.user_id:
        raise ForbiddenError("Sie können sich nicht selbst löschen.")
    user = await session.get(User, user_id)
    if user is None:
        raise NotFoundError(_NOT_FOUND)
    details = {"username": user.username, "role": user.role.value}
    await session.delete(user)
    await session.flush()
    await record_audit(session, principal, "user.delete", "user", user_id, details, ip=ip)
    return user_id


async def audit_entries(
    session: AsyncSession,
    principal: Principal,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    limit: int = 100,
) -> list[AuditLogEntry]:
    """The audit trail (admin+); admins do not see entries about superadmin accounts."""
    _require_admin(principal)
    limit = max(1, min(limit, 1000))
    if principal.has(Role.SUPERADMIN):
        return await list_audit(session, object_type=object_type, object_id=object_id, limit=limit)
    hidden_ids = {str(i) for i in (await session.scalars(select(User.id).where(User.role == Role.SUPERADMIN))).all()}
    # Over-fetch, then drop the hidden rows: audit volume is small and the limit stays bounded.
    rows = await list_audit(session, object_type=object_type, object_id=object_id, limit=min(limit * 3, 3000))

    def about_superadmin(entry: AuditLogEntry) -> bool:
        if entry.object_type != "user":
            return False
        details = entry.details or {}
        role = details.get("role")
        return (
            entry.object_id in hidden_ids
            or role == Role.SUPERADMIN.value
            or (isinstance(role, dict) and Role.SUPERADMIN.value in role.values())
        )

    return [entry for entry in rows if not about_superadmin(entry)][:limit]
