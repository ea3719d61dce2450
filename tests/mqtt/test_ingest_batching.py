"""Batched writes: a burst ends in few commits, every row stored, each display's order kept (both engines)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import event, select

from app.domain.clients.models import Client
from app.domain.clients.telemetry import ClientStateChange, TelemetryReason, write_telemetry_batch
from app.domain.db import Database
from app.domain.enums import LogLevel, ProcessStatus
from app.domain.monitoring.log_ingest import ClientLogEntry
from app.domain.monitoring.models import ClientLog
from tests.conftest import Live
from tests.mqtt.ingest_support import client_row, eventually, logs_of
from tests.support.display import FakeDisplay

DISPLAYS = 10
PER_DISPLAY = 60  # 30 heartbeats + 30 logs each → 600 messages


def _burst(display: FakeDisplay) -> None:
    """Publish without waiting for each PUBACK (a real burst), then wait for the last one."""
    last = None
    for seq in range(PER_DISPLAY // 2):
        hb = f'{{"process_pid": {seq}, "process_status": "running"}}'.encode()
        display.client.publish(f"infoscreen/{display.uuid}/heartbeat", hb, qos=1)
        log = f'{{"message": "seq-{seq:03d}"}}'.encode()
        last = display.client.publish(f"infoscreen/{display.uuid}/logs/info", log, qos=1)
    assert last is not None
    last.wait_for_publish(10)


async def test_burst_is_written_in_few_commits_in_order(live: Live) -> None:
    displays = [live.display() for _ in range(DISPLAYS)]
    for d in displays:
        d.publish("infoscreen/discovery", {"uuid": d.uuid})
    for d in displays:
        await eventually(lambda d=d: client_row(live.container, d.uuid), what="discovered")

    commits = 0

    def on_commit(_conn: object) -> None:
        nonlocal commits
        commits += 1

    engine = live.container.db.engine.sync_engine
    event.listen(engine, "commit", on_commit)
    try:
        await asyncio.gather(*(asyncio.to_thread(_burst, d) for d in displays))
        total = DISPLAYS * PER_DISPLAY

        async def all_logs() -> bool:
            async with live.container.db.read_session() as session:
                count = len((await session.scalars(select(ClientLog.id))).all())
            return count == DISPLAYS * PER_DISPLAY // 2

        await eventually(all_logs, timeout=30, what="every log row")
    finally:
        event.remove(engine, "commit", on_commit)
    assert commits < total / 10, f"{commits} commits for {total} messages"

    for d in displays:
        rows = await logs_of(live.container, d.uuid)
        assert [r.message for r in rows] == [f"seq-{i:03d}" for i in range(PER_DISPLAY // 2)]
        row = await client_row(live.container, d.uuid)
        assert row is not None and row.process_pid == PER_DISPLAY // 2 - 1  # the last heartbeat wins
        d.close()


async def test_apply_batch_upserts_merges_and_refuses_unknown(any_db: Database) -> None:
    known, new = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
    stranger = "33333333-3333-4333-8333-333333333333"
    async with any_db.session() as session:
        session.add(Client(uuid=known, description="Bleibt", hostname="alt", is_active=False))
    t = datetime(2026, 4, 5, 8, 0, tzinfo=UTC)
    items = [
        ClientStateChange(known, TelemetryReason.DISCOVERY, {"hostname": "neu", "last_discovery_at": t}),
        ClientStateChange(known, TelemetryReason.HEARTBEAT, {"last_alive": t, "process_pid": 1}),
        ClientStateChange(known, TelemetryReason.HEARTBEAT, {"last_alive": t, "process_pid": 2}),
        ClientLogEntry(known, LogLevel.ERROR, "eins", t, {"a": 1}),
        ClientStateChange(new, TelemetryReason.HEALTH, {"last_health_at": t, "process_status": ProcessStatus.CRASHED}),
        ClientLogEntry(new, LogLevel.INFO, "zwei"),
        ClientLogEntry(stranger, LogLevel.WARN, "fremd"),
        ClientStateChange(stranger, TelemetryReason.SERVICE_FAILED, {"service_failed_at": t}),
        ClientStateChange(known, TelemetryReason.SERVICE_FAILED, {"service_failed_at": t, "service_failed_unit": "u"}),
    ]
    async with any_db.session() as session:
        outcome = await write_telemetry_batch(session, items, now=t)
    assert outcome.unknown_client == [6, 7]
    assert outcome.discovered == {known: None}
    assert outcome.updated == [
        (known, TelemetryReason.DISCOVERY),
        (known, TelemetryReason.HEARTBEAT),
        (new, TelemetryReason.HEALTH),
        (known, TelemetryReason.SERVICE_FAILED),
    ]
    assert [(s.uuid, s.level) for s in outcome.logs] == [(known, LogLevel.ERROR), (new, LogLevel.INFO)]
    assert outcome.logs[0].id < outcome.logs[1].id
    async with any_db.read_session() as session:
        a = await session.get(Client, known)
        b = await session.get(Client, new)
        assert await session.get(Client, stranger) is None
        logs = (await session.scalars(select(ClientLog).order_by(ClientLog.id))).all()
    assert a is not None and b is not None
    # Telemetry never touches what admins own (description, is_active).
    assert (a.hostname, a.description, a.is_active, a.process_pid) == ("neu", "Bleibt", False, 2)
    assert a.service_failed_at == t and a.service_failed_unit == "u" and a.last_alive == t
    assert b.is_active and b.process_status is ProcessStatus.CRASHED and b.registered_at == t
    assert [(log.message, log.context) for log in logs] == [("eins", {"a": 1}), ("zwei", None)]
    assert logs[1].timestamp == t
