from __future__ import annotations

import asyncio

from app.leader import LeaderLock
from tests.support.servers import RunningServer


async def test_without_redis_this_process_leads() -> None:
    lock = LeaderLock(None, "scheduler")
    assert await lock.acquire_or_renew() and lock.is_leader


async def test_exactly_one_leader_and_takeover_after_expiry(redis_srv: RunningServer) -> None:
    url = f"redis://127.0.0.1:{redis_srv.port}/0"
    a = LeaderLock(url, "t-takeover", ttl_seconds=1.0)
    b = LeaderLock(url, "t-takeover", ttl_seconds=1.0)
    assert await a.acquire_or_renew() is True
    assert await b.acquire_or_renew() is False
    assert await a.acquire_or_renew() is True  # renewal keeps it
    # The holder dies without releasing: the other takes over once the TTL runs out.
    await asyncio.sleep(1.2)
    assert await b.acquire_or_renew() is True
    assert await a.acquire_or_renew() is False
    await b.release()
    assert await a.acquire_or_renew() is True
    await a.release()
