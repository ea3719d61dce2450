"""Coalescing live reloads: a burst of change notices (a bulk import, a holiday file) costs one reload.

Pages call `schedule()` from a subscription handler; the first notice of a burst starts a short timer, the
ones arriving meanwhile join it, and the reload then runs once with the latest state. A notice that arrives
while a reload is running schedules exactly one more, so the page never misses the final state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from nicegui import background_tasks, context

from app.ui.layout import run_action

RELOAD_DELAY_SECONDS = 0.3


class CoalescedReload:
    def __init__(self, reload: Callable[[], Awaitable[None]], *, delay: float = RELOAD_DELAY_SECONDS) -> None:
        self._reload = reload
        self._delay = delay
        self._client = context.client
        self._scheduled = False

    def schedule(self) -> None:
        if self._scheduled or self._client.is_deleted:
            return
        self._scheduled = True
        background_tasks.create(self._run(), name="ui-live-reload", context=self._client)

    async def _run(self) -> None:
        await asyncio.sleep(self._delay)
        # Cleared before reloading: a notice arriving during the reload reads data this reload may miss.
        self._scheduled = False
        if self._client.is_deleted:
            return
        await run_action(self._reload)
