"""Retention sweeps: client logs older than CLIENT_LOG_RETENTION_DAYS, timestamped screenshots older than
SCREENSHOT_RETENTION_DAYS. The latest (`{uuid}.jpg`), priority and meta files are never touched here.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete

from app.domain.clock import utcnow
from app.domain.db import Database
from app.domain.monitoring.models import ClientLog
from app.domain.monitoring.problem_marks import recompute_marks_statement

log = logging.getLogger(__name__)

# `{uuid}_{YYYYmmddTHHMMSSffffff}_{type}.jpg`, the history files of app.domain.screenshots (server UTC time).
_TIMESTAMPED = re.compile(
    r"^[0-9a-fA-F-]{36}_(?P<stamp>\d{8}T\d{12})_(?:periodic|event_start|event_stop)\.(?:jpg|jpeg|png|webp)$"
)


async def purge_client_logs(db: Database, retention_days: int, *, now: datetime | None = None) -> int:
    """Delete log rows received before the retention cutoff; returns how many.

    The displays' problem marks are recomputed in the same transaction, so a status never rests on a
    deleted log.
    """
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    async with db.session() as session:
        result = await session.execute(delete(ClientLog).where(ClientLog.created_at < cutoff))
        removed = int(result.rowcount or 0)  # type: ignore[attr-defined]
        if removed:
            await session.execute(recompute_marks_statement())
    log.info("event=client_log_retention_sweep removed=%d retention_days=%d", removed, retention_days)
    return removed


def screenshot_taken_at(name: str) -> datetime | None:
    match = _TIMESTAMPED.match(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match["stamp"], "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
    except ValueError:
        return None


def _purge_screenshot_files(directory: Path, cutoff: datetime) -> int:
    if not directory.is_dir():
        return 0
    removed = 0
    for entry in directory.iterdir():
        taken = screenshot_taken_at(entry.name)
        if taken is None or taken >= cutoff or not entry.is_file() or entry.is_symlink():
            continue
        try:
            entry.unlink()
            removed += 1
        except FileNotFoundError:
            continue  # pruned concurrently by the screenshot store
    return removed


async def purge_screenshots(directory: Path, retention_days: int, *, now: datetime | None = None) -> int:
    """Delete timestamped screenshots older than the retention; returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    removed = await asyncio.to_thread(_purge_screenshot_files, directory, cutoff)
    log.info("event=screenshot_retention_sweep removed=%d retention_days=%d", removed, retention_days)
    return removed
