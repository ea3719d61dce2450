"""The monitoring page's status of a display (seed-spec §6.2), decided in one place."""

from __future__ import annotations

from enum import StrEnum

from app.domain.enums import ProcessStatus, ScreenHealthStatus


class ClientHealth(StrEnum):
    HEALTHY = "healthy"
    WARNING = "warning"
    CRITICAL = "critical"
    OFFLINE = "offline"


_BAD_SCREEN = frozenset({ScreenHealthStatus.BLACK, ScreenHealthStatus.FROZEN})
_UNSETTLED_PROCESS = frozenset({ProcessStatus.STARTING, ProcessStatus.STOPPED})


def classify_client(
    *,
    alive: bool,
    process_status: ProcessStatus | None,
    screen_status: ScreenHealthStatus | None,
    error_logs: int,
    warn_logs: int,
) -> ClientHealth:
    """offline: no heartbeat within the grace period. critical: crashed process, black/frozen screen or
    ERROR logs in the window. warning: WARN logs, a starting/stopped process or an unknown screen state
    (while heartbeating). healthy otherwise."""
    if not alive:
        return ClientHealth.OFFLINE
    if process_status == ProcessStatus.CRASHED or screen_status in _BAD_SCREEN or error_logs > 0:
        return ClientHealth.CRITICAL
    if (
        warn_logs > 0
        or process_status in _UNSETTLED_PROCESS
        or screen_status is None
        or screen_status == ScreenHealthStatus.UNKNOWN
    ):
        return ClientHealth.WARNING
    return ClientHealth.HEALTHY
