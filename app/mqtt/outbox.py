"""The outgoing queue of one broker connection: every publish the server makes goes through it.

Why it exists: an MQTT 5 broker announces in CONNACK how many QoS 1/2 publishes it accepts unacknowledged
(Receive Maximum; Mosquitto sends its `max_inflight_messages`, 20 by default). gmqtt turns that into the
size of its packet-id pool and raises `OverflowError` for every publish beyond it, so a scheduler that
publishes 50 at once lost most of them. The outbox keeps a queue and lets at most `window` publishes be in
flight; the rest wait their turn instead of failing.

- Window: the broker's Receive Maximum minus what gmqtt needs (its pool holds one id less than the maximum,
  and SUBSCRIBEs draw from the same pool, so `ID_RESERVE` ids stay free for them), capped by
  `MQTT_PUBLISH_WINDOW`; a broker that announces none (MQTT 3.1.1, or MQTT 5 with the 65,535 default) gets
  `MQTT_PUBLISH_WINDOW`.
- Confirmation: a QoS 1 item is confirmed by its PUBACK; a PUBACK with an MQTT 5 reason code >= 0x80 (e.g.
  0x87 not authorized) is a refusal and fails the item at once (retrying cannot help). QoS 0 items count
  as confirmed once written to the socket.
- Retry: while disconnected nothing is sent; a send that fails (socket closing) is put back at the head
  and the pump backs off (50 ms doubling to 2 s); items in flight when a clean session discarded them are
  put back in their original order; gmqtt itself replays them when the session survived.
- Bounded: at most `MQTT_OUTBOX_MAX_QUEUED` items wait; beyond that `submit` refuses (counted, logged).
  Every item has a deadline (the caller's timeout); an item whose caller gave up is never sent afterwards.
- Retained topics: the newest queued value of a retained topic supersedes an older one still waiting
  (the older caller learns the newer one's outcome), and `mark()`/`since=` let a republish skip a topic
  that got a newer value after it read its data, so a republish never overwrites fresher state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

# Packet ids gmqtt keeps free for SUBSCRIBE/UNSUBSCRIBE (they share the pool with publishes).
ID_RESERVE = 4
_BACKOFF_START = 0.05
_BACKOFF_MAX = 2.0
# When gmqtt still ran out of ids (subscriptions in flight), look again after this long or the next ack.
_ID_RETRY_SECONDS = 0.02
# REFUSAL reason codes start here (MQTT 5 §2.4).
_REFUSED_FROM = 0x80

SendFn = Callable[[str, bytes, int, bool], int | None]


class PublishError(RuntimeError):
    """The broker did not confirm a publish (not connected in time, refused, or no PUBACK in time)."""


@dataclass
class OutboxStats:
    submitted: int = 0
    confirmed: int = 0
    refused: int = 0
    expired: int = 0
    rejected_full: int = 0
    superseded: int = 0
    skipped_newer: int = 0
    send_retries: int = 0
    requeued_after_reconnect: int = 0
    late_confirmations: int = 0
    peak_queued: int = 0
    window: int = 0
    broker_receive_maximum: int | None = None

    def as_text(self, queued: int, in_flight: int) -> str:
        return (
            f"outbox queued={queued} in_flight={in_flight} window={self.window} confirmed={self.confirmed} "
            f"refused={self.refused} expired={self.expired} rejected_full={self.rejected_full} "
            f"retries={self.send_retries}"
        )


@dataclass(eq=False)
class _Item:
    seq: int
    topic: str
    payload: bytes
    qos: int
    retain: bool
    deadline: float
    future: asyncio.Future[None]
    mid: int | None = None
    abandoned: bool = False
    superseded_by: _Item | None = None
    followers: list[asyncio.Future[None]] = field(default_factory=list)


def _awaited(item: _Item) -> bool:
    """Whether anybody still waits for the item's outcome (its own caller or a superseded one's)."""
    return not item.future.done() or any(not f.done() for f in item.followers)


def _silence(future: asyncio.Future[None]) -> None:
    """Nobody may await a fire-and-forget publish; its failure is counted and logged, not re-raised."""
    if not future.cancelled():
        future.exception()


class Outbox:
    def __init__(self, send: SendFn, *, max_queued: int, default_window: int) -> None:
        self._send = send
        self._max_queued = max_queued
        self._default_window = max(1, default_window)
        self._queue: deque[_Item] = deque()
        self._queued = 0  # live items in the queue (abandoned/superseded ones are skipped lazily)
        self._in_flight: dict[int, _Item] = {}
        self._items: dict[asyncio.Future[None], _Item] = {}
        self._seq = 0
        self._latest_retained: dict[str, _Item] = {}
        self._retained_seq: dict[str, int] = {}
        self._connected = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._backoff = 0.0
        self.stats = OutboxStats(window=self._default_window)

    # --- state ------------------------------------------------------------------------------------
    @property
    def queued(self) -> int:
        return self._queued

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    @property
    def window(self) -> int:
        return self.stats.window

    def describe(self) -> str:
        return self.stats.as_text(self._queued, len(self._in_flight))

    def mark(self) -> int:
        """A point in the submission order; pass it as `since=` to skip topics submitted after it."""
        return self._seq

    def submitted_after(self, topic: str, mark: int) -> bool:
        """Whether a retained publish to `topic` was submitted after `mark`."""
        return self._retained_seq.get(topic, 0) > mark

    # --- submitting -------------------------------------------------------------------------------
    def submit(
        self, topic: str, payload: bytes, *, qos: int, retain: bool, timeout: float, since: int | None = None
    ) -> asyncio.Future[None]:
        """Queue one publish; the future resolves when the broker confirmed it and fails otherwise."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        if since is not None and retain and self._retained_seq.get(topic, 0) > since:
            # A newer value for this topic was submitted after the caller read its data.
            self.stats.skipped_newer += 1
            future.set_result(None)
            return future
        if self._queued >= self._max_queued:
            self.stats.rejected_full += 1
            if self.stats.rejected_full % 100 == 1:
                log.warning("event=mqtt_outbox_full queued=%d rejected=%d topic=%s", self._queued,
                            self.stats.rejected_full, topic[:200])  # fmt: skip
            future.set_exception(PublishError(f"outbox full ({self._queued} publishes waiting)"))
            future.add_done_callback(_silence)
            return future
        self._seq += 1
        item = _Item(self._seq, topic, payload, qos, retain, loop.time() + timeout, future)
        if retain:
            self._retained_seq[topic] = item.seq
            previous = self._latest_retained.get(topic)
            if previous is not None and previous.mid is None and not previous.future.done():
                self._supersede(previous, item)
            self._latest_retained[topic] = item
        self.stats.submitted += 1
        self._items[future] = item
        self._queue.append(item)
        self._queued += 1
        self.stats.peak_queued = max(self.stats.peak_queued, self._queued)
        self._ensure_pump()
        self._wake.set()
        return future

    def abandon(self, future: asyncio.Future[None]) -> None:
        """The caller stopped waiting: never send the item if it is still queued."""
        item = self._items.get(future)
        if item is not None and item.mid is None and not item.abandoned and item.superseded_by is None:
            item.abandoned = True
            self._queued -= 1
            self.stats.expired += 1
            self._finish(item, PublishError("not sent before the caller's deadline"))

    def _supersede(self, old: _Item, new: _Item) -> None:
        old.superseded_by = new
        new.followers.append(old.future)
        new.followers.extend(old.followers)
        old.followers = []
        self._queued -= 1
        self.stats.superseded += 1

    # --- connection events ------------------------------------------------------------------------
    def connected(self, broker_receive_maximum: int | None) -> None:
        self.stats.broker_receive_maximum = broker_receive_maximum
        if broker_receive_maximum is None or broker_receive_maximum >= 65535:
            window = self._default_window
        else:
            window = min(self._default_window, broker_receive_maximum - 1 - ID_RESERVE)
        self.stats.window = max(1, window)
        self._connected = True
        self._backoff = 0.0
        log.info("event=mqtt_publish_window broker_receive_maximum=%s window=%d queued=%d in_flight=%d",
                 broker_receive_maximum, self.stats.window, self._queued, len(self._in_flight))  # fmt: skip
        self._ensure_pump()
        self._wake.set()

    def disconnected(self) -> None:
        self._connected = False

    def confirmed(self, mid: int, reason_code: int = 0) -> None:
        """PUBACK (or PUBCOMP) for `mid`."""
        item = self._in_flight.pop(mid, None)
        self._wake.set()
        if item is None:
            return
        if item.future.done():
            self.stats.late_confirmations += 1
            self._finish(item, None)  # only forgets it: the future already has its outcome
            return
        if reason_code >= _REFUSED_FROM:
            self.stats.refused += 1
            log.warning("event=mqtt_publish_refused topic=%s reason=0x%02x", item.topic[:200], reason_code)
            self._finish(item, PublishError(f"the broker refused the publish (reason code 0x{reason_code:02x})"))
            return
        self.stats.confirmed += 1
        self._finish(item, None)

    def session_discarded(self) -> list[int]:
        """A clean (re)connect dropped every in-flight publish: queue them again in their order.

        Returns the packet ids that are free again."""
        mids = list(self._in_flight)
        items = sorted(self._in_flight.values(), key=lambda i: i.seq)
        self._in_flight.clear()
        for item in reversed(items):
            item.mid = None
            if not _awaited(item):
                self._finish(item, None)  # nobody waits for it any more: forget it
                continue
            self.stats.requeued_after_reconnect += 1
            latest = self._latest_retained.get(item.topic) if item.retain else None
            if latest is not None and latest is not item and not latest.future.done() and latest.mid is None:
                self._supersede_requeued(item, latest)
                continue
            self._queue.appendleft(item)
            self._queued += 1
        if items:
            log.info("event=mqtt_publish_requeued count=%d", len(items))
        self._wake.set()
        return mids

    def _supersede_requeued(self, old: _Item, new: _Item) -> None:
        old.superseded_by = new
        new.followers.append(old.future)
        self.stats.superseded += 1

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        error = PublishError("connection closed")
        for item in list(self._queue) + list(self._in_flight.values()):
            if not item.future.done():
                self._finish(item, error)
        self._queue.clear()
        self._in_flight.clear()
        self._queued = 0

    # --- the pump ---------------------------------------------------------------------------------
    def _ensure_pump(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._pump(), name="mqtt-outbox")

    async def _pump(self) -> None:
        while True:
            self._wake.clear()
            pause = self._drain()
            if pause:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), pause)
                continue
            await self._wake.wait()

    def _drain(self) -> float:
        """Send what the window allows; returns how long to pause before trying again (0: wait for a wake)."""
        loop = asyncio.get_running_loop()
        while self._connected and self._queue and len(self._in_flight) < self.stats.window:
            item = self._queue.popleft()
            if item.abandoned or item.superseded_by is not None:
                continue  # already taken off the count
            self._queued -= 1
            if not _awaited(item):
                self._finish(item, None)
                continue
            if loop.time() > item.deadline:
                self.stats.expired += 1
                log.warning("event=mqtt_publish_expired topic=%s", item.topic[:200])
                self._finish(item, PublishError("not sent before its deadline (broker unreachable or busy)"))
                continue
            try:
                mid = self._send(item.topic, item.payload, item.qos, item.retain)
            except OverflowError:
                self._put_back(item)
                return _ID_RETRY_SECONDS
            except Exception as exc:
                self._put_back(item)
                self.stats.send_retries += 1
                self._backoff = min(_BACKOFF_MAX, max(_BACKOFF_START, self._backoff * 2))
                log.warning("event=mqtt_publish_retry topic=%s backoff=%.2f error=%s", item.topic[:200],
                            self._backoff, exc)  # fmt: skip
                return self._backoff
            self._backoff = 0.0
            if mid is None or item.qos == 0:
                self.stats.confirmed += 1
                self._finish(item, None)
            else:
                item.mid = mid
                self._in_flight[mid] = item
        return 0.0

    def _put_back(self, item: _Item) -> None:
        self._queue.appendleft(item)
        self._queued += 1

    def _finish(self, item: _Item, error: BaseException | None) -> None:
        self._items.pop(item.future, None)
        for follower in item.followers:
            self._items.pop(follower, None)
        if item.retain and self._latest_retained.get(item.topic) is item:
            del self._latest_retained[item.topic]
        for future in (item.future, *item.followers):
            if future.done():
                continue
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)
                future.add_done_callback(_silence)
