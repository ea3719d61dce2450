"""Leader election so exactly one process runs the scheduler loop and the periodic sweeps.

With Redis: a key set with NX and a TTL, renewed by the holder; when the holder dies the key expires and
another process takes over within one TTL. Without Redis (the single-process run) this process leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

log = logging.getLogger(__name__)

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class LeaderLock:
    def __init__(self, redis_url: str | None, name: str, *, ttl_seconds: float = 10.0) -> None:
        self.name = f"infoscreen:leader:{name}"
        self.ttl_ms = int(ttl_seconds * 1000)
        self.identity = uuid.uuid4().hex
        self._redis = None
        if redis_url:
            import redis.asyncio as aioredis

            self._redis = aioredis.from_url(redis_url)
        self._is_leader = self._redis is None

    @property
    def is_leader(self) -> bool:
        return self._is_leader

    async def acquire_or_renew(self) -> bool:
        """Call at least every ttl/3; returns whether this process leads now."""
        if self._redis is None:
            return True
        try:
            if self._is_leader:
                renewed = await self._redis.eval(_RENEW, 1, self.name, self.identity, self.ttl_ms)
                if renewed:
                    return True
                log.warning("event=leader_lost lock=%s", self.name)
                self._is_leader = False
            acquired = await self._redis.set(self.name, self.identity, nx=True, px=self.ttl_ms)
            if acquired:
                log.info("event=leader_acquired lock=%s", self.name)
            self._is_leader = bool(acquired)
        except Exception as exc:
            # Without Redis nobody can prove leadership: stand down rather than risk two publishers.
            if self._is_leader:
                log.warning("event=leader_lost lock=%s reason=%s", self.name, exc)
            self._is_leader = False
        return self._is_leader

    async def release(self) -> None:
        if self._redis is None:
            return
        with contextlib.suppress(Exception):
            if self._is_leader:
                await self._redis.eval(_RELEASE, 1, self.name, self.identity)
        self._is_leader = False
        with contextlib.suppress(Exception):
            await self._redis.aclose()

    async def wait_for_leadership(self, stop: asyncio.Event, poll: float | None = None) -> bool:
        """Block until leading or `stop` is set; returns whether leadership was won."""
        interval = poll or self.ttl_ms / 3000
        while not stop.is_set():
            if await self.acquire_or_renew():
                return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
        return False
