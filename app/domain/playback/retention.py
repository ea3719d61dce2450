"""Retention of the playback intervals: PLAYBACK_RETENTION_DAYS (default 90), in the hourly retention sweep."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete

from app.domain.clock import utcnow
from app.domain.db import Database
from app.domain.playback.models import PlaybackInterval

log = logging.getLogger(__name__)


async def purge_playback(db: Database, retention_days: int, *, now: datetime | None = None) -> int:
    """Delete the intervals that ended before the cutoff; returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    async with db.session() as session:
        # Closed intervals only: an open one is what the display shows now, however long ago it started.
        result = await session.execute(delete(PlaybackInterval).where(PlaybackInterval.ended_at < cutoff))
        removed = int(result.rowcount or 0)  # type: ignore[attr-defined]
    log.info("event=playback_retention_sweep removed=%d retention_days=%d", removed, retention_days)
    return removed
