"""Batched telemetry writes: one transaction per short window (or per `max_batch` messages).

Displays send a health message every 5 s and a heartbeat every 65 s; one commit per message would make
the database the bottleneck long before the broker. Items are appended in arrival order by a plain
synchronous call (no await between receipt and append), so a display's own messages keep their order;
one loop flushes them in that order through the domain use case `apply_telemetry_batch`, which owns the
transaction and announces CLIENT_UPDATED / CLIENT_LOG_ADDED only after the batch committed; this module
keeps the batching, the retries, the bisecting and the acknowledgements.

Durability (docs/operations.md, "What the server guarantees when ingesting"):
- `submit` hands back a future that resolves once the item is committed or deliberately dropped; the MQTT
  layer sends the PUBACK only then, so an item the broker thinks delivered is in the database.
- A lost database connection is not the data's fault: the same batch is retried with backoff, for as long as
  it takes. Nothing is acknowledged meanwhile, so the broker holds the rest (bounded by the in-flight window
  the server grants it); only QoS 0 telemetry beyond `max_pending` is dropped (counted).
- A data error (the database refuses a value) costs only the offending message: the batch is bisected and
  retried until the one message that fails alone is dropped, counted and logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.domain.clients.telemetry import (
    RegistrationPolicy,
    TelemetryBatch,
    TelemetryItem,
    TelemetryOutcome,
    apply_telemetry_batch,
)
from app.domain.db_errors import RETRY_DELAYS, is_connection_error
from app.domain.ports import UseCaseDeps
from app.mqtt.ingest.stats import IngestStats
from app.mqtt.session import MessageDeferred

log = logging.getLogger(__name__)

DEFAULT_WINDOW_SECONDS = 0.1
DEFAULT_MAX_BATCH = 2_000
# Beyond this many waiting items (the database is down or far too slow) new QoS 0 telemetry is dropped.
# QoS 1 items are never dropped for load: the broker only sends as many unacknowledged ones as the server's
# receive-maximum allows, which bounds them.
DEFAULT_MAX_PENDING = 200_000


@dataclass(slots=True)
class _Pending:
    item: TelemetryItem
    received_at: float  # time.perf_counter() at receipt
    done: asyncio.Future[bool] | None = None  # True: committed; False: dropped on purpose


CommitHook = Callable[[TelemetryOutcome], None]


class TelemetryBatcher:
    def __init__(
        self,
        deps: UseCaseDeps,
        stats: IngestStats,
        *,
        window: float = DEFAULT_WINDOW_SECONDS,
        max_batch: int = DEFAULT_MAX_BATCH,
        max_pending: int = DEFAULT_MAX_PENDING,
        on_committed: CommitHook | None = None,
        registration: RegistrationPolicy | None = None,
    ) -> None:
        self._registration = registration
        self._deps = deps
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

    def submit(
        self, item: TelemetryItem, received_at: float | None = None, *, qos: int = 1
    ) -> asyncio.Future[bool] | None:
        """Queue one item (never blocks).

        Returns a future resolved when the item is committed (True) or dropped on purpose (False), for the
        caller to hold the broker acknowledgement until then; it is cancelled if the process stops first.
        None when a QoS 0 item was dropped (beyond `max_pending`); MessageDeferred while stopping.
        """
        if self._stopping:  # not acknowledged: the broker delivers it again to the next session
            self._stats.ignored["deferred_shutting_down"] += 1
            raise MessageDeferred("ingest is stopping")
        if qos == 0 and len(self._buffer) >= self._max_pending:
            self._stats.drop("overload", item.uuid, f"{len(self._buffer)} items waiting")
            return None
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._buffer.append(_Pending(item, received_at if received_at is not None else time.perf_counter(), done))
        self._has_items.set()
        if len(self._buffer) >= self._max_batch:
            self._full.set()
        return done

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
        for pending in self._buffer:  # never committed: no acknowledgement, the broker delivers them again
            if pending.done is not None and not pending.done.done():
                pending.done.cancel()

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
        """Commit `batch`, retrying while the database is away and bisecting around rows it refuses."""
        try:
            await self._commit(batch)
        except BaseException:
            for pending in batch:  # cancelled (shutdown): leave the messages unacknowledged
                if pending.done is not None and not pending.done.done():
                    pending.done.cancel()
            raise

    async def _commit(self, batch: list[_Pending]) -> None:
        items = [p.item for p in batch]
        started = time.perf_counter()
        attempt = 0
        command = TelemetryBatch(items, self._registration)
        while True:
            try:
                outcome = await apply_telemetry_batch(
                    self._deps, None, command, on_committed=lambda done: self._committed(batch, started, done)
                )
                break
            except Exception as exc:
                if is_connection_error(exc):
                    delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]
                    attempt += 1
                    self._stats.db_retries += 1
                    log.warning("event=mqtt_ingest_batch_retry size=%d attempt=%d next_in=%.1fs error=%s",
                                len(items), attempt, delay, str(exc)[:300])  # fmt: skip
                    await asyncio.sleep(delay)
                    continue
                await self._isolate(batch, exc)
                return
        if self._on_committed is not None:
            try:
                self._on_committed(outcome)
            except Exception:
                log.exception("event=mqtt_ingest_commit_hook_failed")

    def _committed(self, batch: list[_Pending], started: float, outcome: TelemetryOutcome) -> None:
        """Right after the commit (before the use case announces it): count, then release the acks."""
        committed_at = time.perf_counter()
        self._stats.flush_seconds.append(committed_at - started)
        self._stats.committed([p.received_at for p in batch], committed_at)
        for index in outcome.unknown_client:
            item = batch[index].item
            self._stats.drop("unknown_client", item.uuid, f"{type(item).__name__} from a display never seen")
        if outcome.refused_new:
            # One log line per minute for the whole flood (its uuids are random), counted per message.
            self._stats.drop("new_display_limit", "new-displays", f"{len(outcome.refused_new)} messages of "
                             "unknown displays beyond DISCOVERY_NEW_PER_MINUTE / DISCOVERY_MAX_CLIENTS",
                             count=len(outcome.refused_new))  # fmt: skip
        for uuid in outcome.identity_ignored:
            self._stats.drop("discovery_identity_ignored", uuid, "identity fields on the shared discovery topic "
                             "for a display with its own broker account")  # fmt: skip
        for pending in batch:
            if pending.done is not None and not pending.done.done():
                pending.done.set_result(True)

    async def _isolate(self, batch: list[_Pending], exc: Exception) -> None:
        """The database refused something in `batch`: bisect until the message that fails alone is dropped."""
        if len(batch) == 1:
            pending = batch[0]
            self._stats.drop("db_rejected", pending.item.uuid, f"{type(exc).__name__}: {str(exc)[:300]}")
            if pending.done is not None and not pending.done.done():
                pending.done.set_result(False)
            return
        log.info("event=mqtt_ingest_batch_split size=%d error=%s", len(batch), str(exc)[:300])
        middle = len(batch) // 2
        await self._commit(batch[:middle])
        await self._commit(batch[middle:])
