"""Reading what displays report: logs, per-level summaries and the monitoring overview.

Every read is a fixed number of aggregate statements, whatever the fleet size (no query per client).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.clients.models import Client, ClientGroup
from app.domain.clients.service import CLIENT_NOT_FOUND, normalise_uuid
from app.domain.clients.status import is_client_alive
from app.domain.enums import LogLevel
from app.domain.errors import NotFoundError, ValidationError
from app.domain.monitoring.classify import ClientHealth, classify_client
from app.domain.monitoring.models import ClientLog
from app.domain.screenshots.storage import ScreenshotState, ScreenshotStore

MAX_LOG_LIMIT = 1000
MAX_WINDOW_HOURS = 24 * 31


def _limit(value: int | None, default: int) -> int:
    if value is None:
        return default
    if value < 1:
        raise ValidationError("Das Limit muss mindestens 1 sein.", field="limit")
    return min(value, MAX_LOG_LIMIT)


def window_hours(hours: int | None, default: int = 24) -> int:
    value = default if hours is None else hours
    if value < 1 or value > MAX_WINDOW_HOURS:
        raise ValidationError(f"Das Zeitfenster muss zwischen 1 und {MAX_WINDOW_HOURS} Stunden liegen.", field="hours")
    return value


async def client_logs(
    session: AsyncSession,
    uuid: str,
    *,
    level: LogLevel | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[ClientLog]:
    """One display's logs, newest first (seed GET /api/client-logs/<uuid>/logs)."""
    key = normalise_uuid(uuid)
    if await session.scalar(select(Client.uuid).where(Client.uuid == key)) is None:
        raise NotFoundError(CLIENT_NOT_FOUND)
    stmt = select(ClientLog).where(ClientLog.client_uuid == key)
    if level is not None:
        stmt = stmt.where(ClientLog.level == level)
    if since is not None:
        stmt = stmt.where(ClientLog.timestamp >= since)
    stmt = stmt.order_by(ClientLog.timestamp.desc(), ClientLog.id.desc()).limit(_limit(limit, 100))
    return list((await session.scalars(stmt)).all())


async def recent_errors(session: AsyncSession, *, limit: int | None = None) -> list[ClientLog]:
    stmt = (
        select(ClientLog)
        .where(ClientLog.level == LogLevel.ERROR)
        .order_by(ClientLog.timestamp.desc(), ClientLog.id.desc())
        .limit(_limit(limit, 20))
    )
    return list((await session.scalars(stmt)).all())


async def get_log(session: AsyncSession, log_id: int) -> ClientLog | None:
    return await session.get(ClientLog, log_id)


@dataclass
class LevelCounts:
    error: int = 0
    warn: int = 0
    info: int = 0
    debug: int = 0

    @property
    def total(self) -> int:
        return self.error + self.warn + self.info + self.debug


async def level_counts(session: AsyncSession, since: datetime) -> dict[str, LevelCounts]:
    """Log counts per level per display since `since`: one GROUP BY, one row per display."""

    def count_of(level: LogLevel) -> Any:
        return func.sum(case((ClientLog.level == level, 1), else_=0))

    stmt = (
        select(
            ClientLog.client_uuid,
            count_of(LogLevel.ERROR),
            count_of(LogLevel.WARN),
            count_of(LogLevel.INFO),
            count_of(LogLevel.DEBUG),
        )
        .where(ClientLog.timestamp >= since)
        .group_by(ClientLog.client_uuid)
    )
    return {
        uuid: LevelCounts(int(error or 0), int(warn or 0), int(info or 0), int(debug or 0))
        for uuid, error, warn, info, debug in (await session.execute(stmt)).all()
    }


async def latest_logs(session: AsyncSession, since: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """The newest log and the newest ERROR per display since `since`, in one statement.

    "Newest" is the last one stored (highest id): ingest stores logs in arrival order, and the id is what
    the indexes can aggregate without reading every row.
    """
    in_window = ClientLog.timestamp >= since
    newest = select(func.max(ClientLog.id).label("id")).where(in_window).group_by(ClientLog.client_uuid)
    newest_error = (
        select(func.max(ClientLog.id).label("id"))
        .where(ClientLog.level == LogLevel.ERROR, in_window)
        .group_by(ClientLog.client_uuid)
    )
    wanted = union(newest, newest_error).subquery()
    # Plain rows with the ClientLog columns (thousands of them: no ORM entities).
    stmt = select(*ClientLog.__table__.columns).join(wanted, ClientLog.id == wanted.c.id)
    rows = (await session.execute(stmt)).all()
    latest: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for entry in rows:
        if entry.client_uuid not in latest or entry.id > latest[entry.client_uuid].id:
            latest[entry.client_uuid] = entry
        if entry.level == LogLevel.ERROR and (
            entry.client_uuid not in errors or entry.id > errors[entry.client_uuid].id
        ):
            errors[entry.client_uuid] = entry
    return latest, errors


# --- the monitoring overview ------------------------------------------------------------------------


OVERVIEW_COLUMNS = (
    Client.uuid,
    Client.description,
    Client.hostname,
    Client.ip,
    Client.group_id,
    Client.is_active,
    Client.last_alive,
    Client.process_status,
    Client.current_process,
    Client.process_pid,
    Client.current_event_id,
    Client.screen_health_status,
    Client.last_screenshot_analyzed,
    Client.mqtt_reconnect_count,
    Client.mqtt_last_disconnect_at,
    Client.service_failed_at,
    Client.service_failed_unit,
)


@dataclass(frozen=True)
class ClientOverview:
    # A row of OVERVIEW_COLUMNS (+ group_name): attribute access like a Client.
    client: Any
    group_name: str | None
    alive: bool
    status: ClientHealth
    counts: LevelCounts
    # Rows with the ClientLog columns.
    latest_log: Any | None
    latest_error: Any | None
    screenshot: ScreenshotState


@dataclass
class OverviewSummary:
    total_clients: int = 0
    healthy: int = 0
    warning: int = 0
    critical: int = 0
    offline: int = 0
    active_priority_screenshots: int = 0
    error_logs: int = 0
    warn_logs: int = 0


@dataclass(frozen=True)
class MonitoringOverview:
    generated_at: datetime
    window_hours: int
    grace_period_seconds: int
    summary: OverviewSummary
    clients: list[ClientOverview] = field(default_factory=list)


_NO_SCREENSHOT = ScreenshotState(None, None, None, None, False)


def screenshot_states(
    directory: Path, uuids: set[str], *, ttl_seconds: int, now: datetime
) -> dict[str, ScreenshotState]:
    """Meta of the displays that have one: one directory listing, then only the existing meta files."""
    if not directory.is_dir():
        return {}
    store = ScreenshotStore(directory)
    with_meta = {
        entry.name[: -len("_meta.json")] for entry in os.scandir(directory) if entry.name.endswith("_meta.json")
    }
    return {uuid: store.state(uuid, ttl_seconds=ttl_seconds, now=now) for uuid in with_meta & uuids}


async def monitoring_overview(
    session: AsyncSession,
    *,
    now: datetime,
    hours: int,
    grace_seconds: int,
    screenshot_dir: Path,
    priority_ttl_seconds: int,
) -> MonitoringOverview:
    since = now - timedelta(hours=hours)
    # Only the columns the page shows, as plain rows (no ORM identity map for thousands of displays).
    rows = (
        await session.execute(
            select(*OVERVIEW_COLUMNS, ClientGroup.name.label("group_name"))
            .outerjoin(ClientGroup, ClientGroup.id == Client.group_id)
            .order_by(Client.description, Client.hostname, Client.uuid)
        )
    ).all()
    counts = await level_counts(session, since)
    latest, errors = await latest_logs(session, since)
    shots = screenshot_states(screenshot_dir, {r.uuid for r in rows}, ttl_seconds=priority_ttl_seconds, now=now)

    summary = OverviewSummary(total_clients=len(rows))
    overview: list[ClientOverview] = []
    empty = LevelCounts()
    for client in rows:
        alive = is_client_alive(client.last_alive, client.is_active, now, grace_seconds)
        c = counts.get(client.uuid, empty)
        status = classify_client(
            alive=alive,
            process_status=client.process_status,
            screen_status=client.screen_health_status,
            error_logs=c.error,
            warn_logs=c.warn,
        )
        shot = shots.get(client.uuid, _NO_SCREENSHOT)
        setattr(summary, status.value, getattr(summary, status.value) + 1)
        summary.active_priority_screenshots += shot.has_active_priority
        summary.error_logs += c.error
        summary.warn_logs += c.warn
        overview.append(
            ClientOverview(
                client, client.group_name, alive, status, c, latest.get(client.uuid), errors.get(client.uuid), shot
            )
        )
    return MonitoringOverview(now, hours, grace_seconds, summary, overview)
