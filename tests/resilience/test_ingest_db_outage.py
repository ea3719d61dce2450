"""MariaDB stopped for 10 s in the middle of a QoS 1 burst: every message is stored once it is back.

The server process is really killed (SIGKILL) and started again on the same port and datadir. The ingest
must tell a lost connection from bad data: it keeps the batch and retries with backoff for as long as the
database is away, holds the PUBACKs meanwhile (the broker keeps the rest), and drops nothing.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid as uuidlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from app.config import load_settings
from app.container import Container
from app.domain.models import Base
from app.mqtt.ingest.component import IngestComponent
from app.mqtt.service import MqttService
from tests.mqtt.ingest_support import Burst, RestartableMariaDB, sql
from tests.support.servers import RunningServer, mosquitto_server

pytestmark = pytest.mark.slow

DISPLAYS = 100
LOGS_EACH = 20
OUTAGE_SECONDS = 10.0


@pytest.fixture(scope="module")
def database() -> Iterator[RestartableMariaDB]:
    server = RestartableMariaDB()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def broker() -> Iterator[RunningServer]:
    with mosquitto_server() as server:
        yield server


@pytest.fixture
async def ingest(
    database: RestartableMariaDB, broker: RunningServer, tmp_path: Path
) -> AsyncIterator[tuple[IngestComponent, str]]:
    import app.mqtt.ingest.component  # noqa: F401  (registers the ingest)

    url = database.create_database(f"outage_{uuidlib.uuid4().hex[:8]}")
    settings = load_settings(DATA_DIR=str(tmp_path), SECRET_KEY="test", DB_CONN=url, MQTT_BROKER_HOST="127.0.0.1",
                             MQTT_BROKER_PORT=str(broker.port))  # fmt: skip
    container = Container.create(settings)
    async with container.db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    service = MqttService(container, ingest=True, scheduler=False)
    await service.start()
    try:
        yield container.extras["ingest"], url
    finally:
        await service.stop()
        await container.close()


async def _until(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(predicate):
        assert time.monotonic() < deadline, f"{what} not reached within {timeout}s"
        await asyncio.sleep(0.3)


async def test_database_down_for_10s_mid_burst_loses_nothing(
    ingest: tuple[IngestComponent, str], database: RestartableMariaDB, broker: RunningServer
) -> None:
    component, url = ingest
    count = "SELECT COUNT(*), COUNT(DISTINCT message) FROM client_logs"
    uuids = [str(uuidlib.uuid4()) for _ in range(DISPLAYS)]
    burst = await asyncio.to_thread(Burst, broker.port)
    try:
        for i, uuid in enumerate(uuids):
            burst.publish(i, f"infoscreen/{uuid}/heartbeat", {"process_status": "running"})
        await asyncio.to_thread(burst.wait)
        await _until(lambda: sql(url, "SELECT COUNT(*) FROM clients")[0][0] == DISPLAYS, 30, "displays registered")

        def send() -> None:
            for n in range(LOGS_EACH):
                for i, uuid in enumerate(uuids):
                    burst.publish(i, f"infoscreen/{uuid}/logs/error", {"message": f"{uuid}-{n}"})
                time.sleep(1.0)  # ~20 s of burst, the outage in its middle

        sender = threading.Thread(target=send)
        sender.start()
        await _until(lambda: sql(url, count)[0][0] >= 300, 30, "part of the burst committed")
        await asyncio.to_thread(database.kill)
        down_at = component.stats.committed_messages
        await asyncio.sleep(OUTAGE_SECONDS)
        assert component.stats.committed_messages == down_at  # really nothing committed meanwhile
        assert component.stats.db_retries > 0
        await asyncio.to_thread(database.start)
        await asyncio.to_thread(sender.join, 60)
        await asyncio.to_thread(burst.wait)
        await _until(lambda: sql(url, count)[0][0] >= DISPLAYS * LOGS_EACH, 60, "every log stored")
        await asyncio.sleep(1.0)  # a duplicate would arrive right behind
    finally:
        await asyncio.to_thread(burst.close)
    assert tuple(sql(url, count)[0]) == (DISPLAYS * LOGS_EACH, DISPLAYS * LOGS_EACH)
    assert down_at < DISPLAYS * (LOGS_EACH + 1), "the outage came too late to prove anything"
    dropped = component.stats.dropped
    assert not {"db_error", "db_rejected", "overload"} & set(dropped), dropped
