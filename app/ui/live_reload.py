"""Coalescing live reloads: a burst of change notices (a bulk import, a busy fleet) costs one reload.

Pages call `schedule()` from a subscription handler; the first notice after a quiet spell reloads after a
short delay (`delay`), the ones arriving meanwhile join it, and with `min_interval` reloads never start
closer together than that (a page redraws at most once per `min_interval`, however many displays report;
the fleet pages use `LIVE_PAGE_INTERVAL_SECONDS`). A notice
that arrives while a reload is running schedules exactly one more, so the page never misses the final state.

`tick(every)` adds the page's own clock: time-based state (ages, a display turning offline after its
heartbeat grace, command timeouts) changes without any notice, e.g. when the broker is down and nothing
reports at all. A tick schedules a reload only when none ran within `every` seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from nicegui import background_tasks, context, ui

from app.ui.layout import run_action

RELOAD_DELAY_SECONDS = 0.3
# The spacing the live fleet pages (Dashboard, Monitoring) use: at most one redraw per page per 2 s.
LIVE_PAGE_INTERVAL_SECONDS = 2.0


class CoalescedReload:
    def __init__(
        self,
        reload: Callable[[], Awaitable[None]],
        *,
        delay: float = RELOAD_DELAY_SECONDS,
        min_interval: float = 0.0,
    ) -> None:
        self._reload = reload
        self._delay = delay
        self._min_interval = min_interval
        self._client = context.client
        self._scheduled = False
        self._last_start = -1e9
        self.reloads = 0

    @property
    def idle_seconds(self) -> float:
        """Seconds since the last reload started."""
        return time.monotonic() - self._last_start

    def mark_loaded(self) -> None:
        """A reload that ran outside `schedule` (the first load, a button) counts for the spacing too."""
        self._last_start = time.monotonic()

    def schedule(self) -> None:
        if self._scheduled or self._client.is_deleted:
            return
        self._scheduled = True
        background_tasks.create(self._run(), name="ui-live-reload", context=self._client)

    def tick(self, every: float) -> ui.timer:
        """Reload on the page's own clock when nothing else reloaded within `every` seconds."""

        def on_tick() -> None:
            if self.idle_seconds >= every - 0.05:
                self.schedule()

        return ui.timer(every, on_tick)

    async def _run(self) -> None:
        wait = max(self._delay, self._min_interval - self.idle_seconds)
        await asyncio.sleep(wait)
        # Cleared before reloading: a notice arriving during the reload reads data this reload may miss.
        self._scheduled = False
        if self._client.is_deleted:
            return
        self._last_start = time.monotonic()
        self.reloads += 1
        await run_action(self._reload)


class PatchedSection:
    """A part of a live page that is rebuilt only when what it shows changed.

    `show(key, build)` compares `key` (a hashable summary of everything the section displays) with the one
    it was last built from: equal → nothing is sent to the browser; different → the section alone is
    cleared and rebuilt. Keys must hold the shown values (formatted texts, statuses), not raw timestamps that
    change without changing what the admin sees.
    """

    def __init__(self, container: ui.element) -> None:
        self.container = container
        self._key: object = object()
        self.builds = 0

    def show(self, key: object, build: Callable[[], None]) -> bool:
        if key == self._key:
            return False
        self._key = key
        self.builds += 1
        self.container.clear()
        with self.container:
            build()
        return True

    def invalidate(self) -> None:
        """The next `show` rebuilds whatever its key (e.g. after the language or the layout changed)."""
        self._key = object()
