"""The monitoring page's status of a display (seed-spec §6.2), decided in one place: in the database.

The rule is a SQL expression so the overview can count, filter and page ten thousand displays without
sending them all to Python:

- offline: not active, or no heartbeat within the grace period;
- critical: crashed process, black/frozen screen, or an ERROR log in the window;
- warning: a WARN log in the window, a starting/stopped process, or an unknown screen state;
- healthy otherwise.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, literal, or_, true

from app.domain.clients.models import Client
from app.domain.enums import ProcessStatus, ScreenHealthStatus


class ClientHealth(StrEnum):
    HEALTHY = "healthy"
    WARNING = "warning"
    CRITICAL = "critical"
    OFFLINE = "offline"


def alive_sql(now: datetime, grace_seconds: int) -> Any:
    """The SQL twin of app.domain.clients.status.is_client_alive (tests hold them equal)."""
    return and_(
        Client.is_active == true(),
        Client.last_alive.is_not(None),
        Client.last_alive >= now - timedelta(seconds=grace_seconds),
    )


def health_sql(alive: Any, since: datetime) -> Any:
    """The ClientHealth value of each display, for the log window starting at `since`.

    Whether it logged an ERROR / WARN in the window is read from its problem marks
    (app.domain.monitoring.problem_marks), the timestamps of its newest such logs.
    """
    error_logs = Client.last_error_log_at >= since
    warn_logs = Client.last_warn_log_at >= since
    return case(
        (~alive, literal(ClientHealth.OFFLINE.value)),
        (
            or_(
                Client.process_status == ProcessStatus.CRASHED,
                Client.screen_health_status.in_((ScreenHealthStatus.BLACK, ScreenHealthStatus.FROZEN)),
                error_logs,
            ),
            literal(ClientHealth.CRITICAL.value),
        ),
        (
            or_(
                warn_logs,
                Client.process_status.in_((ProcessStatus.STARTING, ProcessStatus.STOPPED)),
                Client.screen_health_status.is_(None),
                Client.screen_health_status == ScreenHealthStatus.UNKNOWN,
            ),
            literal(ClientHealth.WARNING.value),
        ),
        else_=literal(ClientHealth.HEALTHY.value),
    )
