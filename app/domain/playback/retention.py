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
    """Delete intervals whose last report is older than the cutoff (a display silent that long loses its open
    interval too: its next report opens a new one); returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    async with db.session() as session:
        # Started before the cutoff (the index) and over by then; an open one counts as over at its last report.
        stmt = delete(PlaybackInterval).where(
            PlaybackInterval.started_at < cutoff, PlaybackInterval.last_seen_at < cutoff
        )
        result = await session.execute(stmt)
        removed = int(result.rowcount or 0)  # type: ignore[attr-defined]
    log.info("event=playback_retention_sweep removed=%d retention_days=%d", removed, retention_days)
    return removed
