"""Logs and the monitoring overview: logs need admin+, the overview superadmin (seed-spec §3.12)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

import strawberry

from app.domain.clock import utcnow
from app.domain.enums import LogLevel as DomainLogLevel
from app.domain.enums import Role
from app.domain.monitoring import service
from app.domain.monitoring.classify import ClientHealth as DomainClientHealth
from app.graphql.context import Info
from app.graphql.monitoring_types import (
    ClientHealth,
    ClientLogSummary,
    ClientLogType,
    LogLevel,
    LogLevelCounts,
    MonitoringClient,
    MonitoringOverviewType,
    MonitoringSummary,
)
from app.graphql.permissions import require
from app.graphql.selection import selected_attributes

MAX_OVERVIEW_PAGE = 20_000


@strawberry.type
class MonitoringQuery:
    @strawberry.field(description="One display's logs, newest first (admin+). limit: 1–1000, default 100.")
    async def client_logs(
        self,
        info: Info,
        uuid: str,
        level: LogLevel | None = None,  # type: ignore[valid-type]
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[ClientLogType]:
        require(info, Role.ADMIN)
        async with info.context.read_session() as session:
            rows = await service.client_logs(
                session, uuid, level=None if level is None else DomainLogLevel(level), since=since, limit=limit
            )
        return [ClientLogType.from_model(r) for r in rows]

    @strawberry.field(description="The newest ERROR logs of all displays (admin+). limit default 20.")
    async def recent_errors(self, info: Info, limit: int | None = None) -> list[ClientLogType]:
        require(info, Role.ADMIN)
        async with info.context.read_session() as session:
            rows = await service.recent_errors(session, limit=limit)
        return [ClientLogType.from_model(r) for r in rows]

    @strawberry.field(description="Log counts per level per display in the last 24 hours (admin+).")
    async def client_log_summary(self, info: Info) -> list[ClientLogSummary]:
        require(info, Role.ADMIN)
        async with info.context.read_session() as session:
            counts = await service.level_counts(session, utcnow() - timedelta(hours=24))
        return [
            ClientLogSummary(client_uuid=uuid, counts=LogLevelCounts.from_counts(c))
            for uuid, c in sorted(counts.items())
        ]

    @strawberry.field(
        description="Live status of every display with log counts, latest log/error and screenshot state in the "
        "last `hours` (default 24; superadmin). `status` narrows the client list, `limit`/`offset` page it "
        "(the summary always counts every display; `matchingClients` is the length before paging)."
    )
    async def monitoring_overview(
        self,
        info: Info,
        hours: int | None = None,
        status: list[ClientHealth] | None = None,  # type: ignore[valid-type]
        limit: int | None = None,
        offset: int = 0,
    ) -> MonitoringOverviewType:
        require(info, Role.SUPERADMIN)
        settings = info.context.settings
        window = service.window_hours(hours)
        page = None if limit is None else min(limit, MAX_OVERVIEW_PAGE)
        shown = selected_attributes(info, MonitoringClient, under=("clients",))
        totals = selected_attributes(info, MonitoringSummary, under=("summary",))
        levels = selected_attributes(info, LogLevelCounts, under=("clients", "logCounts"))
        details = service.OverviewDetails(
            level_counts="log_counts" in shown,
            all_levels=bool(levels & {"info", "debug", "total"}),
            latest_logs=bool(shown & {"latest_log", "latest_error"}),
            log_totals=bool(totals & {"error_logs", "warn_logs"}),
        )
        async with info.context.read_session() as session:
            overview = await service.monitoring_overview(
                session,
                now=utcnow(),
                hours=window,
                grace_seconds=settings.heartbeat_grace_seconds,
                screenshot_dir=settings.screenshot_dir,
                priority_ttl_seconds=settings.priority_screenshot_ttl_seconds,
                statuses=None if status is None else {DomainClientHealth(s) for s in status},
                # A summary-only poll reads nothing per display beyond what classifying it needs.
                limit=page if "clients" in selected_attributes(info, MonitoringOverviewType) else 0,
                offset=offset,
                details=details,
                content_grace_seconds=settings.content_mismatch_grace_seconds,
            )
        return MonitoringOverviewType(
            generated_at=overview.generated_at,
            window_hours=overview.window_hours,
            grace_period_seconds=overview.grace_period_seconds,
            summary=MonitoringSummary(**asdict(overview.summary)),
            matching_clients=overview.matching_clients,
            rows=overview.clients,
        )
