"""GraphQL types for display logs and the monitoring overview."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from app.domain.clock import utcnow
from app.domain.enums import LogLevel as DomainLogLevel
from app.domain.enums import ScreenshotType as DomainScreenshotType
from app.domain.monitoring import service
from app.domain.monitoring.models import ClientLog as ClientLogModel
from app.graphql.client_loaders import client_loaders
from app.graphql.clients_types import (
    ClientHealth,
    ClientType,
    HealthType,
    ProcessStatus,
    ScreenHealthStatus,
    grace_seconds,
    screenshot_url,
)
from app.graphql.context import Info

LogLevel = strawberry.enum(DomainLogLevel, name="LogLevel")
ScreenshotType = strawberry.enum(DomainScreenshotType, name="ScreenshotType")


@strawberry.type(name="ClientLog")
class ClientLogType:
    id: int
    client_uuid: str
    timestamp: datetime
    level: LogLevel  # type: ignore[valid-type]
    message: str
    context: JSON | None
    created_at: datetime | None

    @classmethod
    def from_model(cls, entry: ClientLogModel) -> ClientLogType:
        return cls(
            id=entry.id,
            client_uuid=entry.client_uuid,
            timestamp=entry.timestamp,
            level=entry.level,
            message=entry.message,
            context=entry.context,
            created_at=entry.created_at,
        )

    @strawberry.field(description="The display that sent it.")
    async def client(self, info: Info) -> ClientType | None:
        model = await client_loaders(info).clients_by_uuid.load(self.client_uuid)
        return None if model is None else ClientType.from_model(model, utcnow(), grace_seconds(info))


def log_or_none(entry: ClientLogModel | None) -> ClientLogType | None:
    return None if entry is None else ClientLogType.from_model(entry)


@strawberry.type
class LogLevelCounts:
    error: int
    warn: int
    info: int
    debug: int
    total: int

    @classmethod
    def from_counts(cls, c: service.LevelCounts) -> LogLevelCounts:
        return cls(error=c.error, warn=c.warn, info=c.info, debug=c.debug, total=c.total)


@strawberry.type(description="Log counts per level of one display in the last 24 hours.")
class ClientLogSummary:
    client_uuid: str
    counts: LogLevelCounts


@strawberry.type(description="One display on the monitoring page.")
class MonitoringClient:
    uuid: str
    description: str | None
    hostname: str | None
    ip: str | None
    group_id: int | None
    group_name: str | None
    is_active: bool
    is_alive: bool
    last_alive: datetime | None
    status: ClientHealth  # type: ignore[valid-type]
    health: HealthType = strawberry.field(description="The status with its reasons (`status` is `health.status`).")
    process_status: ProcessStatus | None  # type: ignore[valid-type]
    current_process: str | None
    process_pid: int | None
    current_event_id: int | None
    screen_health_status: ScreenHealthStatus | None  # type: ignore[valid-type]
    last_screenshot_analyzed: datetime | None
    latest_screenshot_url: str
    latest_screenshot_type: ScreenshotType | None  # type: ignore[valid-type]
    priority_screenshot_type: ScreenshotType | None  # type: ignore[valid-type]
    priority_screenshot_received_at: datetime | None
    has_active_priority_screenshot: bool
    log_counts: LogLevelCounts
    latest_log: ClientLogType | None
    latest_error: ClientLogType | None
    mqtt_reconnect_count: int | None
    mqtt_last_disconnect_at: datetime | None
    service_failed_at: datetime | None
    service_failed_unit: str | None
    last_error_log_at: datetime | None = strawberry.field(
        description="Newest ERROR log of this display, also outside the window (null: none kept)."
    )
    last_warn_log_at: datetime | None = strawberry.field(
        description="Newest WARN log of this display, also outside the window (null: none kept)."
    )

    @classmethod
    def from_overview(cls, o: service.ClientOverview) -> MonitoringClient:
        c = o.client
        return cls(
            uuid=c.uuid,
            description=c.description,
            hostname=c.hostname,
            ip=c.ip,
            group_id=c.group_id,
            group_name=o.group_name,
            is_active=c.is_active,
            is_alive=o.alive,
            last_alive=c.last_alive,
            status=o.status,
            health=HealthType.from_domain(o.health),
            process_status=c.process_status,
            current_process=c.current_process,
            process_pid=c.process_pid,
            current_event_id=c.current_event_id,
            screen_health_status=c.screen_health_status,
            last_screenshot_analyzed=c.last_screenshot_analyzed,
            latest_screenshot_url=screenshot_url(c.uuid),
            latest_screenshot_type=o.screenshot.latest_type,
            priority_screenshot_type=o.screenshot.priority_type,
            priority_screenshot_received_at=o.screenshot.priority_received_at,
            has_active_priority_screenshot=o.screenshot.has_active_priority,
            log_counts=LogLevelCounts.from_counts(o.counts),
            latest_log=log_or_none(o.latest_log),
            latest_error=log_or_none(o.latest_error),
            mqtt_reconnect_count=c.mqtt_reconnect_count,
            mqtt_last_disconnect_at=c.mqtt_last_disconnect_at,
            service_failed_at=c.service_failed_at,
            service_failed_unit=c.service_failed_unit,
            last_error_log_at=c.last_error_log_at,
            last_warn_log_at=c.last_warn_log_at,
        )


@strawberry.type
class MonitoringSummary:
    total_clients: int
    healthy: int
    warning: int
    critical: int
    offline: int
    planned_off: int = strawberry.field(default=0, description="Silent displays whose group is off by plan.")
    active_priority_screenshots: int
    error_logs: int
    warn_logs: int


@strawberry.type(name="MonitoringOverview")
class MonitoringOverviewType:
    generated_at: datetime
    window_hours: int
    grace_period_seconds: int
    summary: MonitoringSummary
    matching_clients: int = strawberry.field(description="Displays matching `status`, before limit/offset.")
    # The domain rows; mapped only when `clients` is selected (a summary-only poll stays cheap).
    rows: strawberry.Private[list[service.ClientOverview]]

    @strawberry.field(description="The displays (narrowed by the `status` argument, if given).")
    def clients(self) -> list[MonitoringClient]:
        return [MonitoringClient.from_overview(o) for o in self.rows]
