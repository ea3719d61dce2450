"""Broker life: ingest resubscribes after a Mosquitto restart; MQTT 5 shared subscriptions split the load."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from app.config import load_settings
from app.container import Container
from app.domain.models import Base
from app.mqtt.service import MqttService
from app.runtime import load_adapters
from tests.mqtt.ingest_support import client_row, eventually
from tests.support.display import FakeDisplay
from tests.support.servers import mosquitto_server


@asynccontextmanager
async def _ingest(data_dir: Path, port: int, **env: str) -> AsyncIterator[MqttService]:
    load_adapters()
    settings = load_settings(DATA_DIR=str(data_dir), SECRET_KEY="t", MQTT_BROKER_HOST="127.0.0.1",
                             MQTT_BROKER_PORT=str(port), **env)  # fmt: skip
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    container = Container.create(settings)
    async with container.db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    service = MqttService(container, ingest=True, scheduler=False)
    await service.start()
    try:
        yield service
    finally:
        await service.stop()
        await container.close()


async def _alive(service: MqttService, uuid: str) -> bool:
    row = await client_row(service.container, uuid)
    return row is not None and row.last_alive is not None


async def test_ingest_resubscribes_after_broker_restart(tmp_path: Path) -> None:
    with mosquitto_server() as first:
        port = first.port
        async with _ingest(tmp_path, port) as service:
            before = FakeDisplay(port).connect()
            before.publish("infoscreen/{uuid}/heartbeat", {"process_status": "running"})
            await eventually(lambda: _alive(service, before.uuid), what="heartbeat before restart")
            before.close()
            connects = service.connection.stats.connects
            first.stop()  # the broker goes away (persistence off: all sessions are gone)
            await eventually(lambda: _true(not service.connection.is_connected), what="disconnect noticed")
            with mosquitto_server(port=port):
                await eventually(
                    lambda: _true(service.connection.stats.connects > connects), timeout=30, what="reconnect"
                )
                after = FakeDisplay(port).connect()
                after.publish("infoscreen/{uuid}/heartbeat", {"process_status": "running"})
                await eventually(lambda: _alive(service, after.uuid), what="heartbeat after restart")
                after.close()
                assert service.connection.stats.disconnects >= 1


async def test_shared_group_splits_messages_between_ingest_processes(tmp_path: Path) -> None:
    with mosquitto_server() as broker:
        async with (
            _ingest(tmp_path / "a", broker.port, MQTT_SHARED_GROUP="ingest") as a,
            _ingest(tmp_path / "b", broker.port, MQTT_SHARED_GROUP="ingest") as b,
        ):
            assert a.connection.stats.protocol == "5"
            assert a.connection.subscription_topic("infoscreen/+/heartbeat") == "$share/ingest/infoscreen/+/heartbeat"
            # Retained topics stay unshared, so every process sees a retained service_failed.
            assert a.connection.subscription_topic("infoscreen/+/service_failed") == "infoscreen/+/service_failed"
            displays = [FakeDisplay(broker.port).connect() for _ in range(12)]
            for d in displays:
                for _ in range(4):
                    d.publish("infoscreen/{uuid}/heartbeat", {"process_status": "running"})
            stats_a = a.container.extras["ingest"].stats
            stats_b = b.container.extras["ingest"].stats

            async def all_seen() -> bool:
                return stats_a.received["heartbeat"] + stats_b.received["heartbeat"] >= 48

            await eventually(all_seen, what="48 heartbeats")
            await asyncio.sleep(0.3)
            assert stats_a.received["heartbeat"] + stats_b.received["heartbeat"] == 48  # each exactly once
            assert stats_a.received["heartbeat"] > 0 and stats_b.received["heartbeat"] > 0
            for d in displays:
                d.close()


async def _true(value: bool) -> bool:
    await asyncio.sleep(0)
    return value
