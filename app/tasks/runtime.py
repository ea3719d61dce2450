"""What async actors need at run time: settings, a Database for their event loop, and the event bus.

Dramatiq runs async actors on its own event-loop thread, and async DB engines are bound to the loop that
opened their connections, so each running loop gets its own Database (cached, disposed when the worker
shuts down). Settings come from the process's container when one is bound (`bind_container`, done by
`infoscreen run/worker` and tests), else from the environment.

An ActorRuntime is the `deps` of the use cases actors run (db, bus, settings; no display publisher).

Domain events: with a bound container, events are handed to its bus on the container's loop (an
in-memory bus is not thread-safe), so in-process subscribers hear them and a RedisEventBus forwards them to
other processes. Without one, the actor publishes through its own bus built from settings (Redis when
REDIS_URL is set).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from dataclasses import dataclass

import dramatiq
from dramatiq.asyncio import get_event_loop_thread

from app.config import Settings, get_settings
from app.container import Container
from app.domain.bus import DomainEvent, InMemoryEventBus, RelayBus, create_event_bus
from app.domain.db import Database

log = logging.getLogger(__name__)

_lock = threading.Lock()
_bound: tuple[Container, asyncio.AbstractEventLoop] | None = None


@dataclass
class ActorRuntime:
    settings: Settings
    db: Database
    # Only set when no container is bound (a bus of our own, on this loop).
    own_bus: InMemoryEventBus | None
    container: Container | None
    # Actors never talk to displays directly (UseCaseDeps.publisher).
    publisher: None = None

    @property
    def bus(self) -> RelayBus:
        """The bus use cases announce on (UseCaseDeps.bus): the bound container's, on its loop, or our own."""
        if self.container is not None and _bound is not None and _bound[0] is self.container:
            return RelayBus(self.container.bus, _bound[1])
        if self.own_bus is not None:
            return RelayBus(self.own_bus)
        return RelayBus(_NoBus())

    async def close(self) -> None:
        if self.own_bus is not None:
            await self.own_bus.close()
        await self.db.dispose()


class _NoBus:
    """A runtime whose container was unbound meanwhile: its events have no listener left."""

    async def publish(self, event: DomainEvent) -> None:
        return None


_runtimes: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ActorRuntime] = weakref.WeakKeyDictionary()


def bind_container(container: Container) -> None:
    """Call from the process's main loop: actors then share its settings and bus."""
    global _bound
    with _lock:
        _bound = (container, asyncio.get_running_loop())


def unbind_container(container: Container) -> None:
    global _bound
    with _lock:
        if _bound is not None and _bound[0] is container:
            _bound = None


def bound_container() -> Container | None:
    return _bound[0] if _bound is not None else None


async def actor_runtime() -> ActorRuntime:
    """The runtime of the running loop, made on first use (and remade when another container is bound)."""
    loop = asyncio.get_running_loop()
    container = bound_container()
    current = _runtimes.get(loop)
    if current is not None and current.container is container:
        return current
    if current is not None:
        await current.close()
    settings = container.settings if container is not None else get_settings()
    runtime = ActorRuntime(
        settings=settings,
        db=Database(settings.database_url, pool_size=min(settings.db_pool_size, 5), echo=settings.db_echo),
        own_bus=None if container is not None else create_event_bus(settings.redis_url),
        container=container,
    )
    _runtimes[loop] = runtime
    return runtime


async def close_actor_runtime() -> None:
    """Dispose the running loop's runtime (its DB pool and own bus)."""
    runtime = _runtimes.pop(asyncio.get_running_loop(), None)
    if runtime is not None:
        await runtime.close()


class ActorRuntimeCleanup(dramatiq.Middleware):
    """Closes the actor loop's runtime when the worker shuts down, before AsyncIO stops that loop.

    Add it after the AsyncIO middleware: `after_*` hooks run in reverse order, so ours runs first.
    """

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        thread = get_event_loop_thread()
        if thread is None or not thread.loop.is_running():
            return
        try:
            thread.run_coroutine(close_actor_runtime())
        except Exception as exc:
            log.warning("event=actor_runtime_close_failed error=%s", exc)
