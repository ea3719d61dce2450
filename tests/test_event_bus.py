from __future__ import annotations

import asyncio

from app.domain.bus import CLIENT_UPDATED, COMMAND_UPDATED, DomainEvent, InMemoryEventBus, RedisEventBus
from tests.support.servers import RunningServer


async def _next(iterator, timeout: float = 5.0) -> DomainEvent:  # type: ignore[no-untyped-def]
    return await asyncio.wait_for(anext(iterator), timeout)


async def test_in_memory_bus_filters_by_topic() -> None:
    bus = InMemoryEventBus()
    clients = bus.subscribe(CLIENT_UPDATED)
    pending = asyncio.ensure_future(_next(clients))
    await asyncio.sleep(0)
    await bus.publish(DomainEvent(COMMAND_UPDATED, {"command_id": "x"}))
    await bus.publish(DomainEvent(CLIENT_UPDATED, {"uuid": "u1"}))
    event = await pending
    assert event.data == {"uuid": "u1"}
    await clients.aclose()
    assert bus.subscriber_count == 0


async def test_slow_subscriber_keeps_the_newest_updates() -> None:
    bus = InMemoryEventBus()
    sub = bus.subscribe(max_queue=3)
    for i in range(10):
        await bus.publish(DomainEvent(CLIENT_UPDATED, {"i": i}))
    got = [(await _next(sub)).data["i"] for _ in range(3)]
    assert got == [7, 8, 9]
    assert sub.dropped == 7
    await sub.aclose()


async def test_redis_bus_crosses_processes(redis_srv: RunningServer) -> None:
    url = f"redis://127.0.0.1:{redis_srv.port}/0"
    api, ingest = RedisEventBus(url), RedisEventBus(url)
    await api.start()
    await ingest.start()
    try:
        sub = api.subscribe(CLIENT_UPDATED)
        waiting = asyncio.ensure_future(_next(sub))
        await asyncio.sleep(0.05)
        await ingest.publish(DomainEvent(CLIENT_UPDATED, {"uuid": "from-other-process"}))
        assert (await waiting).data == {"uuid": "from-other-process"}
        await sub.aclose()
    finally:
        await api.close()
        await ingest.close()
