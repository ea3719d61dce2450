"""A broker that restarts without persistence loses every retained message; the scheduler puts them back."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from app.config import load_settings
from app.container import Container
from app.domain.clock import utcnow
from app.domain.enums import EventType
from app.domain.events.models import Event
from app.domain.models import Base
from app.mqtt.service import MqttService
from app.runtime import load_adapters
from tests.events.live_support import wait_for
from tests.events.seed import add_group
from tests.mqtt.ingest_support import eventually
from tests.support.display import FakeDisplay
from tests.support.servers import mosquitto_server


async def _true(value: bool) -> bool:
    return value


async def test_event_list_and_power_intent_are_republished_after_a_broker_restart(tmp_path: Path) -> None:
    load_adapters()
    with mosquitto_server() as first:
        port = first.port
        settings = load_settings(
            DATA_DIR=str(tmp_path), SECRET_KEY="t", MQTT_BROKER_HOST="127.0.0.1", MQTT_BROKER_PORT=str(port),
            POLL_INTERVAL_SECONDS="30", POWER_INTENT_PUBLISH_ENABLED="true",
        )  # fmt: skip
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        container = Container.create(settings)
        async with container.db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        group = await add_group(container, "Aula")
        now = utcnow()
        async with container.db.session() as session:
            session.add(
                Event(group_id=group, title="Begrüßung", event_type=EventType.MESSAGE, message_text="Hallo",
                      start=now - timedelta(minutes=5), end=now + timedelta(hours=1))
            )  # fmt: skip
        service = MqttService(container, ingest=True, scheduler=True)
        await service.start()
        events_topic, power_topic = f"infoscreen/events/{group}", f"infoscreen/groups/{group}/power/intent"
        try:
            display = FakeDisplay(port).connect()
            display.subscribe(events_topic)
            display.subscribe(power_topic)
            await wait_for(display, events_topic, lambda body: bool(body))
            intent, _ = await wait_for(display, power_topic, lambda body: body["desired_state"] == "on")
            display.close()

            connects = service.connection.stats.connects
            first.stop()  # persistence is off: the retained state is gone with the broker
            await eventually(lambda: _true(not service.connection.is_connected), what="disconnect noticed")
            with mosquitto_server(port=port):
                await eventually(
                    lambda: _true(service.connection.stats.connects > connects), timeout=30, what="reconnect"
                )
                # The poll interval is 30 s, so anything seen within a few seconds came from the reconnect.
                late = FakeDisplay(port).connect()
                late.subscribe(events_topic)
                late.subscribe(power_topic)
                events, _ = await wait_for(late, events_topic, lambda body: bool(body), timeout=10)
                assert events.json()[0]["title"] == "Begrüßung"
                power, _ = await wait_for(late, power_topic, lambda body: body["desired_state"] == "on", timeout=10)
                # Same semantic state: the republished intent keeps its intent_id.
                assert power.json()["intent_id"] == intent.json()["intent_id"]
                late.close()
                # `late` may have subscribed before the republish (a live copy has no retain flag); a display
                # connecting now must find both stored on the broker.
                fresh = FakeDisplay(port).connect()
                fresh.subscribe(events_topic)
                fresh.subscribe(power_topic)
                stored, _ = await wait_for(fresh, events_topic, lambda body: bool(body), timeout=10)
                stored_power, _ = await wait_for(fresh, power_topic, lambda body: bool(body), timeout=10)
                assert stored.retain and stored_power.retain
                assert stored_power.json()["intent_id"] == intent.json()["intent_id"]
                fresh.close()
        finally:
            await service.stop()
            await container.close()
            await asyncio.sleep(0)
