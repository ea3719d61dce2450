"""Poison input mixed into a fleet's burst costs nobody else's data (real MariaDB and Mosquitto per module).

Every class of value a display can send that its column cannot hold — timestamps outside what DATETIME /
TIMESTAMP store (1900, 9999, 2038-01-19T03:14:08Z, an offset that overflows), JSON nested deeper than
MariaDB's JSON_VALID accepts, lone UTF-16 surrogates, over-long strings, integers beyond 32 bits — is sent
by each of 50 displays in the middle of their good messages. Every good message must be stored, and every
poison message counted (repaired where the contract allows, else dropped), none of them reaching the database
as an error. A value the validation does not know about is isolated by the batcher: only that message is lost.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid as uuidlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.config import load_settings
from app.container import Container
from app.domain.clients.models import Client
from app.domain.clients.telemetry import ClientStateChange, TelemetryReason
from app.domain.clock import utcnow
from app.domain.enums import LogLevel
from app.domain.models import Base
from app.domain.monitoring.log_ingest import ClientLogEntry
from app.domain.monitoring.models import ClientLog
from app.mqtt.ingest.component import IngestComponent
from app.mqtt.service import MqttService
from tests.conftest import create_mariadb_database
from tests.mqtt.ingest_support import Burst, eventually
from tests.support.servers import RunningServer, mariadb_server, mosquitto_server

DISPLAYS = 50
GOOD_LOGS = 10
BAD_TIMES = ["1900-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2038-01-19T03:14:08Z", "9999-12-31T23:59:59-05:00"]


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[RunningServer, RunningServer]]:
    with mariadb_server() as db, mosquitto_server() as broker:
        yield db, broker


@dataclass
class Stack:
    container: Container
    ingest: IngestComponent
    broker_port: int


@pytest.fixture
async def stack(servers: tuple[RunningServer, RunningServer], tmp_path: Path) -> AsyncIterator[Stack]:
    import app.mqtt.ingest.component  # noqa: F401  (registers the ingest)

    db, broker = servers
    settings = load_settings(DATA_DIR=str(tmp_path), SECRET_KEY="test", DB_CONN=create_mariadb_database(db, "poison"),
                             MQTT_BROKER_HOST="127.0.0.1", MQTT_BROKER_PORT=str(broker.port))  # fmt: skip
    container = Container.create(settings)
    async with container.db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    service = MqttService(container, ingest=True, scheduler=False)
    await service.start()
    try:
        yield Stack(container, container.extras["ingest"], broker.port)
    finally:
        await service.stop()
        await container.close()


def _deep(levels: int) -> object:
    value: object = "bottom"
    for _ in range(levels):
        value = {"d": value}
    return value


def _poison(uuid: str, n: int) -> list[tuple[str, bytes]]:
    """Every poison class, with the bad value chosen by display number `n`."""
    bad = BAD_TIMES[n % len(BAD_TIMES)]
    surrogate = b'{"message": "player \\ud800 died", "context": {"\\udc00key": "x\\udfffy"}}'
    health = {
        "broker_connection": {"reconnect_count": 1, "last_disconnect_at": bad},
        "health_metrics": {"last_frame_update": bad},
    }
    return [
        (f"infoscreen/{uuid}/health", json.dumps(health).encode()),
        (f"infoscreen/{uuid}/service_failed", json.dumps({"unit": "x.service", "failed_at": bad}).encode()),
        (f"infoscreen/{uuid}/logs/warn", json.dumps({"message": f"bad-time-{uuid}", "timestamp": bad}).encode()),
        (f"infoscreen/{uuid}/logs/error", json.dumps({"message": "deep", "context": _deep(40)}).encode()),
        (f"infoscreen/{uuid}/logs/error", surrogate),
        ("infoscreen/discovery", b'{"uuid": "%s", "hostname": "pi-\\ud800-%s", "model": "%s"}'
         % (uuid.encode(), b"x" * 5000, b"m" * 5000)),
        (f"infoscreen/{uuid}/heartbeat", json.dumps({"process_pid": 2**40}).encode()),
    ]  # fmt: skip


async def test_poison_from_every_display_costs_no_good_message(stack: Stack) -> None:
    uuids = [str(uuidlib.uuid4()) for _ in range(DISPLAYS)]
    burst = await asyncio.to_thread(Burst, stack.broker_port)
    try:
        for i, uuid in enumerate(uuids):
            burst.publish(i, "infoscreen/discovery", {"uuid": uuid, "hostname": f"pi-{i}"})
        await asyncio.to_thread(burst.wait)

        async def registered() -> bool:
            async with stack.container.db.read_session() as session:
                return await session.scalar(select(func.count()).select_from(Client)) == DISPLAYS

        await eventually(registered, timeout=30, what="50 displays registered")
        started = utcnow()
        for n in range(GOOD_LOGS):  # good and poison interleaved, so they share batches
            for i, uuid in enumerate(uuids):
                burst.publish(i, f"infoscreen/{uuid}/logs/warn", {"message": f"good-{uuid}-{n}",
                                                                 "timestamp": "2026-01-01T00:00:00Z"})  # fmt: skip
                if n == GOOD_LOGS // 2:
                    for topic, payload in _poison(uuid, i):
                        burst.publish(i, topic, payload)
        await asyncio.to_thread(burst.wait)
    finally:
        await asyncio.to_thread(burst.close)

    async def good_stored() -> int:
        async with stack.container.db.read_session() as session:
            stmt = select(func.count()).select_from(ClientLog).where(ClientLog.message.like("good-%"))
            found = int(await session.scalar(stmt) or 0)
        return found if found >= DISPLAYS * GOOD_LOGS else 0

    assert await eventually(good_stored, timeout=60, what="every good log stored") == DISPLAYS * GOOD_LOGS
    stats = stack.ingest.stats
    await eventually(lambda: _settled(stack), timeout=30, what="ingest idle")
    # Nothing reached the database as an error: validation caught every class before it.
    assert stats.dropped.get("db_rejected", 0) == 0, stats.dropped
    assert stats.dropped["too_deep"] == DISPLAYS
    assert stats.dropped["out_of_range"] == DISPLAYS  # the 40-bit process_pid
    assert stats.repaired["invalid_unicode"] >= 2 * DISPLAYS
    for name in ("last_disconnect_at", "last_frame_update", "failed_at", "timestamp"):
        assert stats.repaired[f"timestamp_out_of_window:{name}"] >= DISPLAYS // 2, (name, stats.repaired)

    async with stack.container.db.read_session() as session:
        clients = (await session.scalars(select(Client))).all()
        bad_time_logs = (await session.scalars(select(ClientLog).where(ClientLog.message.like("bad-time-%")))).all()
        repaired_text = (await session.scalars(select(ClientLog).where(ClientLog.message.like("player %")))).all()
    assert len(clients) == DISPLAYS
    for client in clients:
        assert client.mqtt_last_disconnect_at is None and client.last_screenshot_analyzed is None  # field dropped
        assert client.service_failed_at is not None  # clamped to receipt time
        assert started - timedelta(seconds=5) <= client.service_failed_at <= utcnow()
        assert client.hostname is not None and "\ufffd" in client.hostname and len(client.hostname) <= 255
        assert client.model is not None and len(client.model) <= 255
    assert len(bad_time_logs) == DISPLAYS  # stored, with the receipt time instead
    assert all(started - timedelta(seconds=5) <= log.timestamp <= utcnow() for log in bad_time_logs)
    assert len(repaired_text) == DISPLAYS
    assert all(log.message == "player \ufffd died" for log in repaired_text)
    assert all(log.context == {"\ufffdkey": "x\ufffdy"} for log in repaired_text)


async def _settled(stack: Stack) -> bool:
    return stack.ingest.batcher.pending == 0 and stack.ingest.handlers_idle()


async def test_a_value_the_database_refuses_costs_only_its_own_message(stack: Stack) -> None:
    """Past validation (a bug, a schema change): the batch is bisected, 40 good logs of 20 displays survive."""
    batcher = stack.ingest.batcher
    uuids = [str(uuidlib.uuid4()) for _ in range(20)]
    waiters = [batcher.submit(ClientStateChange(u, TelemetryReason.HEARTBEAT, {"last_alive": utcnow()}), qos=1)
               for u in uuids]  # fmt: skip
    assert all(await asyncio.gather(*[w for w in waiters if w is not None]))
    before = stack.ingest.stats.dropped.get("db_rejected", 0)
    items: list[ClientLogEntry | ClientStateChange] = []
    for n in range(2):
        for uuid in uuids:
            items.append(ClientLogEntry(uuid, LogLevel.WARN, f"survivor-{uuid}-{n}", content_hash=f"{uuid[:8]}{n}"))
        if n == 0:  # too long for VARCHAR(255): MariaDB (strict mode) refuses the row with a DataError
            items.append(ClientStateChange(uuids[3], TelemetryReason.DISCOVERY, {"hostname": "h" * 300}))
    started = time.perf_counter()
    waiters = [batcher.submit(item, started, qos=1) for item in items]
    results = await asyncio.gather(*[w for w in waiters if w is not None])
    assert results.count(False) == 1 and results.count(True) == len(items) - 1
    assert stack.ingest.stats.dropped["db_rejected"] == before + 1
    async with stack.container.db.read_session() as session:
        stored = await session.scalar(
            select(func.count()).select_from(ClientLog).where(ClientLog.message.like("survivor-%"))
        )
        hostname = await session.scalar(select(Client.hostname).where(Client.uuid == uuids[3]))
    assert stored == 40
    assert hostname is None
