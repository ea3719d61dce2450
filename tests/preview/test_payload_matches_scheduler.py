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
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import app.mqtt.scheduler as scheduler_module
from app.config import load_settings
from app.container import Container
from app.domain.broadcasts import service as broadcast_service
from app.domain.broadcasts.models import Broadcast
from app.domain.models import Base
from app.domain.preview.payload import display_payload_at, wire_json
from app.mqtt.scheduler import Scheduler
from app.mqtt.service import MqttService
from app.runtime import load_adapters
from tests.preview.seed import Seeded, interesting_instants, seed_schedule
from tests.support.display import FakeDisplay
from tests.support.servers import mosquitto_server

# Event ids from here on are Durchsagen (app.domain.broadcasts.rules.event_id_for).
BROADCAST_IDS = 2_000_000_000


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


async def _seed_broadcasts(container: Container, groups: list[int], instants: list[datetime]) -> None:
    """Three overlapping Durchsagen over the random schedule: an INFO to every group that ends by ends_at, an
    ALARM to the first group that runs on, and a WARNING to the others that ends by ends_at."""
    n = len(instants)
    rows = [
        Broadcast(message="Hitzefrei", severity="INFO", group_ids=None, started_at=instants[n // 8],
                  ends_at=instants[n // 2] + timedelta(seconds=1)),
        Broadcast(message="Evakuierung", title="Feueralarm", severity="ALARM", group_ids=groups[:1],
                  started_at=instants[n // 4]),
        Broadcast(message="Sturm", severity="WARNING", group_ids=groups[1:], started_at=instants[n // 3],
                  ends_at=instants[(3 * n) // 4] + timedelta(seconds=1)),
    ]  # fmt: skip
    async with container.db.session() as session:
        session.add_all(rows)


MARKER = "test/preview/marker"


def _settled(display: FakeDisplay, n: int) -> dict[str, bytes]:
    """Every message the display got up to now, the last one per topic: a marker published after the tick
    comes back after everything the broker had already accepted for this subscriber."""
    display.publish(MARKER, str(n).encode())
    latest: dict[str, bytes] = {}
    while True:
        msg = display.inbox.get(timeout=10)
        if msg.topic == MARKER and msg.payload == str(n).encode():
            return latest
        latest[msg.topic] = msg.payload


@pytest.mark.parametrize("seed", [11])
async def test_preview_equals_what_the_scheduler_publishes_during_broadcasts(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """The same proof while Durchsagen start, overlap and expire: the preview and the scheduler apply one override."""
    rng = random.Random(seed)
    seeded: Seeded = await seed_schedule(rig.container, rng)
    instants = await interesting_instants(rig.container, seeded, rng)
    await _seed_broadcasts(rig.container, seeded.groups, instants)
    display = FakeDisplay(rig.port).connect()
    display.subscribe("infoscreen/events/+")
    display.subscribe(MARKER)
    kinds: set[str] = set()
    try:
        for n, at in enumerate(instants):
            # The sweep that expires ends_at runs on the same (fixed) clock as the tick; it restores the
            # groups at once and the tick publishes them again, so the display's last message counts.
            monkeypatch.setattr(broadcast_service, "utcnow", lambda at=at: at)
            await _tick_at(rig, monkeypatch, at, reload=n % 2 == 0)
            latest = await asyncio.to_thread(_settled, display, n)
            for group_id in seeded.groups:
                preview = await display_payload_at(rig.container, seeded.admin, group_id, at)
                got = latest.get(f"infoscreen/events/{group_id}")
                assert got == wire_json(preview.event_list).encode(), (at, group_id)
                first = preview.event_list[0]["id"] if preview.event_list else None
                kinds.add("broadcast" if first is not None and first >= BROADCAST_IDS else "schedule")
    finally:
        display.close()
    assert kinds == {"broadcast", "schedule"}
