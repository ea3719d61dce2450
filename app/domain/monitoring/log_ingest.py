"""Storing the log lines displays send (`client_logs`), bounded so one chatty display cannot bloat the table.

Idempotent: an entry from the wire carries `content_hash` (its display, level and payload bytes); a log whose
hash is already stored for that display is skipped, so a QoS 1 redelivery (after a crash before PUBACK, or a
broker resend) never stores a duplicate. The unique key `uq_client_logs_client_content` (migration 0004) is
the final guard when two ingest processes race on the same redelivery: the loser's batch fails with an
IntegrityError, and the batcher isolates and drops just that message.

A log's stored time is the display's `timestamp`, but never later than its receipt: a display whose clock
runs ahead cannot date a log into the future and so cannot hold its ERROR/WARN problem marks up past the
moment the server actually heard of the problem. Logs a display sends late (catching up after an outage)
keep their own, older time and do not raise a current mark.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

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
    # When the server received it (caps `timestamp`); None: the `now` of the insert.
    received_at: datetime | None = None
    # Identity for idempotent inserts (see the module docstring); None: always inserted.
    content_hash: str | None = None


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
    table = ClientLog.__table__
    conn = await session.connection()  # Core insert: no ORM bookkeeping per row
    entries = await _not_yet_stored(conn, entries)
    if not entries:
        return []
    rows = []
    for e in entries:
        cap = e.received_at or now
        rows.append(
            {
                "client_uuid": e.uuid,
                "timestamp": min(e.timestamp, cap) if e.timestamp is not None else cap,
                "level": e.level,
                "message": bound_message(e.message),
                "context": bound_context(e.context),
                "content_hash": e.content_hash,
                "created_at": now,
            }
        )
    # Marks first: the UPDATE takes the display rows' exclusive locks before the INSERT's foreign-key check
    # takes shared ones, so two ingest processes logging for the same display queue instead of deadlocking.
    await raise_marks(conn, newest_problems((row["client_uuid"], row["level"], row["timestamp"]) for row in rows))
    result = await conn.execute(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    ids = [row[0] for row in result.all()]
    return [StoredLog(id_, e.uuid, e.level) for id_, e in zip(ids, entries, strict=True)]


def content_hash(level: LogLevel, payload: bytes) -> str:
    """The identity of a log message from the wire: its level (topic) and exact payload bytes."""
    return hashlib.blake2b(level.value.encode() + b"\0" + payload, digest_size=16).hexdigest()


async def _not_yet_stored(conn: AsyncConnection, entries: Sequence[ClientLogEntry]) -> list[ClientLogEntry]:
    """The entries whose (display, content_hash) is neither stored already nor repeated earlier in the batch."""
    hashed = [e for e in entries if e.content_hash is not None]
    if not hashed:
        return list(entries)
    table = ClientLog.__table__
    stored: set[tuple[str, str]] = set()
    hashes = sorted({e.content_hash for e in hashed if e.content_hash is not None})
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        rows = await conn.execute(
            sa.select(table.c.client_uuid, table.c.content_hash).where(table.c.content_hash.in_(chunk))
        )
        stored.update((uuid, digest) for uuid, digest in rows.all())
    fresh: list[ClientLogEntry] = []
    for entry in entries:
        if entry.content_hash is not None:
            key = (entry.uuid, entry.content_hash)
            if key in stored:
                continue
            stored.add(key)
        fresh.append(entry)
    return fresh
