"""Dramatiq actor for the alarm evaluation. Thin: the rules live in app.domain.alarms; the sweep leader
(app.tasks.sweep_scheduler) sends it every minute under its leader lock, so one evaluation runs at a time and
a repeated run only refreshes `last_seen`.
"""

from __future__ import annotations

import logging

import dramatiq

from app.domain.alarms.evaluate import EvaluateAlarms
from app.domain.alarms.notify import run_alarm_cycle
from app.domain.clock import utcnow
from app.tasks.runtime import actor_runtime

log = logging.getLogger(__name__)

ACTOR_NAME = "evaluate_alarms"


@dramatiq.actor(actor_name=ACTOR_NAME, queue_name="sweeps", max_retries=0, time_limit=120_000)  # type: ignore[arg-type]
async def evaluate_alarms_actor(broker_connected: bool | None = None) -> None:
    """Raise, keep and clear alarms for what holds now, then send their notifications (no retries: the next
    minute's run follows anyway).

    `broker_connected` is the sending server's own MQTT link (a worker has none of its own)."""
    runtime = await actor_runtime()
    report = await run_alarm_cycle(runtime, EvaluateAlarms(utcnow(), broker_connected))  # type: ignore[arg-type]
    log.info("event=alarms_evaluated raised=%d cleared=%d pending=%d open=%d",
             report.raised, report.cleared, report.pending, report.open)  # fmt: skip
