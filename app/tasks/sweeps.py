"""Dramatiq actors for the periodic sweeps. Thin: the rules live in app.domain.commands.sweeps and
app.domain.monitoring.retention; every sweep is idempotent, so retries and duplicate runs are harmless.
"""

from __future__ import annotations

import logging

import dramatiq

from app.domain.clock import utcnow
from app.domain.commands import sweeps as command_sweeps
from app.domain.monitoring import content_match
from app.domain.monitoring.retention import purge_client_logs, purge_screenshots
from app.domain.playback.retention import purge_playback
from app.tasks.mqtt_link import short_lived_publisher
from app.tasks.runtime import actor_runtime

log = logging.getLogger(__name__)

QUEUE_NAME = "sweeps"
# A sweep that fails is retried a few times with backoff; the next scheduled run follows anyway.
_OPTIONS: dict[str, object] = {
    "queue_name": QUEUE_NAME,
    "max_retries": 3,
    "min_backoff": 1_000,
    "max_backoff": 30_000,
}


@dramatiq.actor(actor_name="sweep_commands", time_limit=60_000, **_OPTIONS)  # type: ignore[arg-type]
async def sweep_commands() -> None:
    """Expiry, stage timeouts, reconnect detection and escalation of every open command."""
    runtime = await actor_runtime()
    result = await command_sweeps.sweep_commands(runtime.db, runtime.bus)
    log.info("event=sweep_commands_done changed=%d", result.changed)


@dramatiq.actor(actor_name="crash_recovery_scan", time_limit=120_000, **_OPTIONS)  # type: ignore[arg-type]
async def crash_recovery_scan() -> None:
    """One reboot per crashed/stale display and lockout window, when CRASH_RECOVERY_ENABLED."""
    runtime = await actor_runtime()
    settings = runtime.settings
    if not settings.crash_recovery_enabled:
        return
    async with short_lived_publisher(settings) as publisher:
        report = await command_sweeps.crash_recovery_scan(runtime.db, runtime.bus, publisher, settings)
    log.info("event=crash_recovery_done candidates=%d issued=%d failed=%d", report.candidates, report.issued,
             report.failed)  # fmt: skip


@dramatiq.actor(actor_name="retention_sweep", time_limit=600_000, **_OPTIONS)  # type: ignore[arg-type]
async def retention_sweep() -> None:
    """Client logs and timestamped screenshots past their retention."""
    runtime = await actor_runtime()
    settings = runtime.settings
    await purge_client_logs(runtime.db, settings.client_log_retention_days)
    await purge_screenshots(settings.screenshot_dir, settings.screenshot_retention_days)
    await purge_playback(runtime.db, settings.playback_retention_days)


@dramatiq.actor(actor_name="refresh_content_plans", time_limit=60_000, **_OPTIONS)  # type: ignore[arg-type]
async def refresh_content_plans() -> None:
    """Soll/Ist: every group's plan now, and each display's mismatch mark and planned-off flag."""
    runtime = await actor_runtime()
    result = await content_match.refresh_content_plans(runtime, utcnow())
    log.info("event=content_plans_refreshed groups=%d planned_off=%d", result.groups, result.planned_off)
