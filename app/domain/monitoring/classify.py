"""The health of a display (seed-spec §6.2): the one classification every page shows.

`classify_health` decides for one display in hand (`Client.health` on GraphQL, the dashboard, the group
board); `health_sql` is the same rule as a SQL expression, so the monitoring overview can count, filter and
page ten thousand displays without sending them all to Python (the tests hold the two equal).

- OFFLINE: not active (INACTIVE), or no heartbeat within the grace period (HEARTBEAT_STALE);
- CRITICAL: crashed player (PROCESS_CRASHED), black or frozen screen (SCREEN_BLACK, SCREEN_FROZEN), a failed
  display service not yet acknowledged (SERVICE_FAILED), or an ERROR log in the window (ERROR_LOGS);
- WARNING: a WARN log in the window (WARN_LOGS), a starting or stopped player (PROCESS_STARTING,
  PROCESS_STOPPED), or no known screen state (SCREEN_UNKNOWN);
- HEALTHY otherwise.

`reasons` lists every finding of the deciding level (the worst one first), so a page can say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import case, literal, or_

from app.domain.clients.models import Client
from app.domain.clients.status import alive_sql, is_process_crashed, process_crashed_sql
from app.domain.clock import as_utc
from app.domain.enums import ProcessStatus, ScreenHealthStatus

__all__ = ["HEALTH_WINDOW_HOURS", "ClientHealth", "Health", "HealthReason", "alive_sql", "classify_health",
           "health_sql", "health_window_start"]  # fmt: skip

# The log window `Client.health` looks at (the monitoring overview's default window).
HEALTH_WINDOW_HOURS = 24


class ClientHealth(StrEnum):
    HEALTHY = "healthy"
    WARNING = "warning"
    CRITICAL = "critical"
    OFFLINE = "offline"


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
) -> Health:
    """The health of one display, for the log window starting at `since` (see the module's rule)."""
    if not alive:
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


def health_sql(alive: Any, since: datetime) -> Any:
    """The ClientHealth value of each display, for the log window starting at `since` (`classify_health`).

    Whether it logged an ERROR / WARN in the window is read from its problem marks
    (app.domain.monitoring.problem_marks), the timestamps of its newest such logs.
    """
    error_logs = Client.last_error_log_at >= since
    warn_logs = Client.last_warn_log_at >= since
    return case(
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
            ),
            literal(ClientHealth.WARNING.value),
        ),
        else_=literal(ClientHealth.HEALTHY.value),
    )
