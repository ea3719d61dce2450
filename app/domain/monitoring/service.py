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

from sqlalchemy import and_, case, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.clients.models import Client, ClientGroup
from app.domain.clients.service import CLIENT_NOT_FOUND, normalise_uuid
from app.domain.enums import LogLevel
from app.domain.errors import NotFoundError, ValidationError
from app.domain.monitoring.classify import ClientHealth, alive_sql, health_sql
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


async def level_counts(
    session: AsyncSession, since: datetime, uuids: list[str] | None = None
) -> dict[str, LevelCounts]:
    """Log counts per level per display since `since` (all displays, or those in `uuids`): one GROUP BY."""

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
    statements = [stmt] if uuids is None else [stmt.where(c) for c in _in_chunks(ClientLog.client_uuid, uuids)]
    result: dict[str, LevelCounts] = {}
    for statement in statements:
        result.update(
            {
                uuid: LevelCounts(int(error or 0), int(warn or 0), int(info or 0), int(debug or 0))
                for uuid, error, warn, info, debug in (await session.execute(statement)).all()
            }
        )
    return result


async def latest_logs(
    session: AsyncSession, since: datetime, uuids: list[str] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The newest log and the newest ERROR per display since `since` (all, or those in `uuids`).

    "Newest" is the last one stored (highest id): ingest stores logs in arrival order, and the id is what
    the indexes can aggregate without reading every row.
    """
    rows: list[Any] = []
    scopes = [None] if uuids is None else _in_chunks(ClientLog.client_uuid, uuids)
    for scope in scopes:
        in_window = ClientLog.timestamp >= since if scope is None else and_(ClientLog.timestamp >= since, scope)
        newest = select(func.max(ClientLog.id).label("id")).where(in_window).group_by(ClientLog.client_uuid)
        newest_error = (
            select(func.max(ClientLog.id).label("id"))
            .where(ClientLog.level == LogLevel.ERROR, in_window)
            .group_by(ClientLog.client_uuid)
        )
        wanted = union(newest, newest_error).subquery()
        # Plain rows with the ClientLog columns (thousands of them: no ORM entities).
        stmt = select(*ClientLog.__table__.columns).join(wanted, ClientLog.id == wanted.c.id)
        rows.extend((await session.execute(stmt)).all())
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

_OVERVIEW_ORDER = (Client.description, Client.hostname, Client.uuid)

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
    # Displays matching the status filter, before limit/offset.
    matching_clients: int = 0


@dataclass(frozen=True)
class OverviewDetails:
    """Which per-display extras the caller will show (each costs a statement over the page)."""

    all_level_counts: bool = True  # info/debug/total besides error/warn
    latest_logs: bool = True


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


def _problem_logs(since: datetime, uuids: list[str] | None = None) -> Any:
    """ERROR and WARN counts per display in the window (all displays, or those in `uuids`).

    For all displays this reads the (level, timestamp, client_uuid) index; for a page of them the
    (client_uuid, timestamp) one.
    """

    def count_of(level: LogLevel) -> Any:
        return func.sum(case((ClientLog.level == level, 1), else_=0))

    stmt = select(
        ClientLog.client_uuid.label("uuid"),
        count_of(LogLevel.ERROR).label("errors"),
        count_of(LogLevel.WARN).label("warns"),
    ).where(ClientLog.level.in_((LogLevel.ERROR, LogLevel.WARN)), ClientLog.timestamp >= since)
    if uuids is not None:
        stmt = stmt.where(ClientLog.client_uuid.in_(uuids))
    return stmt.group_by(ClientLog.client_uuid).subquery("problems")


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
) -> MonitoringOverview:
    """Every display classified by the database; the details only for the requested page.

    Statements: one for the summary (a GROUP BY over the classification), one for the page, and, only for
    the page's displays and only when `details` asks, the full level counts and the latest log and error.
    """
    if (limit is not None and limit < 0) or offset < 0:
        raise ValidationError("limit und offset dürfen nicht negativ sein.", field="limit")
    wanted = details or OverviewDetails()
    since = now - timedelta(hours=hours)
    problems = _problem_logs(since)
    errors = func.coalesce(problems.c.errors, 0)
    warns = func.coalesce(problems.c.warns, 0)
    alive = alive_sql(now, grace_seconds)
    status = health_sql(alive, errors, warns).label("status")
    fleet = Client.__table__.outerjoin(problems, problems.c.uuid == Client.uuid)

    summary = OverviewSummary()
    per_status: dict[ClientHealth, int] = {}
    summary_stmt = select(status, func.count(), func.sum(errors), func.sum(warns)).select_from(fleet).group_by(status)
    for value, number, error_logs, warn_logs in (await session.execute(summary_stmt)).all():
        health = ClientHealth(value)
        per_status[health] = int(number)
        setattr(summary, health.value, int(number))
        summary.total_clients += int(number)
        summary.error_logs += int(error_logs or 0)
        summary.warn_logs += int(warn_logs or 0)
    shots = screenshot_states(screenshot_dir, ttl_seconds=priority_ttl_seconds, now=now)
    active = {uuid for uuid, shot in shots.items() if shot.has_active_priority}
    summary.active_priority_screenshots = len(await _known(session, active)) if active else 0
    matching = sum(n for health, n in per_status.items() if statuses is None or health in statuses)

    rows: list[Any] = []
    if limit != 0 and offset < matching:
        page_fleet = fleet
        narrowed: list[str] | None = None
        if statuses is None and limit is not None and limit <= _IN_CHUNK:
            # Unfiltered, the page does not depend on anyone's status: pick it by the sort order alone and
            # classify only its displays, instead of counting the whole fleet's problems a second time.
            narrowed = list(
                (
                    await session.scalars(select(Client.uuid).order_by(*_OVERVIEW_ORDER).offset(offset).limit(limit))
                ).all()
            )
            page_problems = _problem_logs(since, narrowed)
            errors = func.coalesce(page_problems.c.errors, 0)
            warns = func.coalesce(page_problems.c.warns, 0)
            status = health_sql(alive, errors, warns).label("status")
            page_fleet = Client.__table__.outerjoin(page_problems, page_problems.c.uuid == Client.uuid)
        page_stmt = (
            select(
                *OVERVIEW_COLUMNS,
                ClientGroup.name.label("group_name"),
                alive.label("alive"),
                status,
                errors.label("errors"),
                warns.label("warns"),
            )
            .select_from(page_fleet.outerjoin(ClientGroup, ClientGroup.id == Client.group_id))
            .order_by(*_OVERVIEW_ORDER)
        )
        if narrowed is not None:
            page_stmt = page_stmt.where(Client.uuid.in_(narrowed))
        else:
            page_stmt = page_stmt.offset(offset)
            if statuses is not None:
                page_stmt = page_stmt.where(status.in_([s.value for s in statuses]))
            if limit is not None:
                page_stmt = page_stmt.limit(limit)
        rows = list((await session.execute(page_stmt)).all()) if narrowed is None or narrowed else []

    whole_fleet = len(rows) == summary.total_clients
    keys = None if whole_fleet else [row.uuid for row in rows]
    counts: dict[str, LevelCounts] = {}
    if rows and wanted.all_level_counts:
        counts = await level_counts(session, since, keys)
    latest: dict[str, Any] = {}
    newest_errors: dict[str, Any] = {}
    if rows and wanted.latest_logs:
        latest, newest_errors = await latest_logs(session, since, keys)

    overview = [
        ClientOverview(
            row,
            row.group_name,
            bool(row.alive),
            ClientHealth(row.status),
            counts.get(row.uuid) or LevelCounts(error=int(row.errors), warn=int(row.warns)),
            latest.get(row.uuid),
            newest_errors.get(row.uuid),
            shots.get(row.uuid, _NO_SCREENSHOT),
        )
        for row in rows
    ]
    return MonitoringOverview(now, hours, grace_seconds, summary, overview, matching)
