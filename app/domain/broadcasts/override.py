"""The broadcasts that override group schedules, read from the database (the state survives restarts).

The scheduler tick, the start/end delivery and the preview call these, so all three compute the same lists.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.broadcasts.models import Broadcast, BroadcastSeverity
from app.domain.broadcasts.rules import BroadcastView


def view_of(row: Broadcast) -> BroadcastView:
    return BroadcastView(
        id=row.id,
        title=row.title,
        message=row.message,
        severity=BroadcastSeverity(row.severity),
        group_ids=None if row.group_ids is None else frozenset(int(g) for g in row.group_ids),
        started_at=row.started_at,
        ends_at=row.ends_at,
        ended_at=row.ended_at,
    )


async def load_running(session: AsyncSession, now: datetime) -> list[BroadcastView]:
    """Broadcasts not ended by an all-clear whose ends_at (if any) is still ahead (one indexed query)."""
    rows = (
        await session.scalars(
            sa.select(Broadcast).where(
                Broadcast.ended_at.is_(None), sa.or_(Broadcast.ends_at.is_(None), Broadcast.ends_at > now)
            )
        )
    ).all()
    return [view_of(row) for row in rows]


async def load_between(session: AsyncSession, start: datetime, end: datetime) -> list[BroadcastView]:
    """Broadcasts shown at some instant of [start, end) (the preview's range)."""
    rows = (
        await session.scalars(
            sa.select(Broadcast).where(
                Broadcast.started_at < end,
                sa.or_(Broadcast.ended_at.is_(None), Broadcast.ended_at > start),
                sa.or_(Broadcast.ends_at.is_(None), Broadcast.ends_at > start),
            )
        )
    ).all()
    return [view_of(row) for row in rows]
