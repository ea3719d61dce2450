"""The MQTT side of a process: the broker link plus the ingest pipeline and scheduler when enabled."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from app.container import Container
from app.mqtt.connection import MqttConnection
from app.mqtt.dynsec import DynsecComponent
from app.mqtt.publisher import MqttPublisher

log = logging.getLogger(__name__)


class MqttComponent(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


# Factories for ingest/scheduler components, registered by their modules: (container, connection) -> component.
ComponentFactory = Callable[[Container, MqttConnection], MqttComponent]
INGEST_FACTORIES: list[ComponentFactory] = []
SCHEDULER_FACTORIES: list[ComponentFactory] = []


class MqttService:
    def __init__(self, container: Container, *, ingest: bool, scheduler: bool) -> None:
        self.container = container
        self.connection = MqttConnection(container.settings)
        self._components: list[MqttComponent] = []
        if container.settings.mqtt_dynsec_enabled:
            self._components.append(DynsecComponent(container))
        if ingest:
            self._components += [f(container, self.connection) for f in INGEST_FACTORIES]
        if scheduler:
            self._components += [f(container, self.connection) for f in SCHEDULER_FACTORIES]
        container.mqtt = self.connection
        container.publisher = MqttPublisher(self.connection)
        container.health_checks["mqtt"] = self._check

    async def _check(self) -> tuple[bool, str]:
        c = self.connection
        publisher = self.container.publisher
        copies = getattr(publisher, "copy_failures", {})
        counts = f"{c.outbox.describe()} command_copy_failures={sum(copies.values())}"
        if c.is_connected:
            return True, f"connected to {self.container.settings.mqtt_host} (MQTT {c.stats.protocol}); {counts}"
        return False, f"disconnected (reconnecting); {counts}"

    async def start(self, *, timeout: float = 30.0) -> None:
        for component in self._components:
            await component.start()
        await self.connection.connect(timeout=timeout)

    async def stop(self) -> None:
        # Components first, so ingest can flush its last batch while the DB is still open.
        for component in reversed(self._components):
            try:
                await component.stop()
            except Exception:
                log.exception("mqtt component failed to stop cleanly")
        await self.connection.disconnect()


def register_ingest(factory: ComponentFactory) -> ComponentFactory:
    INGEST_FACTORIES.append(factory)
    return factory


def register_scheduler(factory: ComponentFactory) -> ComponentFactory:
    SCHEDULER_FACTORIES.append(factory)
    return factory


StartHook = Callable[[Container], Awaitable[None]]
