"""The sweep actors on a real Dramatiq worker: in-process (StubBroker) and on Redis, plus crash recovery
publishing to a real Mosquitto and the retention sweep on real files."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import dramatiq
from sqlalchemy import func, select

from app.config import load_settings
from app.container import Container
from app.domain.bus import COMMAND_UPDATED
from app.domain.clock import utcnow
from app.domain.commands.models import ClientCommand
from app.domain.enums import LogLevel, ProcessStatus
from app.domain.models import Base
from app.domain.monitoring.models import ClientLog
from app.tasks.broker import configure_broker
from app.tasks.runtime import bind_container, unbind_container
from app.tasks.worker import InProcessWorker
from tests.commands.contract import validate_command_payload
from tests.commands.factory import history, load, make_client, make_command
from tests.commands.test_commands_e2e import nothing_on
from tests.support.display import FakeDisplay
from tests.support.servers import RunningServer


@asynccontextmanager
async def worker_stack(tmp_path: Path, redis_url: str | None = None, **env: str) -> AsyncIterator[
    tuple[Container, dramatiq.Broker]
]:  # fmt: skip
    settings = load_settings(DATA_DIR=str(tmp_path / "data"), SECRET_KEY="test", **env)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    container = Container.create(settings)
    async with container.db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    broker = configure_broker(redis_url, namespace=f"test-{uuid.uuid4().hex[:8]}")
    bind_container(container)
    worker = InProcessWorker(broker)
    worker.start()
    try:
        yield container, broker
    finally:
        await asyncio.to_thread(worker.stop)
        unbind_container(container)
        await container.close()


async def run_actor(broker: dramatiq.Broker, name: str) -> None:
    broker.get_actor(name).send()
    await asyncio.to_thread(broker.join, "sweeps", timeout=30_000)


async def expire_one_command(container: Container, broker: dramatiq.Broker) -> None:
    updates = container.bus.subscribe(COMMAND_UPDATED)
    client = await make_client(container.db)
    stale = await make_command(container.db, client, issued_at=utcnow() - timedelta(minutes=10))
    fresh = await make_command(container.db, client)
    await run_actor(broker, "sweep_commands")
    assert (await load(container.db, stale)).status == "expired"
    assert (await load(container.db, fresh)).status == "published"
    event = await asyncio.wait_for(updates.__anext__(), 5)  # the worker's change reaches this process' bus
    assert event.data == {"command_id": stale, "client_uuid": client, "status": "expired"}
    await updates.aclose()
    await run_actor(broker, "sweep_commands")  # idempotent
    assert [t for _, t, _ in await history(container.db, stale)] == ["expired"]


async def test_command_sweep_on_the_in_process_worker(tmp_path: Path) -> None:
    async with worker_stack(tmp_path) as (container, broker):
        await expire_one_command(container, broker)


async def test_command_sweep_on_a_redis_worker(redis_srv: RunningServer, tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{redis_srv.port}/0"
    async with worker_stack(tmp_path, url) as (container, broker):
        await expire_one_command(container, broker)


def _display(port: int, uuid_: str) -> FakeDisplay:
    display = FakeDisplay(port, uuid=uuid_).connect()
    for topic in ("infoscreen/{uuid}/commands", "clients/{uuid}/restart"):
        display.subscribe(topic)
    return display


async def test_crash_recovery_reboots_crashed_and_stale_displays_once_per_window(
    mosquitto: RunningServer, tmp_path: Path
) -> None:
    env = {"CRASH_RECOVERY_ENABLED": "true", "MQTT_BROKER_HOST": "127.0.0.1", "MQTT_BROKER_PORT": str(mosquitto.port)}
    async with worker_stack(tmp_path, **env) as (container, broker):
        db, now = container.db, utcnow()
        crashed = await make_client(db, last_alive=now, process_status=ProcessStatus.CRASHED)
        stale = await make_client(db, last_alive=now - timedelta(minutes=10))
        await make_client(db, last_alive=now)  # healthy
        await make_client(db)  # never seen: not a candidate
        await make_client(db, last_alive=now - timedelta(hours=1), is_active=False)
        restarted = await make_client(db, last_alive=now - timedelta(hours=1))
        await make_command(db, restarted, status="failed", issued_at=now - timedelta(minutes=5))
        displays = {u: await asyncio.to_thread(_display, mosquitto.port, u) for u in (crashed, stale)}

        await run_actor(broker, "crash_recovery_scan")
        for client_uuid, reason in ((crashed, "process_crashed"), (stale, "heartbeat_stale")):
            msg = await asyncio.to_thread(displays[client_uuid].expect, "infoscreen/{uuid}/commands")
            payload = msg.json()
            validate_command_payload(payload)
            assert (payload["action"], payload["requested_by"], payload["reason"]) == ("reboot_host", None, reason)
            row = await load(db, payload["command_id"])
            assert row.status == "published" and row.requested_by is None
            assert {s for _, _, s in await history(db, row.command_id)} == {"recovery"}
        for display in displays.values():  # crash recovery never uses the legacy restart topic
            assert await asyncio.to_thread(nothing_on, display, "clients/{uuid}/restart", 0.3)

        await run_actor(broker, "crash_recovery_scan")  # inside the lockout window: nothing new
        async with db.read_session() as session:
            stmt = select(ClientCommand.client_uuid, func.count()).group_by(ClientCommand.client_uuid)
            counts = {uuid_: n for uuid_, n in (await session.execute(stmt)).all()}
        assert counts == {crashed: 1, stale: 1, restarted: 1}
        for display in displays.values():
            display.close()


async def test_retention_sweep_removes_old_logs_and_screenshots(tmp_path: Path) -> None:
    env = {"CLIENT_LOG_RETENTION_DAYS": "30", "SCREENSHOT_RETENTION_DAYS": "7"}
    async with worker_stack(tmp_path, **env) as (container, broker):
        db, now = container.db, utcnow()
        client = await make_client(db)
        async with db.session() as session:
            for age in (40, 31, 2):
                at = now - timedelta(days=age)
                session.add(ClientLog(client_uuid=client, timestamp=at, level=LogLevel.INFO, message=f"{age}d",
                                      created_at=at))  # fmt: skip
        shots = container.settings.screenshot_dir
        shots.mkdir(parents=True, exist_ok=True)
        old = (now - timedelta(days=8)).strftime("%Y%m%dT%H%M%S%f")
        recent = (now - timedelta(days=1)).strftime("%Y%m%dT%H%M%S%f")
        keep = [f"{client}.jpg", f"{client}_priority.jpg", f"{client}_meta.json", f"{client}_{recent}_periodic.jpg",
                "notes.txt"]  # fmt: skip
        gone = [f"{client}_{old}_periodic.jpg", f"{client}_{old}_event_start.jpg"]
        for name in keep + gone:
            (shots / name).write_bytes(b"x")

        await run_actor(broker, "retention_sweep")
        async with db.read_session() as session:
            assert sorted((await session.scalars(select(ClientLog.message))).all()) == ["2d"]
        assert sorted(p.name for p in shots.iterdir()) == sorted(keep)
