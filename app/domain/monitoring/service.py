"""Reading what displays report: logs, per-level summaries and the monitoring overview.

Every read is a fixed number of aggregate statements, whatever the fleet size (no query per client).
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.clients.lookup import CLIENT_ORDER, normalise_uuid
from app.domain.clients.models import Client, ClientGroup
from app.domain.enums import LogLevel
from app.domain.errors import NotFoundError, ValidationError
from app.domain.monitoring.classify import (
    ClientHealth,
    Health,
    alive_sql,
    classify_health,
    content_cutoff,
    health_sql,
)
from app.domain.monitoring.models import ClientLog
from app.domain.screenshots.storage import ScreenshotState, ScreenshotStore

MAX_LOG_LIMIT = 1000
MAX_WINDOW_HOURS = 24 * 31


def _limit(value: int | None, default: int) -> int:
    if value is None:
        return default
    if value < 1:
        raise ValidationError("monitoring.limit_too_small", field="limit")
    return min(value, MAX_LOG_LIMIT)


def window_hours(hours: int | None, default: int = 24) -> int:
    value = default if hours is None else hours
    if value < 1 or value > MAX_WINDOW_HOURS:
        raise ValidationError("monitoring.window_out_of_range", field="hours", max=MAX_WINDOW_HOURS)
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
        raise NotFoundError("client.not_found", uuid=key)
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


_COUNTED = (LogLevel.ERROR, LogLevel.WARN, LogLevel.INFO, LogLevel.DEBUG)  # LevelCounts' field order


@dataclass
class LogActivity:
    """One display's logs in a window: counts per level and the ids of its newest log and newest ERROR.

    "Newest" is the last one stored (highest id): ingest stores logs in arrival order, and the id is in
    every index, so it is aggregated without reading table rows.
    """

    counts: LevelCounts = field(default_factory=LevelCounts)
    newest_id: int | None = None
    newest_error_id: int | None = None


async def log_activity(
    session: AsyncSession, since: datetime, uuids: list[str] | None = None, *, all_levels: bool = True
) -> dict[str, LogActivity]:
    """LogActivity per display since `since` (all displays, or those in `uuids`): one GROUP BY per chunk.

    `all_levels=False` counts ERROR and WARN only (INFO and DEBUG stay 0): what the Monitoring cards show. With
    INFO logs every 30 s a day holds thousands of rows per display; the problem levels are a few, read from
    the (client, level, timestamp) index, and the newest log of any level from the (client, timestamp) one."""
    if not all_levels:
        return await _problem_activity(session, since, uuids)

    def count_of(level: LogLevel) -> Any:
        return func.sum(case((ClientLog.level == level, 1), else_=0))

    stmt = (
        select(
            ClientLog.client_uuid,
            *(count_of(level) for level in _COUNTED),
            func.max(ClientLog.id),
            func.max(case((ClientLog.level == LogLevel.ERROR, ClientLog.id))),
        )
        .where(ClientLog.timestamp >= since)
        .group_by(ClientLog.client_uuid)
    )
    result: dict[str, LogActivity] = {}
    for statement in _per_chunk(stmt, uuids):
        for uuid, error, warn, info, debug, newest, newest_error in (await session.execute(statement)).all():
            counts = LevelCounts(int(error or 0), int(warn or 0), int(info or 0), int(debug or 0))
            result[uuid] = LogActivity(counts, newest, newest_error)
    return result


def _per_chunk(stmt: Any, uuids: list[str] | None) -> list[Any]:
    return [stmt] if uuids is None else [stmt.where(c) for c in _in_chunks(ClientLog.client_uuid, uuids)]


async def _problem_activity(session: AsyncSession, since: datetime, uuids: list[str] | None) -> dict[str, LogActivity]:
    def of(condition: Any | None) -> Any:
        problems = select(ClientLog.client_uuid, ClientLog.level, func.count(), func.max(ClientLog.id)).where(
            ClientLog.level.in_((LogLevel.ERROR, LogLevel.WARN)), ClientLog.timestamp >= since
        )
        newest = select(ClientLog.client_uuid, sa.null(), sa.literal(0), func.max(ClientLog.id)).where(
            ClientLog.timestamp >= since
        )
        if condition is not None:
            problems, newest = problems.where(condition), newest.where(condition)
        # One statement: the problem levels per display and, level NULL, its newest log of any level.
        return sa.union_all(
            problems.group_by(ClientLog.client_uuid, ClientLog.level), newest.group_by(ClientLog.client_uuid)
        )

    conditions = [None] if uuids is None else _in_chunks(ClientLog.client_uuid, uuids)
    counts: dict[str, dict[LogLevel, int]] = {}
    newest_error: dict[str, int] = {}
    newest_any: dict[str, int] = {}
    for condition in conditions:
        for uuid, level, number, top in (await session.execute(of(condition))).all():
            if level is None:
                newest_any[uuid] = int(top)
                continue
            counts.setdefault(uuid, {})[LogLevel(level)] = int(number)
            if LogLevel(level) is LogLevel.ERROR:
                newest_error[uuid] = int(top)
    result: dict[str, LogActivity] = {}
    for uuid, top in newest_any.items():
        mine = counts.get(uuid, {})
        levels = LevelCounts(mine.get(LogLevel.ERROR, 0), mine.get(LogLevel.WARN, 0))
        result[uuid] = LogActivity(levels, top, newest_error.get(uuid))
    return result


async def level_counts(
    session: AsyncSession, since: datetime, uuids: list[str] | None = None
) -> dict[str, LevelCounts]:
    """Log counts per level per display since `since` (all displays, or those in `uuids`)."""
    return {uuid: activity.counts for uuid, activity in (await log_activity(session, since, uuids)).items()}


async def logs_by_id(session: AsyncSession, ids: Collection[int]) -> dict[int, Any]:
    """Plain rows with the ClientLog columns (no ORM entities: there may be thousands)."""
    rows: dict[int, Any] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), _IN_CHUNK):
        chunk = ordered[start : start + _IN_CHUNK]
        stmt = select(*ClientLog.__table__.columns).where(ClientLog.id.in_(chunk))
        rows.update((row.id, row) for row in (await session.execute(stmt)).all())
    return rows


# --- the monitoring overview ------------------------------------------------------------------------

_OVERVIEW_ORDER = CLIENT_ORDER

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
    Client.last_error_log_at,
    Client.last_warn_log_at,
    Client.planned_off,
    Client.content_mismatch_since,
)


@dataclass(frozen=True)
class ClientOverview:
    # A row of OVERVIEW_COLUMNS (+ group_name): attribute access like a Client.
    client: Any
    group_name: str | None
    alive: bool
    status: ClientHealth
    # The same status with its reasons (classify_health; `status` is the database's answer to the same rule).
    health: Health
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
    planned_off: int = 0
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
    # Displays matching the status filter, before limit/offset.
    matching_clients: int = 0


@dataclass(frozen=True)
class OverviewDetails:
    """Which extras the caller will show (each costs a statement)."""

    level_counts: bool = True  # per display on the page
    all_levels: bool = True  # INFO and DEBUG counted too (a read of every log in the window)
    latest_logs: bool = True  # per display on the page
    log_totals: bool = True  # the summary's ERROR / WARN log counts


_NO_SCREENSHOT = ScreenshotState(None, None, None, None, False)
_IN_CHUNK = 1000


def _in_chunks(column: Any, keys: Collection[str]) -> list[Any]:
    ordered = sorted(keys)
    return [column.in_(ordered[i : i + _IN_CHUNK]) for i in range(0, len(ordered), _IN_CHUNK)]


def screenshot_states(directory: Path, *, ttl_seconds: int, now: datetime) -> dict[str, ScreenshotState]:
    """Meta of the displays that have one: one directory listing, then only the existing meta files."""
    if not directory.is_dir():
        return {}
    store = ScreenshotStore(directory)
    with_meta = {
        entry.name[: -len("_meta.json")] for entry in os.scandir(directory) if entry.name.endswith("_meta.json")
    }
    return {uuid: store.state(uuid, ttl_seconds=ttl_seconds, now=now) for uuid in with_meta}


async def _known(session: AsyncSession, uuids: Collection[str]) -> set[str]:
    found: set[str] = set()
    for condition in _in_chunks(Client.uuid, uuids):
        found.update((await session.scalars(select(Client.uuid).where(condition))).all())
    return found


async def _problem_log_totals(session: AsyncSession, since: datetime) -> tuple[int, int]:
    """ERROR and WARN logs of all displays in the window (a count over the (level, timestamp) index)."""
    stmt = (
        select(ClientLog.level, func.count())
        .where(ClientLog.level.in_((LogLevel.ERROR, LogLevel.WARN)), ClientLog.timestamp >= since)
        .group_by(ClientLog.level)
    )
    totals = {LogLevel(level): int(number) for level, number in (await session.execute(stmt)).all()}
    return totals.get(LogLevel.ERROR, 0), totals.get(LogLevel.WARN, 0)


async def monitoring_overview(
    session: AsyncSession,
    *,
    now: datetime,
    hours: int,
    grace_seconds: int,
    screenshot_dir: Path,
    priority_ttl_seconds: int,
    statuses: Collection[ClientHealth] | None = None,
    limit: int | None = None,
    offset: int = 0,
    details: OverviewDetails | None = None,
    content_grace_seconds: float | None = None,
) -> MonitoringOverview:
    """Every display classified by the database; the details only for the requested page.

    Statements: one for the summary (a GROUP BY over the classification, which reads the displays' own
    columns only), one for the page, and, only when `details` asks, the window's log totals and, for the
    page's displays, their level counts and latest log and error.
    """
    if (limit is not None and limit < 0) or offset < 0:
        raise ValidationError("monitoring.negative_paging", field="limit")
    wanted = details or OverviewDetails()
    since = now - timedelta(hours=hours)
    alive = alive_sql(now, grace_seconds)
    cutoff = content_cutoff(now, content_grace_seconds)
    status = health_sql(alive, since, cutoff).label("status")

    summary = OverviewSummary()
    per_status: dict[ClientHealth, int] = {}
    for value, number in (await session.execute(select(status, func.count()).group_by(status))).all():
        health = ClientHealth(value)
        per_status[health] = int(number)
        setattr(summary, health.value, int(number))
        summary.total_clients += int(number)
    if wanted.log_totals:
        summary.error_logs, summary.warn_logs = await _problem_log_totals(session, since)
    shots = screenshot_states(screenshot_dir, ttl_seconds=priority_ttl_seconds, now=now)
    active = {uuid for uuid, shot in shots.items() if shot.has_active_priority}
    summary.active_priority_screenshots = len(await _known(session, active)) if active else 0
    matching = sum(n for health, n in per_status.items() if statuses is None or health in statuses)

    rows: list[Any] = []
    if limit != 0 and offset < matching:
        page_stmt = (
            select(*OVERVIEW_COLUMNS, ClientGroup.name.label("group_name"), alive.label("alive"), status)
            .outerjoin(ClientGroup, ClientGroup.id == Client.group_id)
            .order_by(*_OVERVIEW_ORDER)
            .offset(offset)
        )
        if statuses is not None:
            page_stmt = page_stmt.where(status.in_([s.value for s in statuses]))
        if limit is not None:
            page_stmt = page_stmt.limit(limit)
        rows = list((await session.execute(page_stmt)).all())

    whole_fleet = len(rows) == summary.total_clients
    keys = None if whole_fleet else [row.uuid for row in rows]
    activity: dict[str, LogActivity] = {}
    if rows and (wanted.level_counts or wanted.latest_logs):
        activity = await log_activity(session, since, keys, all_levels=wanted.level_counts and wanted.all_levels)
    logs: dict[int, Any] = {}
    if activity and wanted.latest_logs:
        newest = {a.newest_id for a in activity.values()} | {a.newest_error_id for a in activity.values()}
        logs = await logs_by_id(session, {i for i in newest if i is not None})

    def row_overview(row: Any) -> ClientOverview:
        mine = activity.get(row.uuid) or LogActivity()
        return ClientOverview(
            row,
            row.group_name,
            bool(row.alive),
            ClientHealth(row.status),
            classify_health(
                alive=bool(row.alive),
                is_active=bool(row.is_active),
                process_status=row.process_status,
                screen_health_status=row.screen_health_status,
                service_failed_at=row.service_failed_at,
                last_error_log_at=row.last_error_log_at,
                last_warn_log_at=row.last_warn_log_at,
                since=since,
                planned_off=bool(row.planned_off),
                content_mismatch_since=row.content_mismatch_since,
                content_cutoff=cutoff,
            ),
            mine.counts,
            None if mine.newest_id is None else logs.get(mine.newest_id),
            None if mine.newest_error_id is None else logs.get(mine.newest_error_id),
            shots.get(row.uuid, _NO_SCREENSHOT),
        )

    overview = [row_overview(row) for row in rows]
    return MonitoringOverview(now, hours, grace_seconds, summary, overview, matching)
