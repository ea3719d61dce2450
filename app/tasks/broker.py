"""Dramatiq broker selection: Redis when REDIS_URL is set, an in-process StubBroker otherwise.

Actors bind to the global broker when their module is imported, so `configure_broker` must run first;
`load_actors` then imports every actor module.
"""

from __future__ import annotations

import importlib
import logging
import sys

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware.asyncio import AsyncIO

from app.tasks.runtime import ActorRuntimeCleanup

log = logging.getLogger(__name__)

ACTOR_MODULES: tuple[str, ...] = (
    "app.tasks.conversions",
    "app.tasks.sweeps",
    "app.tasks.holiday_feeds",
    "app.tasks.alarms",
)
_configured: dramatiq.Broker | None = None


def configure_broker(redis_url: str | None, *, namespace: str = "infoscreen") -> dramatiq.Broker:
    global _configured
    broker: dramatiq.Broker
    if redis_url:
        broker = RedisBroker(url=redis_url, namespace=namespace)
    else:
        broker = StubBroker()
        broker.emit_after("process_boot")
    broker.add_middleware(AsyncIO())
    # After AsyncIO, so it closes the actors' DB pools before AsyncIO stops their loop.
    broker.add_middleware(ActorRuntimeCleanup())
    dramatiq.set_broker(broker)
    _configured = broker
    load_actors(reload=True)
    return broker


def load_actors(*, reload: bool = False) -> None:
    for name in ACTOR_MODULES:
        already_imported = name in sys.modules
        module = importlib.import_module(name)
        # A first import binds to the current broker already; reloading it would declare every actor twice.
        if reload and already_imported:
            importlib.reload(module)


def current_broker() -> dramatiq.Broker:
    if _configured is None:
        raise RuntimeError("configure_broker() has not been called")
    return _configured


def is_stub(broker: dramatiq.Broker) -> bool:
    return isinstance(broker, StubBroker)
