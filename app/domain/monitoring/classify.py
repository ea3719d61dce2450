"""The health of a display (seed-spec §6.2): the one classification every page shows.

`classify_health` decides for one display in hand (`Client.health` on GraphQL, the dashboard, the group
board); `health_sql` is the same rule as a SQL expression, so the monitoring overview can count, filter and
page ten thousand displays without sending them all to Python (the tests hold the two equal).

- PLANNED_OFF ("aus (geplant)"): active, no heartbeat within the grace period, and its group's power intent is
  off by plan (`Client.planned_off`, kept by app.domain.monitoring.content_match): a screen switched off by
  the schedule is not a fault;
- OFFLINE: not active (INACTIVE), or no heartbeat within the grace period (HEARTBEAT_STALE);
- CRITICAL: crashed player (PROCESS_CRASHED), black or frozen screen (SCREEN_BLACK, SCREEN_FROZEN), a failed
  display service not yet acknowledged (SERVICE_FAILED), or an ERROR log in the window (ERROR_LOGS);
- WARNING: a WARN log in the window (WARN_LOGS), a starting or stopped player (PROCESS_STARTING,
  PROCESS_STOPPED), no known screen state (SCREEN_UNKNOWN), or it has reported an event other than its
  group's plan for longer than the grace (CONTENT_MISMATCH: `Client.content_mismatch_since` at or before
  `content_cutoff`, i.e. now minus CONTENT_MISMATCH_GRACE_SECONDS);
- HEALTHY otherwise.

`reasons` lists every finding of the deciding level (the worst one first), so a page can say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, literal, or_

from app.domain.clients.models import Client
from app.domain.clients.status import alive_sql, is_process_crashed, process_crashed_sql
from app.domain.clock import as_utc, utcnow
from app.domain.enums import ProcessStatus, ScreenHealthStatus

__all__ = ["DEFAULT_CONTENT_GRACE", "HEALTH_WINDOW_HOURS", "ClientHealth", "Health", "HealthReason", "alive_sql",
           "classify_health", "content_cutoff", "health_sql", "health_window_start"]  # fmt: skip

# The log window `Client.health` looks at (the monitoring overview's default window).
HEALTH_WINDOW_HOURS = 24
# CONTENT_MISMATCH_GRACE_SECONDS' default, for callers without settings at hand.
DEFAULT_CONTENT_GRACE = timedelta(seconds=120)


class ClientHealth(StrEnum):
    HEALTHY = "healthy"
    WARNING = "warning"
    CRITICAL = "critical"
    OFFLINE = "offline"
    PLANNED_OFF = "planned_off"


class HealthReason(StrEnum):
    INACTIVE = "inactive"
    HEARTBEAT_STALE = "heartbeat_stale"
    PROCESS_CRASHED = "process_crashed"
    SCREEN_BLACK = "screen_black"
    SCREEN_FROZEN = "screen_frozen"
    SERVICE_FAILED = "service_failed"
    ERROR_LOGS = "error_logs"
    WARN_LOGS = "warn_logs"
    PROCESS_STARTING = "process_starting"
    PROCESS_STOPPED = "process_stopped"
    SCREEN_UNKNOWN = "screen_unknown"
    CONTENT_MISMATCH = "content_mismatch"
    PLANNED_OFF = "planned_off"


@dataclass(frozen=True, slots=True)
class Health:
    status: ClientHealth
    reasons: tuple[HealthReason, ...] = ()


_SCREEN_CRITICAL = {ScreenHealthStatus.BLACK: HealthReason.SCREEN_BLACK,
                    ScreenHealthStatus.FROZEN: HealthReason.SCREEN_FROZEN}  # fmt: skip
_PROCESS_WARNING = {ProcessStatus.STARTING: HealthReason.PROCESS_STARTING,
                    ProcessStatus.STOPPED: HealthReason.PROCESS_STOPPED}  # fmt: skip


def health_window_start(now: datetime, hours: int = HEALTH_WINDOW_HOURS) -> datetime:
    return now - timedelta(hours=hours)


def content_cutoff(now: datetime, grace_seconds: float | None = None) -> datetime:
    """A mismatch that began at or before this instant has outlasted the grace."""
    grace = DEFAULT_CONTENT_GRACE if grace_seconds is None else timedelta(seconds=grace_seconds)
    return now - grace


def _since(value: datetime | None, since: datetime) -> bool:
    seen = as_utc(value)
    return seen is not None and seen >= since


def classify_health(
    *,
    alive: bool,
    is_active: bool,
    process_status: ProcessStatus | str | None,
    screen_health_status: ScreenHealthStatus | str | None,
    service_failed_at: datetime | None,
    last_error_log_at: datetime | None,
    last_warn_log_at: datetime | None,
    since: datetime,
    planned_off: bool,
    content_mismatch_since: datetime | None,
    content_cutoff: datetime,
) -> Health:
    """The health of one display, for the log window starting at `since` (see the module's rule)."""
    if not alive:
        if is_active and planned_off:
            return Health(ClientHealth.PLANNED_OFF, (HealthReason.PLANNED_OFF,))
        return Health(ClientHealth.OFFLINE, (HealthReason.HEARTBEAT_STALE if is_active else HealthReason.INACTIVE,))
    screen = _enum_or_none(ScreenHealthStatus, screen_health_status)
    process = _enum_or_none(ProcessStatus, process_status)
    critical: list[HealthReason] = []
    if is_process_crashed(process):
        critical.append(HealthReason.PROCESS_CRASHED)
    if screen in _SCREEN_CRITICAL:
        critical.append(_SCREEN_CRITICAL[screen])
    if service_failed_at is not None:
        critical.append(HealthReason.SERVICE_FAILED)
    if _since(last_error_log_at, since):
        critical.append(HealthReason.ERROR_LOGS)
    if critical:
        return Health(ClientHealth.CRITICAL, tuple(critical))
    warning: list[HealthReason] = []
    if process in _PROCESS_WARNING:
        warning.append(_PROCESS_WARNING[process])
    if screen is None or screen == ScreenHealthStatus.UNKNOWN:
        warning.append(HealthReason.SCREEN_UNKNOWN)
    if _since(last_warn_log_at, since):
        warning.append(HealthReason.WARN_LOGS)
    mismatch = as_utc(content_mismatch_since)
    if mismatch is not None and mismatch <= content_cutoff:
        warning.append(HealthReason.CONTENT_MISMATCH)
    if warning:
        return Health(ClientHealth.WARNING, tuple(warning))
    return Health(ClientHealth.HEALTHY)


def _enum_or_none(kind: Any, value: object) -> Any:
    if value is None or isinstance(value, kind):
        return value
    try:
        return kind(value)
    except ValueError:
        return None


def health_sql(alive: Any, since: datetime, content_cutoff: datetime | None = None) -> Any:
    """The ClientHealth value of each display, for the log window starting at `since` (`classify_health`).

    Whether it logged an ERROR / WARN in the window is read from its problem marks
    (app.domain.monitoring.problem_marks), the timestamps of its newest such logs. `content_cutoff` None:
    now minus the default grace (DEFAULT_CONTENT_GRACE).
    """
    cutoff = content_cutoff if content_cutoff is not None else utcnow() - DEFAULT_CONTENT_GRACE
    error_logs = Client.last_error_log_at >= since
    warn_logs = Client.last_warn_log_at >= since
    return case(
        (
            and_(~alive, Client.is_active.is_(True), Client.planned_off.is_(True)),
            literal(ClientHealth.PLANNED_OFF.value),
        ),
        (~alive, literal(ClientHealth.OFFLINE.value)),
        (
            or_(
                process_crashed_sql(),
                Client.screen_health_status.in_(tuple(_SCREEN_CRITICAL)),
                Client.service_failed_at.is_not(None),
                error_logs,
            ),
            literal(ClientHealth.CRITICAL.value),
        ),
        (
            or_(
                warn_logs,
                Client.process_status.in_(tuple(_PROCESS_WARNING)),
                Client.screen_health_status.is_(None),
                Client.screen_health_status == ScreenHealthStatus.UNKNOWN,
                Client.content_mismatch_since <= cutoff,
            ),
            literal(ClientHealth.WARNING.value),
        ),
        else_=literal(ClientHealth.HEALTHY.value),
    )
