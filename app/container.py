"""The per-process composition root: settings, database, event bus, MQTT link and health checks.

Adapters receive a Container instead of reaching for globals, so tests can build one per case. Everything the
domain uses is a typed attribute named by its port (`app/domain/ports.py`); `extras` only holds adapters'
own per-process objects (the ingest component, the MQTT scheduler, subscription quotas).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from app import messages  # noqa: F401  (every process builds a container: installs the error texts)
from app.config import Settings
from app.domain.bus import InMemoryEventBus, RedisEventBus, create_event_bus
from app.domain.db import Database
from app.domain.ports import BrokerAccounts, BrokerLink, ConversionQueue, DisplayPublisher
from app.domain.users.login_policy import LoginGuard

HealthCheck = Callable[[], Awaitable[tuple[bool, str]]]


@dataclass
class Container:
    settings: Settings
    db: Database
    bus: InMemoryEventBus
    mqtt: BrokerLink | None = None
    # Set when this process has a broker link; None means commands/assignments cannot reach displays.
    publisher: DisplayPublisher | None = None
    # Per-display broker accounts (MQTT_DYNSEC_ENABLED); None when the broker is managed by hand.
    broker_accounts: BrokerAccounts | None = None
    # Set when this process can reach the conversion workers (app.tasks.conversions.install_conversion_queue).
    conversion_queue: ConversionQueue | None = None
    # Device-token signer and per-process login limits, shared by GraphQL over HTTP and the dashboard.
    login_guard: LoginGuard = field(init=False)
    health_checks: dict[str, HealthCheck] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.login_guard = LoginGuard(self.settings.secret_key)

    @classmethod
    def create(cls, settings: Settings) -> Container:
        container = cls(
            settings=settings,
            db=Database(settings.database_url, pool_size=settings.db_pool_size, echo=settings.db_echo),
            bus=create_event_bus(settings.redis_url),
        )
        container.health_checks["db"] = container._check_db
        return container

    async def start(self) -> None:
        if isinstance(self.bus, RedisEventBus):
            await self.bus.start()

    async def close(self) -> None:
        await self.bus.close()
        await self.db.dispose()

    async def _check_db(self) -> tuple[bool, str]:
        ok = await self.db.ping()
        return ok, f"{self.db.dialect} reachable" if ok else f"{self.db.dialect} unreachable"

    async def health(self) -> dict[str, dict[str, Any]]:
        names = list(self.health_checks)

        async def run(check: HealthCheck) -> tuple[bool, str]:
            try:
                return await asyncio.wait_for(check(), timeout=3)
            except Exception as exc:
                return False, f"check failed: {exc}"

        results = await asyncio.gather(*(run(self.health_checks[n]) for n in names))
        return {name: {"ok": ok, "detail": detail} for name, (ok, detail) in zip(names, results, strict=True)}
