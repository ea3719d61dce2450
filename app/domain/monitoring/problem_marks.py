"""Per-display marks of the newest ERROR and WARN log (`clients.last_error_log_at` / `last_warn_log_at`).

The monitoring status (§6.2) asks "did this display log an ERROR / a WARN within the window?". Answering
that from `client_logs` means reading every problem log of the window for the whole fleet; the marks answer
it with a column comparison. They are kept exact: ingest raises them as logs arrive, and after logs are
deleted they are recomputed from what is left.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.clients.models import Client
from app.domain.db import UTCDateTime
from app.domain.enums import LogLevel
from app.domain.monitoring.models import ClientLog

MARKED_LEVELS = frozenset({LogLevel.ERROR, LogLevel.WARN})


def newest_problems(entries: Iterable[tuple[str, LogLevel, datetime]]) -> dict[str, dict[LogLevel, datetime]]:
    """The newest ERROR and WARN timestamp per display among (uuid, level, timestamp) entries."""
    newest: dict[str, dict[LogLevel, datetime]] = {}
    for uuid, level, at in entries:
        if level not in MARKED_LEVELS:
            continue
        per_level = newest.setdefault(uuid, {})
        if level not in per_level or at > per_level[level]:
            per_level[level] = at
    return newest


def _raise_to(column: Any, name: str) -> Any:
    value = sa.bindparam(name, type_=UTCDateTime())
    return sa.case(
        (sa.and_(value.is_not(None), sa.or_(column.is_(None), column < value)), value),
        else_=column,
    )


async def raise_marks(conn: AsyncConnection, newest: dict[str, dict[LogLevel, datetime]]) -> None:
    """Move each display's marks forward to the given timestamps (never backwards): one executemany.

    Rows are locked in uuid order, like the telemetry upsert, and before the logs' INSERT (see insert_logs).
    """
    if not newest:
        return
    table = Client.__table__
    stmt = (
        sa.update(table)
        .where(table.c.uuid == sa.bindparam("mark_uuid"))
        .values(
            last_error_log_at=_raise_to(table.c.last_error_log_at, "mark_error"),
            last_warn_log_at=_raise_to(table.c.last_warn_log_at, "mark_warn"),
            # Not a change of the display itself: keep updated_at (and its onupdate) out of it.
            updated_at=table.c.updated_at,
        )
    )
    params = [
        {"mark_uuid": uuid, "mark_error": levels.get(LogLevel.ERROR), "mark_warn": levels.get(LogLevel.WARN)}
        for uuid, levels in sorted(newest.items())
    ]
    await conn.execute(stmt, params)


def recompute_marks_statement(*, only_marked: bool = True) -> Any:
    """UPDATE setting the marks to each display's newest remaining ERROR / WARN log.

    After deletions a display without marks has no problem logs to lose, so by default only marked rows
    are visited (one index probe per level each, on ix_client_logs_client_level_timestamp). Bulk loads that
    bypass ingest recompute every display.
    """
    table = Client.__table__

    def newest(level: LogLevel) -> Any:
        return (
            sa.select(sa.func.max(ClientLog.timestamp))
            .where(ClientLog.client_uuid == table.c.uuid, ClientLog.level == level)
            .scalar_subquery()
        )

    stmt = sa.update(table).values(
        last_error_log_at=newest(LogLevel.ERROR),
        last_warn_log_at=newest(LogLevel.WARN),
        updated_at=table.c.updated_at,
    )
    if only_marked:
        stmt = stmt.where(sa.or_(table.c.last_error_log_at.is_not(None), table.c.last_warn_log_at.is_not(None)))
    return stmt
