"""The proof: `displayPayloadAt` equals what the real scheduler publishes to a real Mosquitto at that instant.

Random schedules (series, holidays skipped, deleted and detached occurrences) around both DST switches in
Europe/Vienna; at each instant the scheduler ticks with its clock fixed to that instant, a display reads
what arrives, and the preview's answer must be byte-identical (the power intent's intent_id excepted: the
scheduler draws it at random at a transition)."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

import app.mqtt.scheduler as scheduler_module
from app.config import load_settings
from app.container import Container
from app.domain.models import Base
from app.domain.preview.payload import display_payload_at, wire_json
from app.mqtt.scheduler import Scheduler
from app.mqtt.service import MqttService
from app.runtime import load_adapters
from tests.preview.seed import Seeded, interesting_instants, seed_schedule
from tests.support.display import FakeDisplay
from tests.support.servers import mosquitto_server


@dataclass
class Rig:
    container: Container
    scheduler: Scheduler
    port: int


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    load_adapters()
    with mosquitto_server() as broker:
        settings = load_settings(
            DATA_DIR=str(tmp_path), SECRET_KEY="t", MQTT_BROKER_HOST="127.0.0.1", MQTT_BROKER_PORT=str(broker.port),
            POLL_INTERVAL_SECONDS="30", POWER_INTENT_PUBLISH_ENABLED="true",
        )  # fmt: skip
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        container = Container.create(settings)
        async with container.db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        # The broker link only: this test drives the scheduler's ticks itself, each at a fixed instant.
        service = MqttService(container, ingest=False, scheduler=False)
        await service.start()
        try:
            yield Rig(container, Scheduler(container, service.connection), broker.port)
        finally:
            await service.stop()
            await container.close()


def _without_id(payload: bytes | str) -> dict[str, object]:
    body = json.loads(payload)
    body.pop("intent_id")
    return body


async def _tick_at(rig: Rig, monkeypatch: pytest.MonkeyPatch, at: datetime, reload: bool) -> None:
    monkeypatch.setattr(scheduler_module, "utcnow", lambda: at)
    report = await rig.scheduler.tick(force=True, reload=reload)
    assert report.publish_failures == 0


@pytest.mark.parametrize("seed", [7, 2026])
async def test_preview_equals_what_the_scheduler_publishes(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rng = random.Random(seed)
    seeded: Seeded = await seed_schedule(rig.container, rng)
    instants = await interesting_instants(rig.container, seeded, rng)
    display = FakeDisplay(rig.port).connect()
    for group_id in seeded.groups:
        display.subscribe(f"infoscreen/events/{group_id}")
        display.subscribe(f"infoscreen/groups/{group_id}/power/intent")
    shown = on = 0
    try:
        for n, at in enumerate(instants):
            # Alternate a fresh plan with the scheduler's cached one: both must agree with the preview.
            await _tick_at(rig, monkeypatch, at, reload=n % 2 == 0)
            for group_id in seeded.groups:
                events = await asyncio.to_thread(display.expect, f"infoscreen/events/{group_id}", 10)
                intent = await asyncio.to_thread(display.expect, f"infoscreen/groups/{group_id}/power/intent", 10)
                preview = await display_payload_at(rig.container, seeded.admin, group_id, at)
                assert events.payload == wire_json(preview.event_list).encode(), (at, group_id)
                assert preview.power_intent is not None
                assert _without_id(intent.payload) == _without_id(wire_json(preview.power_intent)), (at, group_id)
                shown += bool(preview.event_list)
                on += preview.power_intent["desired_state"] == "on"
        # A display connecting afterwards gets the same bytes as the retained copy.
        late = FakeDisplay(rig.port).connect()
        group_id = seeded.groups[0]
        late.subscribe(f"infoscreen/events/{group_id}")
        retained = await asyncio.to_thread(late.expect, f"infoscreen/events/{group_id}", 10)
        late.close()
        final = await display_payload_at(rig.container, seeded.admin, group_id, instants[-1])
        assert retained.retain and retained.payload == wire_json(final.event_list).encode()
    finally:
        display.close()
    # The random schedule really exercised both states.
    assert shown > 5 and on > 5 and shown < len(instants) * len(seeded.groups)
