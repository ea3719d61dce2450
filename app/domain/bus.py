"""The domain event bus: use cases publish what changed; GraphQL subscriptions and the UI listen.

One interface, two backends: in-memory within one process, Redis pub/sub across processes (used when
REDIS_URL is set), so an update ingested by one process reaches a subscriber connected to another.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)

# Topics (domain names, unrelated to MQTT topics).
CLIENT_UPDATED = "client.updated"
COMMAND_UPDATED = "command.updated"
CLIENT_LOG_ADDED = "client_log.added"
CONVERSION_UPDATED = "conversion.updated"
EVENTS_CHANGED = "events.changed"
GROUPS_CHANGED = "groups.changed"
USERS_CHANGED = "users.changed"
ALARM_UPDATED = "alarm.updated"


@dataclass(frozen=True, slots=True)
class DomainEvent:
    topic: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"topic": self.topic, "data": self.data}, default=str)

    @classmethod
    def from_json(cls, raw: str | bytes) -> DomainEvent:
        obj = json.loads(raw)
        return cls(topic=str(obj["topic"]), data=dict(obj.get("data") or {}))


class EventBus(Protocol):
    async def publish(self, event: DomainEvent) -> None: ...

    def subscribe(self, *topics: str, max_queue: int = 1000) -> Subscription: ...

    async def close(self) -> None: ...


class Subscription:
    """Registered the moment it is created (no event published after `subscribe()` is missed)."""

    def __init__(self, bus: InMemoryEventBus, topics: frozenset[str], max_queue: int) -> None:
        self._bus = bus
        self.topics = topics
        self.queue: asyncio.Queue[DomainEvent] = asyncio.Queue(maxsize=max_queue)
        self.dropped = 0
        self.closed = False

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> DomainEvent:
        if self.closed:
            raise StopAsyncIteration
        return await self.queue.get()

    async def aclose(self) -> None:
        self.closed = True
        self._bus._subs.discard(self)

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def offer(self, event: DomainEvent) -> None:
        if self.topics and event.topic not in self.topics:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            # A slow subscriber loses its oldest updates rather than stalling every publisher.
            with contextlib.suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
            self.dropped += 1
            self.queue.put_nowait(event)


class DeliveryGate:
    """Fair, bounded work for delivering events to subscribers (re-reading rows, building results).

    At most `per_owner` deliveries of one owner (a user) run at once, and at most `total` of everyone's:
    an owner's surplus waits in its own queue, so one account with many subscriptions takes its turn like
    any other and never holds more than `total` database connections; requests keep the rest of the pool.
    """

    def __init__(self, total: int = 4, per_owner: int = 1) -> None:
        self.total = total
        self.per_owner = per_owner
        self._all = asyncio.Semaphore(total)
        self._owners: dict[object, tuple[asyncio.Semaphore, list[int]]] = {}

    @contextlib.asynccontextmanager
    async def slot(self, owner: object) -> AsyncIterator[None]:
        entry = self._owners.get(owner)
        if entry is None:
            entry = self._owners[owner] = (asyncio.Semaphore(self.per_owner), [0])
        semaphore, users = entry
        users[0] += 1
        try:
            async with semaphore, self._all:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                self._owners.pop(owner, None)


class InMemoryEventBus:
    def __init__(self) -> None:
        self._subs: set[Subscription] = set()
        self.delivery = DeliveryGate()

    @property
    def subscriber_count(self) -> int:
        return len(self._subs)

    def _fan_out(self, event: DomainEvent) -> None:
        for sub in list(self._subs):
            sub.offer(event)

    async def publish(self, event: DomainEvent) -> None:
        self._fan_out(event)

    def subscribe(self, *topics: str, max_queue: int = 1000) -> Subscription:
        """Call `aclose()` (or use `async with`) when done, so the bus forgets the subscriber."""
        sub = Subscription(self, frozenset(topics), max_queue)
        self._subs.add(sub)
        return sub

    async def close(self) -> None:
        self._subs.clear()


class RedisEventBus(InMemoryEventBus):
    """Publishes to a Redis channel; one listener task per process fans messages out locally."""

    CHANNEL = "infoscreen:domain-events"

    def __init__(self, redis_url: str) -> None:
        super().__init__()
        import redis.asyncio as aioredis

        self._redis = aioredis.from_url(redis_url)
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="redis-event-bus")
            await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def _listen(self) -> None:
        backoff = 0.5
        while True:
            try:
                pubsub = self._redis.pubsub()
                await pubsub.subscribe(self.CHANNEL)
                self._ready.set()
                backoff = 0.5
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    try:
                        self._fan_out(DomainEvent.from_json(message["data"]))
                    except (ValueError, KeyError, TypeError):
                        log.warning("event_bus dropped malformed message")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("event_bus redis listener error: %s; retrying in %.1fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10)

    async def publish(self, event: DomainEvent) -> None:
        try:
            await self._redis.publish(self.CHANNEL, event.to_json())
        except Exception as exc:
            # Never fail a use case because live updates are down; local subscribers still hear it.
            log.warning("event_bus publish failed (%s); delivering locally only", exc)
            self._fan_out(event)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
        await self._redis.aclose()
        await super().close()


def create_event_bus(redis_url: str | None) -> InMemoryEventBus:
    return RedisEventBus(redis_url) if redis_url else InMemoryEventBus()


class RelayBus:
    """Publishes on a bus that belongs to another event loop, and never raises.

    Dramatiq runs async actors on its own loop thread; an in-memory bus is not thread-safe, so events are
    handed to the loop that owns `target` (`loop`; None: the caller's own). A live update must never fail
    the task that caused it: failures are logged.
    """

    def __init__(self, target: EventBus, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._target = target
        self._loop = loop

    async def publish(self, event: DomainEvent) -> None:
        try:
            loop = self._loop
            if loop is None or loop is asyncio.get_running_loop():
                await self._target.publish(event)
            elif loop.is_running() and not loop.is_closed():
                future = asyncio.run_coroutine_threadsafe(self._target.publish(event), loop)
                await asyncio.wait_for(asyncio.wrap_future(future), timeout=5)
        except Exception as exc:
            log.warning("event=relay_publish_failed topic=%s error=%s", event.topic, exc)
