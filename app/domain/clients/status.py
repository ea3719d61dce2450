"""Liveness and crash rules for a display, written once and used everywhere (API, monitoring, sweeps).

Each rule has a Python form (one display in hand) and a SQL form (a fleet in the database); the tests
hold the two equal.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, true

from app.domain.clients.models import Client
from app.domain.clock import as_utc
from app.domain.enums import CrashReason, ProcessStatus


def is_client_alive(last_alive: datetime | None, is_active: bool, now: datetime, grace_seconds: int) -> bool:
    """Alive = active and a heartbeat within the grace period (about two missed 65 s heartbeats)."""
    if not is_active or last_alive is None:
        return False
    seen = as_utc(last_alive)
    assert seen is not None
    return now - seen <= timedelta(seconds=grace_seconds)


def alive_sql(now: datetime, grace_seconds: int) -> Any:
    """The SQL twin of `is_client_alive`."""
    return and_(
        Client.is_active == true(),
        Client.last_alive.is_not(None),
        Client.last_alive >= now - timedelta(seconds=grace_seconds),
    )


def is_process_crashed(process_status: ProcessStatus | str | None) -> bool:
    """The display's player reported that it crashed."""
    return process_status == ProcessStatus.CRASHED


def process_crashed_sql() -> Any:
    """The SQL twin of `is_process_crashed`."""
    return Client.process_status == ProcessStatus.CRASHED


def crash_reason(alive: bool, process_status: ProcessStatus | str | None) -> CrashReason | None:
    """Why an active display counts as crashed, or None when it does not."""
    if is_process_crashed(process_status):
        return CrashReason.PROCESS_CRASHED
    if not alive:
        return CrashReason.HEARTBEAT_STALE
    return None


def crashed_sql(now: datetime, grace_seconds: int, *, never_seen: bool) -> Any:
    """Active displays for which `crash_reason` is not None; `never_seen` includes those without any heartbeat
    (the crash view lists them; crash recovery leaves a display it never heard from alone)."""
    stale = Client.last_alive < now - timedelta(seconds=grace_seconds)
    if never_seen:
        stale = or_(Client.last_alive.is_(None), stale)
    return and_(Client.is_active.is_(True), or_(process_crashed_sql(), stale))
