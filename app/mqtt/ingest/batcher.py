"""Batched telemetry writes: one transaction per short window (or per `max_batch` messages).

Displays send a health message every 5 s and a heartbeat every 65 s; one commit per message would make
the database the bottleneck long before the broker. Items are appended in arrival order by a plain
synchronous call (no await between receipt and append), so a display's own messages keep their order;
one loop flushes them in that order. Domain events go out only after the batch committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from app.domain.bus import CLIENT_LOG_ADDED, CLIENT_UPDATED, DomainEvent, InMemoryEventBus
from app.domain.clients.telemetry import TelemetryItem, TelemetryOutcome, apply_telemetry_batch
from app.domain.db import Database
from app.mqtt.ingest.stats import IngestStats

log = logging.getLogger(__name__)

DEFAULT_WINDOW_SECONDS = 0.1
DEFAULT_MAX_BATCH = 2_000
# Beyond this many waiting items (the database is down or far too slow) new telemetry is dropped.
DEFAULT_MAX_PENDING = 200_000
_RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0)


@dataclass(slots=True)
class _Pending:
    item: TelemetryItem
    received_at: float  # time.perf_counter() at receipt


CommitHook = Callable[[TelemetryOutcome], None]


class TelemetryBatcher:
    def __init__(
        self,
        db: Database,
        bus: InMemoryEventBus,
        stats: IngestStats,
        *,
        window: float = DEFAULT_WINDOW_SECONDS,
        max_batch: int = DEFAULT_MAX_BATCH,
        max_pending: int = DEFAULT_MAX_PENDING,
        on_committed: CommitHook | None = None,
    ) -> None:
        self._db = db
        self._bus = bus
        self._stats = stats
        self._window = window
        self._max_batch = max_batch
        self._max_pending = max_pending
        self._on_committed = on_committed
        self._buffer: list[_Pending] = []
        self._has_items = asyncio.Event()
        self._full = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def set_commit_hook(self, hook: CommitHook) -> None:
        self._on_committed = hook

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def submit(self, item: TelemetryItem, received_at: float | None = None) -> bool:
        """Queue one item (never blocks). False when the pipeline is overloaded or stopped."""
        if self._stopping:
            self._stats.drop("shutting_down", item.uuid)
            return False
        if len(self._buffer) >= self._max_pending:
            self._stats.drop("overload", item.uuid, f"{len(self._buffer)} items waiting")
            return False
        self._buffer.append(_Pending(item, received_at if received_at is not None else time.perf_counter()))
        self._has_items.set()
        if len(self._buffer) >= self._max_batch:
            self._full.set()
        return True

    async def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="mqtt-ingest-batcher")

    async def stop(self) -> None:
        """Flush whatever is queued, then end the loop."""
        self._stopping = True
        self._has_items.set()
        self._full.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=30)
            except TimeoutError:
                log.error("event=mqtt_ingest_flush_timeout pending=%d", len(self._buffer))
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            if not self._buffer:
                if self._stopping:
                    return
                self._has_items.clear()
                await self._has_items.wait()
                continue
            wait = self._buffer[0].received_at + self._window - time.perf_counter()
            if wait > 0 and len(self._buffer) < self._max_batch and not self._stopping:
                self._full.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), wait)
            batch = self._buffer[: self._max_batch]
            del self._buffer[: self._max_batch]
            try:
                await self.flush(batch)
            except Exception:  # the loop must survive anything; the batch is already counted
                log.exception("event=mqtt_ingest_batch_crashed size=%d", len(batch))

    async def flush(self, batch: list[_Pending]) -> None:
        items = [p.item for p in batch]
        outcome: TelemetryOutcome | None = None
        started = time.perf_counter()
        for attempt, delay in enumerate((*_RETRY_DELAYS, None)):
            try:
                async with self._db.session() as session:
                    outcome = await apply_telemetry_batch(session, items)
                break
            except (OperationalError, InterfaceError) as exc:  # connection trouble: the same batch again
                if delay is None:
                    log.error("event=mqtt_ingest_batch_failed size=%d attempts=%d error=%s", len(items), attempt + 1,
                              exc)  # fmt: skip
                    self._stats.drop("db_error", "database", str(exc), count=len(items))
                    return
                log.warning("event=mqtt_ingest_batch_retry size=%d attempt=%d error=%s", len(items), attempt + 1,
                            str(exc)[:300])  # fmt: skip
                await asyncio.sleep(delay)
            except SQLAlchemyError as exc:
                # The database refused some row (a client deleted meanwhile, a value it will not take):
                # isolate it so one bad message does not cost the whole batch.
                if len(batch) == 1:
                    self._stats.drop("db_rejected", items[0].uuid, str(exc)[:300])
                    return
                log.warning("event=mqtt_ingest_batch_split size=%d error=%s", len(items), str(exc)[:300])
                for single in batch:
                    await self.flush([single])
                return
        assert outcome is not None
        committed_at = time.perf_counter()
        self._stats.flush_seconds.append(committed_at - started)
        self._stats.committed([p.received_at for p in batch], committed_at)
        for index in outcome.unknown_client:
            item = items[index]
            self._stats.drop("unknown_client", item.uuid, f"{type(item).__name__} from a display never seen")
        await self._announce(outcome)
        if self._on_committed is not None:
            try:
                self._on_committed(outcome)
            except Exception:
                log.exception("event=mqtt_ingest_commit_hook_failed")

    async def _announce(self, outcome: TelemetryOutcome) -> None:
        """One CLIENT_UPDATED per (client, reason) of the batch and one CLIENT_LOG_ADDED per stored log."""
        for uuid, reason in outcome.updated:
            await self._bus.publish(DomainEvent(CLIENT_UPDATED, {"uuid": uuid, "reason": reason.value}))
        for stored in outcome.logs:
            await self._bus.publish(
                DomainEvent(CLIENT_LOG_ADDED, {"id": stored.id, "uuid": stored.uuid, "level": stored.level.value})
            )
