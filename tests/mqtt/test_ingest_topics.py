"""Every display → server topic against a real Mosquitto: rows, retained state and domain events."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from app.domain.bus import CLIENT_LOG_ADDED, CLIENT_UPDATED
from app.domain.clients.models import Client, ClientGroup
from app.domain.enums import LogLevel, ProcessStatus, ScreenHealthStatus
from tests.conftest import Live
from tests.mqtt.ingest_support import client_row, eventually, logs_of, retained


async def test_discovery_registers_display_and_acknowledges(live: Live) -> None:
    display = live.display()
    display.subscribe("infoscreen/{uuid}/discovery_ack")
    updates = live.container.bus.subscribe(CLIENT_UPDATED)
    display.publish(
        "infoscreen/discovery",
        {
            "uuid": display.uuid,
            "hostname": "raum-101",
            "ip": "10.0.0.17",
            "mac_address": "b8:27:eb:00:00:01",
            "model": "Raspberry Pi 5",
            "os_version": "Debian 12",
            "software_version": "2.4.1",
            "screen": {"width": 1920, "height": 1080},
        },
    )
    ack = await asyncio.to_thread(display.expect, "infoscreen/{uuid}/discovery_ack")
    body = ack.json()
    assert body["status"] == "ok" and body["uuid"] == display.uuid and body["group_id"] is None
    assert body["timestamp"].endswith("Z")
    row = await client_row(live.container, display.uuid)
    assert row is not None and row.is_active
    assert (row.hostname, row.ip, row.mac_address, row.model) == ("raum-101", "10.0.0.17", "b8:27:eb:00:00:01",
                                                                  "Raspberry Pi 5")  # fmt: skip
    assert (row.os_version, row.software_version) == ("Debian 12", "2.4.1")
    assert row.hardware_info == {"screen": {"width": 1920, "height": 1080}}
    assert row.last_discovery_at is not None
    event = await asyncio.wait_for(updates.__anext__(), 5)
    assert event.data == {"uuid": display.uuid, "reason": "discovery"}
    await updates.aclose()
    display.close()


async def test_rediscovery_of_assigned_display_republishes_retained_group(live: Live) -> None:
    display = live.display()
    async with live.container.db.session() as session:
        group = ClientGroup(name="Aula")
        session.add(group)
        await session.flush()
        session.add(Client(uuid=display.uuid, group_id=group.id, description="Aula links", is_active=True))
        group_id = group.id
    assert await asyncio.to_thread(retained, live.broker_port, f"infoscreen/{display.uuid}/group_id") is None
    display.subscribe("infoscreen/{uuid}/discovery_ack")
    display.publish("infoscreen/discovery", {"uuid": display.uuid.upper(), "hostname": "aula-pi"})
    ack = await asyncio.to_thread(display.expect, "infoscreen/{uuid}/discovery_ack")
    assert ack.json()["group_id"] == group_id
    payload = await eventually(
        lambda: asyncio.to_thread(retained, live.broker_port, f"infoscreen/{display.uuid}/group_id"),
        what="retained group_id",
    )
    assert payload == str(group_id).encode()
    row = await client_row(live.container, display.uuid)
    assert row is not None and row.hostname == "aula-pi" and row.description == "Aula links"
    display.close()


async def test_heartbeat_sets_last_alive_and_process_fields(live: Live) -> None:
    display = live.display()
    updates = live.container.bus.subscribe(CLIENT_UPDATED)
    display.publish("infoscreen/discovery", {"uuid": display.uuid})
    await eventually(lambda: client_row(live.container, display.uuid), what="discovered")
    display.publish(
        "infoscreen/{uuid}/heartbeat",
        {"current_process": "display_manager", "process_pid": 4242, "process_status": "running",
         "current_event_id": 17},
    )  # fmt: skip

    async def alive() -> Client | None:
        row = await client_row(live.container, display.uuid)
        return row if row is not None and row.last_alive is not None else None

    row = await eventually(alive, what="last_alive")
    assert row.current_process == "display_manager" and row.process_pid == 4242
    assert row.process_status is ProcessStatus.RUNNING and row.current_event_id == 17
    assert (datetime.now(UTC) - row.last_alive).total_seconds() < 10
    reasons = set()
    while "heartbeat" not in reasons:
        reasons.add((await asyncio.wait_for(updates.__anext__(), 5)).data["reason"])
    await updates.aclose()
    display.close()


async def test_heartbeat_from_unknown_display_registers_a_minimal_client(live: Live) -> None:
    display = live.display()
    display.publish("infoscreen/{uuid}/heartbeat", {"process_status": "starting"})
    row = await eventually(lambda: client_row(live.container, display.uuid), what="auto-registered client")
    assert row.is_active and row.last_alive is not None and row.last_discovery_at is None
    assert row.process_status is ProcessStatus.STARTING
    display.close()


async def test_health_updates_process_screen_and_broker_connection(live: Live) -> None:
    display = live.display()
    display.publish("infoscreen/discovery", {"uuid": display.uuid})
    await eventually(lambda: client_row(live.container, display.uuid), what="discovered")
    display.publish(
        "infoscreen/{uuid}/health",
        {
            "timestamp": "2026-04-05T08:00:00.000000+00:00",
            "expected_state": {"event_id": 42},
            "actual_state": {"process": "display_manager", "pid": 1234, "status": "crashed"},
            "health_metrics": {"screen_health_status": "frozen", "last_frame_update": "2026-04-05T07:59:58Z"},
            "broker_connection": {"broker_reachable": True, "reconnect_count": 2,
                                  "last_disconnect_at": "2026-04-04T10:30:00"},
        },
        qos=0,
    )  # fmt: skip

    async def health_seen() -> Client | None:
        row = await client_row(live.container, display.uuid)
        return row if row is not None and row.last_health_at is not None else None

    row = await eventually(health_seen, what="health applied")
    assert (row.current_process, row.process_pid, row.process_status) == ("display_manager", 1234,
                                                                          ProcessStatus.CRASHED)  # fmt: skip
    assert row.current_event_id == 42
    assert row.screen_health_status is ScreenHealthStatus.FROZEN
    assert row.last_screenshot_analyzed == datetime(2026, 4, 5, 7, 59, 58, tzinfo=UTC)
    assert row.mqtt_reconnect_count == 2
    assert row.mqtt_last_disconnect_at == datetime(2026, 4, 4, 10, 30, tzinfo=UTC)  # naive means UTC

    # Unparsable broker_connection parts are ignored, the rest of the message still applies.
    display.publish(
        "infoscreen/{uuid}/health",
        {"actual_state": {"status": "running"}, "broker_connection": {"reconnect_count": "many",
                                                                      "last_disconnect_at": "gestern"}},
    )  # fmt: skip

    async def running() -> Client | None:
        row = await client_row(live.container, display.uuid)
        return row if row is not None and row.process_status is ProcessStatus.RUNNING else None

    row = await eventually(running, what="second health")
    assert row.mqtt_reconnect_count == 2
    assert row.mqtt_last_disconnect_at == datetime(2026, 4, 4, 10, 30, tzinfo=UTC)
    display.close()


async def test_logs_of_each_level_are_stored_with_events(live: Live) -> None:
    display = live.display()
    display.publish("infoscreen/discovery", {"uuid": display.uuid})
    await eventually(lambda: client_row(live.container, display.uuid), what="discovered")
    added = live.container.bus.subscribe(CLIENT_LOG_ADDED)
    display.publish("infoscreen/{uuid}/logs/error", {"timestamp": "2026-04-05T08:00:00Z", "message": "Absturz",
                                                     "context": {"code": 7}})  # fmt: skip
    display.publish("infoscreen/{uuid}/logs/warn", {"message": "Langsam"})
    display.publish("infoscreen/{uuid}/logs/info", {"message": "x" * 20_000, "context": {"blob": "y" * 40_000}},
                    qos=0)  # fmt: skip
    rows = await eventually(lambda: _at_least(logs_of(live.container, display.uuid), 3), what="three log rows")
    assert [r.level for r in rows] == [LogLevel.ERROR, LogLevel.WARN, LogLevel.INFO]
    assert rows[0].timestamp == datetime(2026, 4, 5, 8, 0, tzinfo=UTC) and rows[0].context == {"code": 7}
    assert rows[1].message == "Langsam" and (datetime.now(UTC) - rows[1].timestamp).total_seconds() < 10
    assert len(rows[2].message) == 10_000
    assert rows[2].context["truncated"] is True and len(json.dumps(rows[2].context)) < 16_384
    events = [await asyncio.wait_for(added.__anext__(), 5) for _ in range(3)]
    assert [e.data for e in events] == [{"id": r.id, "uuid": display.uuid, "level": r.level.value} for r in rows]
    await added.aclose()
    display.close()


async def _at_least(rows_coro, n: int):  # type: ignore[no-untyped-def]
    rows = await rows_coro
    return rows if len(rows) >= n else None


async def test_service_failed_is_stored_and_retain_clear_is_ignored(live: Live) -> None:
    display = live.display()
    display.publish("infoscreen/discovery", {"uuid": display.uuid})
    await eventually(lambda: client_row(live.container, display.uuid), what="discovered")
    display.publish(
        "infoscreen/{uuid}/service_failed",
        {"event": "service_failed", "unit": "infoscreen-simclient.service" + "x" * 200,
         "client_uuid": display.uuid, "failed_at": "2026-04-05T08:00:00Z"},
        retain=True,
    )  # fmt: skip

    async def failed() -> Client | None:
        row = await client_row(live.container, display.uuid)
        return row if row is not None and row.service_failed_at is not None else None

    row = await eventually(failed, what="service_failed stored")
    assert row.service_failed_at == datetime(2026, 4, 5, 8, 0, tzinfo=UTC)
    assert row.service_failed_unit is not None and len(row.service_failed_unit) == 128
    assert row.service_failed_unit.startswith("infoscreen-simclient.service")

    ingest = live.container.extras["ingest"]
    display.publish("infoscreen/{uuid}/service_failed", b"", retain=True)  # the operator's retain-clear
    await eventually(lambda: _value(ingest.stats.ignored["service_failed_cleared"] >= 1), what="clear seen")
    row = await client_row(live.container, display.uuid)
    assert row is not None and row.service_failed_at == datetime(2026, 4, 5, 8, 0, tzinfo=UTC)
    assert await asyncio.to_thread(retained, live.broker_port, f"infoscreen/{display.uuid}/service_failed") is None
    display.close()


async def test_service_failed_of_unknown_display_creates_nothing(live: Live) -> None:
    display = live.display()
    ingest = live.container.extras["ingest"]
    before = ingest.stats.dropped["unknown_client"]
    display.publish("infoscreen/{uuid}/service_failed", {"unit": "x.service"})
    await eventually(lambda: _value(ingest.stats.dropped["unknown_client"] > before), what="drop counted")
    assert await client_row(live.container, display.uuid) is None
    display.close()


async def _value(value: bool) -> bool:
    return value
