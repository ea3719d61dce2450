"""Live redraws of the groups page, paced for a fleet: at most one per REDRAW_SPACING_SECONDS.

Display reports arrive many times a second with 500 displays. `RedrawPacer.request()` from a live handler
runs the redraw once the burst settled (BURST_SECONDS) and never sooner than REDRAW_SPACING_SECONDS after the
previous one; requests meanwhile join the pending run, so the last state always shows. The user's own actions
(filters, search, assigning) redraw at once and do not wait for the pacer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from nicegui import background_tasks, context

REDRAW_SPACING_SECONDS = 2.0
BURST_SECONDS = 0.25


class RedrawPacer:
    def __init__(
        self, redraw: Callable[[], None], *, spacing: float = REDRAW_SPACING_SECONDS, burst: float = BURST_SECONDS
    ) -> None:
        self._redraw = redraw
        self._spacing = spacing
        self._burst = burst
        self._client = context.client
        self._pending = False
        self._last = -spacing

    def drawn(self) -> None:
        """A redraw happened outside the pacer (a user's action): the next live one keeps its distance."""
        self._last = time.monotonic()

    def request(self) -> None:
        if self._pending or self._client.is_deleted:
            return
        self._pending = True
        wait = max(self._burst, self._last + self._spacing - time.monotonic())
        background_tasks.create(self._run(wait), name="groups-live-redraw")

    async def _run(self, wait: float) -> None:
        await asyncio.sleep(wait)
        self._pending = False  # cleared first: a report arriving during the redraw schedules the next one
        if self._client.is_deleted:
            return
        self._last = time.monotonic()
        with self._client:
            self._redraw()
