"""DisplayPublisher over MQTT, with the contract's QoS and retain flags per topic."""

from __future__ import annotations

import json
from typing import Any

from app.mqtt import topics
from app.mqtt.connection import MqttConnection


def _json(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


class MqttPublisher:
    def __init__(self, connection: MqttConnection, *, timeout: float = 5.0) -> None:
        self._conn = connection
        self._timeout = timeout

    async def publish_group_assignment(self, client_uuid: str, group_id: int | None) -> None:
        payload = b"" if group_id is None else str(group_id).encode()
        await self._conn.publish(
            topics.GROUP_ID.format(uuid=client_uuid), payload, qos=1, retain=True, timeout=self._timeout
        )

    async def clear_service_failed(self, client_uuid: str) -> None:
        await self._conn.publish(
            topics.SERVICE_FAILED.format(uuid=client_uuid), b"", qos=1, retain=True, timeout=self._timeout
        )

    async def publish_command(self, client_uuid: str, payload: dict[str, Any], *, legacy_restart: bool) -> None:
        body = _json(payload)
        await self._conn.publish(topics.COMMANDS.format(uuid=client_uuid), body, qos=1, timeout=self._timeout)
        await self._conn.publish(topics.COMMAND_COMPAT.format(uuid=client_uuid), body, qos=1, timeout=self._timeout)
        if legacy_restart:
            await self._conn.publish(
                topics.LEGACY_RESTART.format(uuid=client_uuid),
                _json({"action": "restart"}),
                qos=1,
                timeout=self._timeout,
            )

    async def publish_event_list(self, group_id: int, events: list[dict[str, Any]]) -> None:
        await self._conn.publish(
            topics.EVENTS.format(group_id=group_id), _json(events), qos=1, retain=True, timeout=self._timeout
        )

    async def publish_power_intent(self, group_id: int, payload: dict[str, Any]) -> None:
        await self._conn.publish(
            topics.POWER_INTENT.format(group_id=group_id), _json(payload), qos=1, retain=True, timeout=self._timeout
        )

    async def publish_discovery_ack(self, client_uuid: str, payload: dict[str, Any]) -> None:
        await self._conn.publish(topics.DISCOVERY_ACK.format(uuid=client_uuid), _json(payload), qos=1)
