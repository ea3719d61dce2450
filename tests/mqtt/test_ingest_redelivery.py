"""Redelivered logs are stored once; a display's clock cannot date its logs (and its problem marks) ahead.

A QoS 1 message reaches the server a second time when it crashed between commit and PUBACK; the same bytes
must not become a second row. Real repeats differ in their `timestamp` and are kept.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from app.domain.clock import iso_z, utcnow
from tests.conftest import Live
from tests.mqtt.ingest_support import client_row, eventually, logs_of


async def _known(live: Live) -> str:
    display = live.display()
    await asyncio.to_thread(display.publish, "infoscreen/{uuid}/heartbeat", {"process_status": "running"})
    await eventually(lambda: client_row(live.container, display.uuid), what="display registered")
    display.close()
    return display.uuid


async def test_the_same_log_delivered_twice_is_stored_once(live: Live) -> None:
    uuid = await _known(live)
    display = live.display(uuid=uuid)
    same = json.dumps({"message": "Player abgestürzt", "timestamp": "2026-03-01T08:00:00.123Z"}).encode()
    later = json.dumps({"message": "Player abgestürzt", "timestamp": "2026-03-01T08:00:05.456Z"}).encode()
    for payload in (same, same, later, same):
        await asyncio.to_thread(display.publish, "infoscreen/{uuid}/logs/error", payload)
    # Same bytes on another level are another log.
    await asyncio.to_thread(display.publish, "infoscreen/{uuid}/logs/warn", same)
    await asyncio.to_thread(display.publish, "infoscreen/{uuid}/logs/info", {"message": "end"})

    async def all_in() -> list:  # type: ignore[type-arg]
        rows = await logs_of(live.container, uuid)
        return rows if any(r.message == "end" for r in rows) else []

    rows = await eventually(all_in, what="logs stored")
    await asyncio.sleep(0.3)
    rows = await logs_of(live.container, uuid)
    assert sorted((r.level.value, iso_z(r.timestamp)) for r in rows if r.message != "end") == [
        ("ERROR", "2026-03-01T08:00:00.123Z"), ("ERROR", "2026-03-01T08:00:05.456Z"),
        ("WARN", "2026-03-01T08:00:00.123Z"),
    ]  # fmt: skip
    display.close()


async def test_a_clock_running_ahead_cannot_hold_the_problem_marks_in_the_future(live: Live) -> None:
    uuid = await _known(live)
    display = live.display(uuid=uuid)
    before = utcnow()
    ahead = {"message": "ahead 12h", "timestamp": iso_z(before + timedelta(hours=12))}  # inside the window
    far = {"message": "ahead 10 days", "timestamp": iso_z(before + timedelta(days=10))}  # outside: receipt time
    await asyncio.to_thread(display.publish, "infoscreen/{uuid}/logs/error", ahead)
    await asyncio.to_thread(display.publish, "infoscreen/{uuid}/logs/warn", far)

    async def stored() -> list:  # type: ignore[type-arg]
        rows = await logs_of(live.container, uuid)
        return rows if len(rows) == 2 else []

    rows = await eventually(stored, what="both logs stored")
    after = utcnow()
    assert all(before <= r.timestamp <= after for r in rows), [r.timestamp for r in rows]
    row = await client_row(live.container, uuid)
    assert row is not None and row.last_error_log_at is not None and row.last_warn_log_at is not None
    assert row.last_error_log_at <= after and row.last_warn_log_at <= after
    display.close()
