"""Topic → handler, the subscriptions of the ingest, and the one place drops are counted and logged."""

from __future__ import annotations

import asyncio
import logging
import time

from app.config import Settings
from app.mqtt import topics
from app.mqtt.connection import MqttConnection
from app.mqtt.ingest.handlers import IngestHandlers
from app.mqtt.ingest.stats import IngestStats
from app.mqtt.ingest.validation import Drop, route_topic
from app.mqtt.session import MessageDeferred

log = logging.getLogger(__name__)

# Retained topics stay unshared: a broker does not deliver retained messages to a `$share/...`
# subscription, and every ingest process must see a display's retained service_failed after a restart
# (applying it twice is harmless: same row, same values).
UNSHARED_SUBSCRIPTIONS = frozenset({"infoscreen/+/service_failed"})


class IngestDispatcher:
    def __init__(self, settings: Settings, handlers: IngestHandlers, stats: IngestStats) -> None:
        self._settings = settings
        self._handlers = handlers
        self._stats = stats
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.closed = False

    @property
    def idle(self) -> bool:
        """No message is being handled right now (screenshots and ACKs may take a moment)."""
        return self._inflight == 0

    def install(self, connection: MqttConnection) -> None:
        """Subscribe (re-done by the connection on every reconnect) and route messages here."""
        connection.set_message_handler(self.handle)
        shared = self._settings.mqtt_shared_group is not None
        for topic, qos in topics.INGEST_SUBSCRIPTIONS:
            connection.add_subscription(topic, qos, shared=shared and topic not in UNSHARED_SUBSCRIPTIONS)

    async def handle(self, topic: str, payload: bytes, qos: int, retain: bool) -> None:
        """Handle one message; returns once it is committed or deliberately dropped (then it may be acked).

        Raises CancelledError when the process stops before that: the message stays unacknowledged.
        """
        received_at = time.perf_counter()
        if self.closed:  # stopping: leave it unacknowledged, the broker delivers it again after the restart
            self._stats.ignored["deferred_shutting_down"] += 1
            raise MessageDeferred("ingest is stopping")
        self._inflight += 1
        self._idle.clear()
        try:
            routed = route_topic(topic)
        except Drop as drop:
            self._inflight_done()
            self._stats.drop(drop.reason, _segment_key(topic), f"topic={topic[:120]!r}")
            return
        self._stats.received[routed.kind.value] += 1
        try:
            waiter = await self._handlers.handle(routed, payload, received_at, qos)
            if waiter is not None and qos > 0:
                # Held until committed (or dropped on purpose): only then may the broker forget it.
                await waiter
        except MessageDeferred:
            raise
        except Drop as drop:
            self._stats.drop(drop.reason, routed.uuid or "discovery", f"topic={topic[:120]} {drop.detail}")
        except Exception:
            # Never let one message take the ingest down; count it and keep going.
            self._stats.drop("handler_error", routed.uuid or "discovery")
            log.exception("event=mqtt_ingest_handler_error topic=%s", topic[:200])
        finally:
            self._inflight_done()

    def _inflight_done(self) -> None:
        self._inflight -= 1
        if self._inflight == 0:
            self._idle.set()

    async def close(self, timeout: float = 10.0) -> None:
        """Refuse new messages and wait for the ones being handled (screenshots, ACKs)."""
        self.closed = True
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            log.warning("event=mqtt_ingest_close_timeout inflight=%d", self._inflight)


def _segment_key(topic: str) -> str:
    parts = topic.split("/", 2)
    return "topic:" + (parts[1] if len(parts) > 1 else topic)[:64]
