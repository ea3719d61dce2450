"""5,000 discoveries with random uuids do not create 5,000 displays, and the real fleet carries on.

Registration of unknown displays is bounded (DISCOVERY_NEW_PER_MINUTE, DISCOVERY_MAX_CLIENTS): the flood is
counted and logged, not stored, and a known display's telemetry in the middle of it is applied as usual.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid as uuidlib

import pytest
from sqlalchemy import func, select

from app.config import Settings
from app.domain.clients.models import Client
from tests.conftest import Live
from tests.mqtt.ingest_support import Burst, client_row, eventually

FLOOD = 5_000


async def _clients(live: Live) -> int:
    async with live.container.db.read_session() as session:
        return int(await session.scalar(select(func.count()).select_from(Client)) or 0)


async def test_a_flood_of_unknown_uuids_is_counted_not_stored(live: Live, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="app.mqtt.ingest")
    limit = Settings.model_fields["discovery_new_per_minute"].default
    known = live.display()
    await asyncio.to_thread(known.publish, "infoscreen/discovery", {"uuid": known.uuid, "hostname": "aula"})
    await eventually(lambda: client_row(live.container, known.uuid), what="the real display registered")

    burst = await asyncio.to_thread(Burst, live.broker_port)
    started = time.monotonic()
    try:
        for n in range(FLOOD):
            burst.publish(n, "infoscreen/discovery", {"uuid": str(uuidlib.uuid4()), "hostname": f"flood-{n}"})
            if n == FLOOD // 2:
                burst.publish(n, f"infoscreen/{known.uuid}/heartbeat", {"process_status": "running", "process_pid": 7})
        await asyncio.to_thread(burst.wait, 120)
    finally:
        await asyncio.to_thread(burst.close)

    stats = live.container.extras["ingest"].stats

    async def flood_handled() -> bool:
        return stats.received["discovery"] >= FLOOD + 1 and live.container.extras["ingest"].batcher.pending == 0

    await eventually(flood_handled, timeout=60, what="the flood handled")
    refill = (time.monotonic() - started) * limit / 60 + 1  # the bucket refills while the flood lasts
    stored = await _clients(live)
    assert stored <= 1 + limit + refill
    assert stats.dropped["new_display_limit"] >= FLOOD - limit - refill
    row = await client_row(live.container, known.uuid)
    assert row is not None and row.process_pid == 7  # the fleet's own telemetry went through
    flood_lines = [r for r in caplog.records if "new_display_limit" in r.getMessage()]
    assert 1 <= len(flood_lines) <= 2  # logged once per minute, not once per message
