"""Recording the audit trail: every write calls `record_audit` in its unit of work (reading: `queries.py`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.audit.models import AuditLogEntry
from app.domain.users.tokens import Principal

_MAX_DETAIL_CHARS = 4000


def _bounded(details: dict[str, Any] | None) -> dict[str, Any] | None:
    if not details:
        return None
    clean: dict[str, Any] = {}
    for key, value in details.items():
        if "password" in key.lower():
            continue  # never store secrets, even hashed
        if isinstance(value, str) and len(value) > _MAX_DETAIL_CHARS:
            value = value[:_MAX_DETAIL_CHARS] + "…"
        clean[key] = value
    return clean


async def record_audit(
    session: AsyncSession,
    principal: Principal | None,
    action: str,
    object_type: str,
    object_id: object | None = None,
    details: dict[str, Any] | None = None,
    *,
    ip: str | None = None,
) -> AuditLogEntry:
    entry = AuditLogEntry(
        actor_user_id=principal.user_id if principal else None,
        actor_username=principal.username if principal else "system",
        action=action[:64],
        object_type=object_type[:64],
        object_id=None if object_id is None else str(object_id)[:64],
        details=_bounded(details),
        ip=ip,
    )
    session.add(entry)
    await session.flush()
    return entry
