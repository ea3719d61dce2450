"""Reading the audit trail for the Protokoll page and integrators: the query `search_audit` (admin+).

Filters combine with AND; `actor` and `action`/`object_type` match case-insensitively (actor and action as a
substring). Admins do not see entries about superadmin accounts; superadmins see everything. The page is
ordered newest first and comes with the total of all matching entries, so the caller can page and export.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.audit.models import AuditLogEntry
from app.domain.enums import Role
from app.domain.ports import UseCaseDeps
from app.domain.usecase import require_role
from app.domain.users.models import User
from app.domain.users.tokens import Principal

MAX_AUDIT_PAGE = 5000


@dataclass(frozen=True, slots=True)
class AuditFilter:
    action: str | None = None
    object_type: str | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    offset: int = 0
    object_id: str | None = None


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: list[AuditLogEntry]
    total: int


def _like(text: str) -> str:
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(query: AuditFilter) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if query.action and query.action.strip():
        conditions.append(func.lower(AuditLogEntry.action).like(_like(query.action), escape="\\"))
    if query.object_type and query.object_type.strip():
        conditions.append(func.lower(AuditLogEntry.object_type) == query.object_type.strip().lower())
    if query.actor and query.actor.strip():
        conditions.append(func.lower(AuditLogEntry.actor_username).like(_like(query.actor), escape="\\"))
    if query.object_id:
        conditions.append(AuditLogEntry.object_id == query.object_id)
    if query.since is not None:
        conditions.append(AuditLogEntry.created_at >= query.since)
    if query.until is not None:
        conditions.append(AuditLogEntry.created_at < query.until)
    return conditions


def is_about_superadmin(entry: AuditLogEntry, superadmin_ids: set[str]) -> bool:
    """An entry about a superadmin account: its id, or a role change to or from superadmin."""
    if entry.object_type != "user":
        return False
    role = (entry.details or {}).get("role")
    return (
        entry.object_id in superadmin_ids
        or role == Role.SUPERADMIN.value
        or (isinstance(role, dict) and Role.SUPERADMIN.value in role.values())
    )


async def _hidden_entry_ids(session: AsyncSession) -> list[int]:
    # Only `user` entries can be hidden; those are few (account management), so they are checked here.
    superadmins = {str(i) for i in (await session.scalars(select(User.id).where(User.role == Role.SUPERADMIN)))}
    rows = await session.scalars(select(AuditLogEntry).where(AuditLogEntry.object_type == "user"))
    return [entry.id for entry in rows if is_about_superadmin(entry, superadmins)]


async def search_audit(deps: UseCaseDeps, principal: Principal | None, query: AuditFilter) -> AuditPage:
    """One page of the audit trail matching the filter, newest first, and the number of all matches."""
    caller = require_role(principal, Role.ADMIN)
    limit = max(1, min(query.limit, MAX_AUDIT_PAGE))
    offset = max(0, query.offset)
    conditions = _conditions(query)
    async with deps.db.read_session() as session:
        if not caller.has(Role.SUPERADMIN):
            hidden = await _hidden_entry_ids(session)
            if hidden:
                conditions.append(AuditLogEntry.id.not_in(hidden))
        total = await session.scalar(select(func.count()).select_from(AuditLogEntry).where(*conditions))
        stmt = (
            select(AuditLogEntry)
            .where(*conditions)
            .order_by(AuditLogEntry.created_at.desc(), AuditLogEntry.id.desc())
            .limit(limit)
            .offset(offset)
        )
        entries = list((await session.scalars(stmt)).all())
    return AuditPage(entries, int(total or 0))
