"""The database classifies displays exactly as seed-spec §6.2 says, on SQLite and MariaDB alike.

Every combination of activity, heartbeat age, process state, screen state and ERROR/WARN logs (inside and
outside the window) is stored, then the overview's status, alive flag and summary are compared with the
rule written out plainly here.
"""

from __future__ import annotations

import itertools
import uuid as uuidlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from app.domain.clients.models import Client
from app.domain.clients.status import is_client_alive
from app.domain.clock import utcnow
from app.domain.db import Database
from app.domain.enums import LogLevel, ProcessStatus, ScreenHealthStatus
from app.domain.monitoring.log_ingest import ClientLogEntry, insert_logs
from app.domain.monitoring.service import monitoring_overview

GRACE = 180
HOURS = 24


def expected_status(alive: bool, process: ProcessStatus | None, screen: ScreenHealthStatus | None,
                    errors: int, warns: int) -> str:  # fmt: skip
    if not alive:
        return "offline"
    if process is ProcessStatus.CRASHED or screen in (ScreenHealthStatus.BLACK, ScreenHealthStatus.FROZEN) or errors:
        return "critical"
    if (
        warns
        or process in (ProcessStatus.STARTING, ProcessStatus.STOPPED)
        or screen in (None, ScreenHealthStatus.UNKNOWN)
    ):
        return "warning"
    return "healthy"


async def test_every_combination_is_classified_like_the_rule(any_db: Database, tmp_path: Path) -> None:
    now = utcnow().replace(microsecond=0)
    heartbeats: list[datetime | None] = [None, now - timedelta(seconds=10), now - timedelta(seconds=GRACE + 5)]
    combos = list(
        itertools.product(
            (True, False),
            heartbeats,
            (None, *ProcessStatus),
            (None, *ScreenHealthStatus),
            ((0, 0), (1, 0), (0, 2), (3, 1)),  # ERROR / WARN logs inside the window
        )
    )
    clients: list[dict[str, Any]] = []
    logs: list[ClientLogEntry] = []
    expected: dict[str, tuple[str, bool]] = {}
    for active, seen, process, screen, (errors, warns) in combos:
        uuid = str(uuidlib.uuid4())
        clients.append({
            "uuid": uuid, "is_active": active, "last_alive": seen, "process_status": process,
            "screen_health_status": screen, "registered_at": now, "updated_at": now,
        })  # fmt: skip
        inside = now - timedelta(hours=1)
        # Noise the rule must ignore: old problems (arriving after the new ones), and INFO now.
        logs += [ClientLogEntry(uuid, LogLevel.ERROR, "m", inside) for _ in range(errors)]
        logs += [ClientLogEntry(uuid, LogLevel.WARN, "m", inside) for _ in range(warns)]
        logs.append(ClientLogEntry(uuid, LogLevel.ERROR, "m", now - timedelta(hours=HOURS + 1)))
        logs.append(ClientLogEntry(uuid, LogLevel.INFO, "m", inside))
        alive = is_client_alive(seen, active, now, GRACE)
        expected[uuid] = (expected_status(alive, process, screen, errors, warns), alive)
    async with any_db.session() as session:
        await session.execute(insert(Client), clients)
        await insert_logs(session, logs, now=now)

    async with any_db.read_session() as session:
        overview = await monitoring_overview(
            session, now=now, hours=HOURS, grace_seconds=GRACE, screenshot_dir=tmp_path, priority_ttl_seconds=120
        )
    actual = {row.client.uuid: (row.status.value, row.alive) for row in overview.clients}
    assert actual == expected
    # The Python form of the rule (Client.health, the dashboard, the group board) answers the same.
    assert {row.client.uuid: row.health.status.value for row in overview.clients} == {
        uuid: status for uuid, (status, _alive) in expected.items()
    }
    # Paged without a status filter, only the page is classified: the answers must not change.
    paged: dict[str, tuple[str, bool]] = {}
    async with any_db.read_session() as session:
        for offset in range(0, len(combos), 100):
            page = await monitoring_overview(
                session, now=now, hours=HOURS, grace_seconds=GRACE, screenshot_dir=tmp_path,
                priority_ttl_seconds=120, limit=100, offset=offset,
            )  # fmt: skip
            assert len(page.clients) == min(100, len(combos) - offset)
            paged.update({row.client.uuid: (row.status.value, row.alive) for row in page.clients})
    assert paged == expected
    summary = overview.summary
    assert summary.total_clients == len(combos) == overview.matching_clients
    for status in ("healthy", "warning", "critical", "offline"):
        assert getattr(summary, status) == sum(1 for s, _ in expected.values() if s == status) > 0
    assert summary.error_logs == sum(e for *_, (e, _w) in combos)
    assert summary.warn_logs == sum(w for *_, (_e, w) in combos)
