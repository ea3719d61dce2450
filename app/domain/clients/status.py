"""Liveness and crash rules for a display, computed the same way everywhere (API, monitoring, scheduler)."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.domain.clock import as_utc
from app.domain.enums import CrashReason, ProcessStatus


def is_client_alive(last_alive: datetime | None, is_active: bool, now: datetime, grace_seconds: int) -> bool:
    """Alive = active and a heartbeat within the grace period (about two missed 65 s heartbeats)."""
    if not is_active or last_alive is None:
        return False
    seen = as_utc(last_alive)
    assert seen is not None
    return now - seen <= timedelta(seconds=grace_seconds)


def crash_reason(alive: bool, process_status: ProcessStatus | None) -> CrashReason | None:
    """Why an active display counts as crashed, or None when it does not."""
    if process_status == ProcessStatus.CRASHED:
        return CrashReason.PROCESS_CRASHED
    if not alive:
        return CrashReason.HEARTBEAT_STALE
    return None
