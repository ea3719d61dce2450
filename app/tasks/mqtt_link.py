"""A short-lived broker link for actors that must reach displays (crash recovery), outside any MqttService."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.config import Settings
from app.mqtt.connection import MqttConnection
from app.mqtt.publisher import MqttPublisher

log = logging.getLogger(__name__)


@asynccontextmanager
async def short_lived_publisher(settings: Settings, *, timeout: float = 10.0) -> AsyncIterator[MqttPublisher | None]:
    """Yields a connected publisher, or None when the broker is unreachable (commands then record the failure).

    A fixed MQTT_CLIENT_ID is not reused: a second session with the same id would kick the main link off.
    """
    connection = MqttConnection(
        settings.model_copy(update={"mqtt_client_id": None}), client_id_prefix="infoscreen-task"
    )
    try:
        await connection.connect(timeout=timeout)
    except (ConnectionError, OSError) as exc:
        log.warning("event=task_mqtt_unreachable error=%s", exc)
        await connection.disconnect()
        yield None
        return
    try:
        yield MqttPublisher(connection)
    finally:
        await connection.disconnect()
