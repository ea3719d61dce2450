"""DisplayPublisher over MQTT, with the contract's QoS and retain flags per topic."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any

from app.domain.preview.payload import wire_json
from app.mqtt import topics
from app.mqtt.connection import MqttConnection

log = logging.getLogger(__name__)


def _json(payload: Any) -> bytes:
    # One encoding for what displays receive and what the Vorschau shows (app/domain/preview/payload.py).
    return wire_json(payload).encode()


class MqttPublisher:
    def __init__(self, connection: MqttConnection, *, timeout: float = 5.0) -> None:
        self._conn = connection
        self._timeout = timeout
        # Best-effort copies of commands that the broker did not confirm, by copy ("compat", "legacy").
        self.copy_failures: Counter[str] = Counter()

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
        """Primary, compat (and legacy) copies queued in that order; only the primary decides success."""
        body = _json(payload)
        conn, timeout = self._conn, self._timeout
        copies: list[tuple[str, str, bytes]] = [("compat", topics.COMMAND_COMPAT.format(uuid=client_uuid), body)]
        if legacy_restart:
            copies.append(("legacy", topics.LEGACY_RESTART.format(uuid=client_uuid), _json({"action": "restart"})))
        primary = await conn.publish(topics.COMMANDS.format(uuid=client_uuid), body, wait=False, timeout=timeout)
        pending = [(name, await conn.publish(topic, data, wait=False, timeout=timeout)) for name, topic, data in copies]
        outcomes = await asyncio.gather(
            conn.confirm(primary, timeout), *(conn.confirm(f, timeout) for _, f in pending), return_exceptions=True
        )
        for (name, _), outcome in zip(pending, outcomes[1:], strict=True):
            if isinstance(outcome, BaseException):
                self.copy_failures[name] += 1
                log.warning("event=command_copy_publish_failed copy=%s client=%s failures=%d error=%s", name,
                            client_uuid, self.copy_failures[name], outcome)  # fmt: skip
        if isinstance(outcomes[0], BaseException):
            raise outcomes[0]

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
