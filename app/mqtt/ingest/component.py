"""The ingest as an MQTT component of `infoscreen run`/`infoscreen mqtt` (registered on import)."""

from __future__ import annotations

import logging

from app.container import Container
from app.domain.clients.telemetry import RegistrationPolicy
from app.domain.screenshots.storage import ScreenshotStore
from app.mqtt.connection import MqttConnection
from app.mqtt.ingest.batcher import TelemetryBatcher
from app.mqtt.ingest.dispatcher import IngestDispatcher
from app.mqtt.ingest.handlers import IngestHandlers
from app.mqtt.ingest.stats import IngestStats
from app.mqtt.publisher import MqttPublisher
from app.mqtt.service import register_ingest

log = logging.getLogger(__name__)


class IngestComponent:
    def __init__(self, container: Container, connection: MqttConnection) -> None:
        settings = container.settings
        self.connection = connection
        # A fixed client id and a persistent session; PUBACK only after commit (app/mqtt/session.py).
        connection.use_durable_session("ingest")
        self.stats = IngestStats()
        self.store = ScreenshotStore(settings.screenshot_dir)
        registration = RegistrationPolicy(settings.discovery_new_per_minute, settings.discovery_max_clients)
        self.batcher = TelemetryBatcher(container, self.stats, registration=registration)
        self.handlers = IngestHandlers(
            settings, container.db, container.bus, self.batcher, self.store, self.stats, MqttPublisher(connection)
        )
        self.batcher.set_commit_hook(self.handlers.on_committed)
        if settings.mqtt_dynsec_enabled:
            self.handlers.access_deps = container
        self.dispatcher = IngestDispatcher(settings, self.handlers, self.stats)
        container.extras["ingest"] = self
        container.health_checks["ingest"] = self._check

    async def _check(self) -> tuple[bool, str]:
        s = self.stats
        # Unhealthy only when telemetry piles up (database far too slow or down).
        ok = self.batcher.pending < 50_000
        return ok, (
            f"committed {s.committed_messages} in {s.batches} transactions, pending {self.batcher.pending}, "
            f"dropped {sum(s.dropped.values())}, repaired {sum(s.repaired.values())}, db retries {s.db_retries}"
        )

    def handlers_idle(self) -> bool:
        return self.dispatcher.idle

    async def start(self) -> None:
        await self.batcher.start()
        self.dispatcher.install(self.connection)

    async def stop(self) -> None:
        # Stop taking messages, let in-flight ones finish, flush the last batch, then send pending ACKs.
        await self.dispatcher.close()
        await self.batcher.stop()
        await self.handlers.drain()
        log.info(
            "event=mqtt_ingest_stopped committed=%d batches=%d dropped=%s",
            self.stats.committed_messages,
            self.stats.batches,
            dict(self.stats.dropped),
        )


@register_ingest
def create_ingest(container: Container, connection: MqttConnection) -> IngestComponent:
    return IngestComponent(container, connection)
