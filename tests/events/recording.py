"""Observing the scheduler's publish decisions without a broker (the live tests cover the real MQTT path)."""

from __future__ import annotations

from typing import Any


class RecordingPublisher:
    def __init__(self) -> None:
        self.event_lists: list[tuple[int, list[dict[str, Any]]]] = []

    async def publish_event_list(self, group_id: int, events: list[dict[str, Any]]) -> None:
        self.event_lists.append((group_id, events))

    async def publish_power_intent(self, group_id: int, payload: dict[str, Any]) -> None:
        raise AssertionError("power intents are disabled here")


class ConnectedLink:
    """The part of MqttConnection the scheduler uses, always connected."""

    is_connected = True

    def on_connected(self, hook: Any) -> None:
        self.hook = hook
