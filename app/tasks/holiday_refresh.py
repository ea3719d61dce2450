"""The periodic holiday-subscription refresh, shared by the actor (app.tasks.holiday_feeds) and the sweep
leader's inline path (app.tasks.sweep_scheduler). No actor is declared here, so importing it binds nothing
to a broker."""

from __future__ import annotations

import logging
from datetime import timedelta

from app.config import Settings
from app.domain.periods.holiday_subscriptions import refresh_due_subscriptions, refresh_options
from app.domain.ports import UseCaseDeps

log = logging.getLogger(__name__)

ACTOR_NAME = "refresh_holiday_subscriptions"


async def refresh_due(deps: UseCaseDeps, settings: Settings) -> int:
    """Fetch every subscription whose last attempt is older than HOLIDAY_FEED_REFRESH_HOURS."""
    every = timedelta(hours=settings.holiday_feed_refresh_hours)
    count = await refresh_due_subscriptions(deps, every, refresh_options(settings))
    log.info("event=holiday_subscriptions_refreshed due=%d", count)
    return count
