"""One thin handler per topic kind: validated payload → domain record → batcher, ACK use case or screenshot store."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.config import Settings
from app.domain.bus import InMemoryEventBus
from app.domain.clients.broker_access import IssuedCredentials, finish_auto_approval, on_discovered
from app.domain.clients.models import Client
from app.domain.clients.telemetry import ClientStateChange, TelemetryOutcome, TelemetryReason
from app.domain.clock import iso_z, utcnow
from app.domain.commands.acks import handle_ack
from app.domain.db import Database
from app.domain.db_errors import RETRY_DELAYS, is_connection_error
from app.domain.enums import ScreenshotType
from app.domain.errors import DomainError
from app.domain.monitoring.log_ingest import content_hash
from app.domain.screenshots.storage import InvalidScreenshot, ScreenshotStore, decode_image, image_kind
from app.mqtt import topics
from app.mqtt.connection import PublishError
from app.mqtt.ingest import payloads
from app.mqtt.ingest.batcher import TelemetryBatcher
from app.mqtt.ingest.stats import IngestStats
from app.mqtt.ingest.validation import TELEMETRY_MAX_BYTES, Drop, RoutedTopic, TopicKind, check_size, decode_object
from app.mqtt.publisher import MqttPublisher

log = logging.getLogger(__name__)

# What the MQTT layer awaits before it acknowledges a message: the batch commit, or nothing.
Waiter = asyncio.Future[bool] | None


class IngestHandlers:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        bus: InMemoryEventBus,
        batcher: TelemetryBatcher,
        store: ScreenshotStore,
        stats: IngestStats,
        publisher: MqttPublisher | None,
    ) -> None:
        self._db = db
        self._bus = bus
        self._batcher = batcher
        self._store = store
        self._stats = stats
        self._publisher = publisher
        self._max_image_bytes = settings.mqtt_max_payload_bytes
        self._telemetry_limit = min(TELEMETRY_MAX_BYTES, settings.mqtt_max_payload_bytes)
        self._dashboard_log_every = settings.dashboard_metrics_log_every
        self._screenshot_locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        # The container when per-display broker accounts are on (app.domain.clients.broker_access).
        self.access_deps: Any | None = None

    async def handle(self, routed: RoutedTopic, payload: bytes, received_at: float, qos: int = 1) -> Waiter:
        """Validate and hand on one message. Returns what to await before acknowledging it (or None)."""
        kind, uuid = routed.kind, routed.uuid
        now = utcnow()
        repairs: list[str] = []
        try:
            if kind is TopicKind.DISCOVERY:
                obj = decode_object(payload, self._telemetry_limit, repairs)
                return self._submit(payloads.discovery(obj, now), received_at, qos)
            assert uuid is not None
            if kind is TopicKind.HEARTBEAT:
                obj = decode_object(payload, self._telemetry_limit, repairs)
                return self._submit(payloads.heartbeat(uuid, obj, now), received_at, qos)
            if kind is TopicKind.HEALTH:
                obj = decode_object(payload, self._telemetry_limit, repairs)
                return self._submit(payloads.health(uuid, obj, now, repairs), received_at, qos)
            if kind is TopicKind.LOG:
                assert routed.level is not None
                obj = decode_object(payload, self._telemetry_limit, repairs)
                entry = payloads.log_entry(uuid, routed.level, obj, now, repairs)
                entry = replace(entry, content_hash=content_hash(routed.level, payload))
                return self._batcher.submit(entry, received_at, qos=qos)
            if kind is TopicKind.SERVICE_FAILED:
                return self._service_failed(uuid, payload, now, received_at, qos, repairs)
            if kind is TopicKind.COMMAND_ACK:
                await self._command_ack(uuid, decode_object(payload, self._telemetry_limit, repairs))
                return None
            if kind is TopicKind.DASHBOARD:
                image, shot_type = self._parse_dashboard(payload, repairs)
                return await self._screenshot(uuid, image, shot_type, received_at, qos)
            check_size(payload, self._max_image_bytes)  # TopicKind.SCREENSHOT
            if image_kind(payload) is not None:  # raw JPEG/PNG bytes
                return await self._screenshot(uuid, payload, ScreenshotType.PERIODIC, received_at, qos, raw=True)
            obj = decode_object(payload, self._max_image_bytes, repairs)
            image, shot_type = payloads.screenshot_message(obj)
            return await self._screenshot(uuid, image, shot_type, received_at, qos)
        finally:
            if repairs:
                self._stats.repair(repairs, uuid or "discovery")

    def _parse_dashboard(self, payload: bytes, repairs: list[str]) -> tuple[str, ScreenshotType]:
        """The v2 envelope's screenshot and capture type, counted in DASHBOARD_PARSE_METRICS either way."""
        try:
            obj = decode_object(payload, self._max_image_bytes, repairs)
            parsed = payloads.dashboard_screenshot(obj)
        except Drop:
            self._stats.dashboard_parsed(False, self._dashboard_log_every)
            raise
        self._stats.dashboard_parsed(True, self._dashboard_log_every)
        return parsed

    def _submit(self, change: ClientStateChange, received_at: float, qos: int) -> Waiter:
        return self._batcher.submit(change, received_at, qos=qos)

    def _service_failed(
        self, uuid: str, payload: bytes, now: datetime, received_at: float, qos: int, repairs: list[str]
    ) -> Waiter:
        if not payload:
            # The server's own retain-clear (or an operator's `mosquitto_pub -n -r`) coming back to us.
            log.info("service_failed retained message cleared for %s", uuid)
            self._stats.ignored["service_failed_cleared"] += 1
            return None
        obj = decode_object(payload, self._telemetry_limit, repairs)
        change = payloads.service_failed(uuid, obj, now, repairs)
        log.warning(
            "event=service_failed uuid=%s unit=%s failed_at=%s",
            uuid,
            change.values["service_failed_unit"],
            iso_z(change.values["service_failed_at"]),
        )
        return self._submit(change, received_at, qos)

    async def _command_ack(self, uuid: str, payload: dict[str, Any]) -> None:
        """ACKs are rare and latency matters: applied at once in their own transaction (not batched)."""
        outcome = await handle_ack(self._db, self._bus, uuid, payload)
        if not outcome.applied:  # apply_ack logged why (unknown command, terminal, duplicate, ...)
            self._stats.ignored[f"command_ack_{outcome.reason}"] += 1

    async def _screenshot(
        self,
        uuid: str,
        data: str | bytes,
        shot_type: ScreenshotType,
        received_at: float,
        qos: int,
        *,
        raw: bool = False,
    ) -> Waiter:
        # Take the per-display lock before the first await, so a display's screenshots land in order.
        lock = self._screenshot_locks.setdefault(uuid, asyncio.Lock())
        try:
            async with lock:
                if not await self._client_known(uuid):
                    raise Drop("unknown_client", "screenshot from a display never seen")
                try:
                    stored = await asyncio.to_thread(self._decode_and_store, uuid, data, shot_type, raw)
                except InvalidScreenshot as exc:
                    raise Drop(f"screenshot_{exc.reason}") from None
        finally:
            if not lock.locked() and self._screenshot_locks.get(uuid) is lock:
                del self._screenshot_locks[uuid]
        change = ClientStateChange(uuid, TelemetryReason.SCREENSHOT, {"last_screenshot_hash": stored.md5})
        return self._submit(change, received_at, qos)

    def _decode_and_store(self, uuid: str, data: str | bytes, shot_type: ScreenshotType, raw: bool) -> Any:
        image = data if raw and isinstance(data, bytes) else decode_image(data, max_bytes=self._max_image_bytes)
        return self._store.store(uuid, image, shot_type)

    async def _client_known(self, uuid: str) -> bool:
        """Whether the display is registered; waits (with backoff) while the database is unreachable."""
        attempt = 0
        while True:
            try:
                async with self._db.read_session() as session:
                    found = await session.scalar(sa.select(Client.uuid).where(Client.uuid == uuid))
                return found is not None
            except Exception as exc:
                if not is_connection_error(exc):
                    raise
                await asyncio.sleep(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])
                attempt += 1

    # --- after a batch committed ------------------------------------------------------------------
    def on_committed(self, outcome: TelemetryOutcome) -> None:
        for uuid, group_id in outcome.discovered.items():
            task = asyncio.get_running_loop().create_task(self._acknowledge_discovery(uuid, group_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _acknowledge_discovery(self, uuid: str, group_id: int | None) -> None:
        log.info("event=client_discovered uuid=%s group_id=%s", uuid, group_id)
        if self._publisher is None:
            return
        ack: dict[str, Any] = {"status": "ok", "uuid": uuid, "group_id": group_id, "timestamp": iso_z(utcnow())}
        issued = await self._broker_access(uuid)
        if issued is not None:  # broker_auto_approve: the only time these credentials exist in clear text
            ack["broker_username"], ack["broker_password"] = issued.username, issued.password
        try:
            await self._publisher.publish_discovery_ack(uuid, ack)
            if issued is not None:
                await finish_auto_approval(self.access_deps, uuid)
            if group_id is not None:
                # A display that rediscovers (e.g. after a reflash) gets its retained group back.
                await self._publisher.publish_group_assignment(uuid, group_id)
        except PublishError as exc:
            log.warning("event=discovery_ack_failed uuid=%s topic=%s error=%s", uuid,
                        topics.DISCOVERY_ACK.format(uuid=uuid), exc)  # fmt: skip

    async def _broker_access(self, uuid: str) -> IssuedCredentials | None:
        if self.access_deps is None:
            return None
        try:
            return await on_discovered(self.access_deps, uuid)
        except DomainError as exc:
            log.warning("event=broker_access_on_discovery_failed uuid=%s error=%s", uuid, exc.message)
            return None

    async def drain(self, timeout: float = 10.0) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
