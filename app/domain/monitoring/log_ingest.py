"""Storing the log lines displays send (`client_logs`), bounded so one chatty display cannot bloat the table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.clock import utcnow
from app.domain.enums import LogLevel
from app.domain.monitoring.models import ClientLog
from app.domain.monitoring.problem_marks import newest_problems, raise_marks

MAX_MESSAGE_CHARS = 10_000
MAX_CONTEXT_BYTES = 16 * 1024
_CONTEXT_PREVIEW_CHARS = 2_000


@dataclass(frozen=True, slots=True)
class ClientLogEntry:
    uuid: str
    level: LogLevel
    message: str
    timestamp: datetime | None = None
    context: Any = None


@dataclass(frozen=True, slots=True)
class StoredLog:
    id: int
    uuid: str
    level: LogLevel


def bound_message(message: str) -> str:
    return message[:MAX_MESSAGE_CHARS]


def bound_context(context: Any) -> dict[str, Any] | None:
    """A JSON object of at most MAX_CONTEXT_BYTES; anything bigger is kept as a short preview."""
    if context is None:
        return None
    if not isinstance(context, dict):
        context = {"value": context}
    try:
        text = json.dumps(context, ensure_ascii=False, separators=(",", ":"), default=str)
    except (TypeError, ValueError, RecursionError):
        return {"unserializable": True}
    if len(text.encode()) <= MAX_CONTEXT_BYTES:
        return context
    return {"truncated": True, "original_bytes": len(text.encode()), "preview": text[:_CONTEXT_PREVIEW_CHARS]}


async def insert_logs(
    session: AsyncSession, entries: Sequence[ClientLogEntry], *, now: datetime | None = None
) -> list[StoredLog]:
    """Insert the entries (in order) as one multi-row INSERT and raise the displays' problem marks.

    Returns the ids of the stored logs.
    """
    if not entries:
        return []
    now = now or utcnow()
    rows = [
        {
            "client_uuid": e.uuid,
            "timestamp": e.timestamp or now,
            "level": e.level,
            "message": bound_message(e.message),
            "context": bound_context(e.context),
            "created_at": now,
        }
        for e in entries
    ]
    table = ClientLog.__table__
    conn = await session.connection()  # Core insert: no ORM bookkeeping per row
    # Marks first: the UPDATE takes the display rows' exclusive locks before the INSERT's foreign-key check
    # takes shared ones, so two ingest processes logging for the same display queue instead of deadlocking.
    await raise_marks(conn, newest_problems((row["client_uuid"], row["level"], row["timestamp"]) for row in rows))
    result = await conn.execute(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    ids = [row[0] for row in result.all()]
    return [StoredLog(id_, e.uuid, e.level) for id_, e in zip(ids, entries, strict=True)]
