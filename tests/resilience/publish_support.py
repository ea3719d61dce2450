"""What the publish resilience tests share: a fleet in the database, the server's MQTT side, and a paho
reader that counts what the broker holds retained (what a display connecting now would get)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid as uuidlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import paho.mqtt.client as paho

from app.config import load_settings
from app.container import Container
from app.domain.clients.models import Client, ClientGroup
from app.domain.clock import utcnow
from app.domain.enums import EventType
from app.domain.events.models import Event
from app.domain.models import Base
from app.mqtt.service import MqttService
from app.runtime import load_adapters

EVENTS = "infoscreen/events/+"
INTENTS = "infoscreen/groups/+/power/intent"
GROUP_IDS = "infoscreen/+/group_id"


def retained_snapshot(port: int, filters: tuple[str, ...], *, settle: float = 1.0) -> dict[str, bytes]:
    """Every retained message the broker holds under `filters` (a fresh subscriber's view).

    Collects until no new message arrived for `settle` seconds (retained messages come in one burst)."""
    seen: dict[str, bytes] = {}
    lock = threading.Lock()
    last = [time.monotonic()]
    connected = threading.Event()

    def on_message(_c: paho.Client, _u: object, msg: paho.MQTTMessage) -> None:
        if msg.retain and msg.payload:
            with lock:
                seen[msg.topic] = bytes(msg.payload)
                last[0] = time.monotonic()

    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"reader-{uuidlib.uuid4().hex[:8]}")
    client.on_message = on_message
    client.on_connect = lambda *_a: connected.set()
    client.connect("127.0.0.1", port, keepalive=30)
    client.loop_start()
    try:
        assert connected.wait(10), "reader could not connect"
        for topic in filters:
            # QoS 0: Mosquitto's default max_queued_messages (1000) would drop a QoS 1 subscriber's excess.
            client.subscribe(topic, qos=0)
        last[0] = time.monotonic()
        while time.monotonic() - last[0] < settle:
            time.sleep(0.05)
        with lock:
            return dict(seen)
    finally:
        client.loop_stop()
        client.disconnect()


def wait_for_retained(
    port: int, filters: tuple[str, ...], done: Callable[[dict[str, bytes]], bool], *, timeout: float
) -> tuple[dict[str, bytes], float]:
    """Poll fresh snapshots until `done`; returns the last snapshot and the seconds it took."""
    started = time.monotonic()
    while True:
        snapshot = retained_snapshot(port, filters, settle=0.3)
        elapsed = time.monotonic() - started
        if done(snapshot) or elapsed > timeout:
            return snapshot, elapsed
        time.sleep(0.2)


async def until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout}s")
        await asyncio.sleep(0.05)


def count(snapshot: dict[str, bytes], prefix: str, suffix: str = "") -> int:
    return sum(1 for t in snapshot if t.startswith(prefix) and t.endswith(suffix))


async def seed_fleet(container: Container, groups: int, displays: int) -> tuple[list[int], dict[str, int]]:
    """`groups` groups, each with one event running now; `displays` displays spread over them."""
    now = utcnow()
    async with container.db.session() as session:
        rows = [ClientGroup(name=f"Raum {i:03d}") for i in range(groups)]
        session.add_all(rows)
        await session.flush()
        group_ids = [g.id for g in rows]
        session.add_all(
            Event(group_id=gid, title=f"Unterricht {gid}", event_type=EventType.MESSAGE, message_text="Hallo",
                  start=now - timedelta(minutes=10), end=now + timedelta(hours=2))
            for gid in group_ids
        )  # fmt: skip
        assignments = {str(uuidlib.uuid4()): group_ids[i % len(group_ids)] for i in range(displays)}
        session.add_all(Client(uuid=u, group_id=g, is_active=True) for u, g in assignments.items())
    return group_ids, assignments


@dataclass
class Stack:
    container: Container
    service: MqttService


@contextlib.asynccontextmanager
async def server_stack(tmp_path: Path, port: int, db_url: str | None = None, **env: str) -> AsyncIterator[Stack]:
    """The server's MQTT side (ingest + scheduler) with power intents on, like `infoscreen run`."""
    load_adapters()
    settings = load_settings(
        DATA_DIR=str(tmp_path / "data"), SECRET_KEY="t", MQTT_BROKER_HOST="127.0.0.1", MQTT_BROKER_PORT=str(port),
        POLL_INTERVAL_SECONDS="30", POWER_INTENT_PUBLISH_ENABLED="true", **({"DB_URL": db_url} if db_url else {}),
        **env,
    )  # fmt: skip
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    container = Container.create(settings)
    async with container.db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield_stack = Stack(container, MqttService(container, ingest=True, scheduler=True))
    try:
        yield yield_stack
    finally:
        await yield_stack.service.stop()
        await container.close()
