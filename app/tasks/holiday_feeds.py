"""Dramatiq actor for the daily holiday-subscription refresh. Thin: the rules live in
app.domain.periods.holiday_subscriptions; the sweep leader (app.tasks.sweep_scheduler) sends it hourly and
only subscriptions whose last attempt is older than HOLIDAY_FEED_REFRESH_HOURS are fetched, so a run that
repeats is harmless.
"""

from __future__ import annotations

import dramatiq

from app.tasks.holiday_refresh import ACTOR_NAME, refresh_due
from app.tasks.runtime import actor_runtime


@dramatiq.actor(actor_name=ACTOR_NAME, queue_name="sweeps", max_retries=2, time_limit=600_000)  # type: ignore[arg-type]
async def refresh_holiday_subscriptions() -> None:
    """Fetch every subscription that is due; each failure is kept on its subscription."""
    runtime = await actor_runtime()
    await refresh_due(runtime, runtime.settings)  # type: ignore[arg-type]
