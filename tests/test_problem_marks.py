"""The displays' problem marks (newest ERROR / WARN log) stay exact through ingest, retention and migration.

The monitoring status reads the marks instead of the logs, so a wrong mark is a wrong status on the
monitoring page: these tests check the status a user would see.
"""

from __future__ import annotations

import asyncio
import uuid as uuidlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, select, text, update

from app.domain.clients.models import Client
from app.domain.clock import utcnow
from app.domain.db import Database
from app.domain.enums import LogLevel, ProcessStatus, ScreenHealthStatus
from app.domain.monitoring.log_ingest import ClientLogEntry, insert_logs
from app.domain.monitoring.retention import purge_client_logs
from app.domain.monitoring.service import monitoring_overview
from app.migrations import upgrade

GRACE = 180


async def _add_display(db: Database, now: datetime) -> str:
    uuid = str(uuidlib.uuid4())
    async with db.session() as session:
        await session.execute(
            insert(Client),
            [{
                "uuid": uuid, "is_active": True, "last_alive": now, "process_status": ProcessStatus.RUNNING,
                "screen_health_status": ScreenHealthStatus.OK, "registered_at": now, "updated_at": now,
            }],
        )  # fmt: skip
    return uuid


async def _statuses(db: Database, now: datetime, hours: int, tmp_path: Path) -> dict[str, str]:
    async with db.read_session() as session:
        overview = await monitoring_overview(
            session, now=now, hours=hours, grace_seconds=GRACE, screenshot_dir=tmp_path, priority_ttl_seconds=60
        )
    return {row.client.uuid: row.status.value for row in overview.clients}


async def test_ingest_raises_the_marks_and_an_older_log_never_lowers_them(any_db: Database, tmp_path: Path) -> None:
    now = utcnow().replace(microsecond=0)
    uuid = await _add_display(any_db, now)
    async with any_db.read_session() as session:
        updated_before = await session.scalar(select(Client.updated_at).where(Client.uuid == uuid))

    async with any_db.session() as session:
        await insert_logs(session, [ClientLogEntry(uuid, LogLevel.WARN, "slow", now - timedelta(minutes=30))], now=now)
    assert await _statuses(any_db, now, 1, tmp_path) == {uuid: "warning"}

    async with any_db.session() as session:
        # One batch: a new ERROR, then a late ERROR and WARN from two days ago (display catching up).
        await insert_logs(
            session,
            [
                ClientLogEntry(uuid, LogLevel.ERROR, "player died", now - timedelta(minutes=10)),
                ClientLogEntry(uuid, LogLevel.ERROR, "old", now - timedelta(days=2)),
                ClientLogEntry(uuid, LogLevel.WARN, "old", now - timedelta(days=2)),
                ClientLogEntry(uuid, LogLevel.INFO, "fine", now),
            ],
            now=now,
        )
    async with any_db.read_session() as session:
        row = (await session.execute(select(Client).where(Client.uuid == uuid))).scalar_one()
    assert (row.last_error_log_at, row.last_warn_log_at) == (now - timedelta(minutes=10), now - timedelta(minutes=30))
    assert row.updated_at == updated_before  # a log line is not an edit of the display
    assert await _statuses(any_db, now, 1, tmp_path) == {uuid: "critical"}
    # The window moves on: an hour later (still heartbeating) neither problem counts any more.
    async with any_db.session() as session:
        await session.execute(update(Client).values(last_alive=now + timedelta(hours=1)))
    assert await _statuses(any_db, now + timedelta(hours=1), 1, tmp_path) == {uuid: "healthy"}


async def test_retention_recomputes_the_marks_from_the_remaining_logs(any_db: Database, tmp_path: Path) -> None:
    now = utcnow().replace(microsecond=0)
    purged, kept, quiet = [await _add_display(any_db, now) for _ in range(3)]
    old = now - timedelta(days=10)
    async with any_db.session() as session:
        await insert_logs(session, [ClientLogEntry(u, LogLevel.ERROR, "old", old) for u in (purged, kept)], now=old)
        await insert_logs(session, [ClientLogEntry(u, LogLevel.WARN, "old", old) for u in (purged, kept)], now=old)
        await insert_logs(session, [ClientLogEntry(kept, LogLevel.ERROR, "recent", now - timedelta(days=2))], now=now)
        await insert_logs(session, [ClientLogEntry(quiet, LogLevel.INFO, "fine", old)], now=old)
    month = 24 * 31
    assert await _statuses(any_db, now, month, tmp_path) == {purged: "critical", kept: "critical", quiet: "healthy"}

    assert await purge_client_logs(any_db, 7, now=now) == 5

    assert await _statuses(any_db, now, month, tmp_path) == {purged: "healthy", kept: "critical", quiet: "healthy"}
    async with any_db.read_session() as session:
        marks = {
            u: (e, w)
            for u, e, w in (
                await session.execute(select(Client.uuid, Client.last_error_log_at, Client.last_warn_log_at))
            ).all()
        }
    assert marks == {purged: (None, None), kept: (now - timedelta(days=2), None), quiet: (None, None)}


@pytest.mark.parametrize("engine", ["sqlite", "mariadb"])
async def test_migration_0003_backfills_the_marks_from_existing_logs(
    engine: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("sqlite_url" if engine == "sqlite" else "mariadb_url")
    await asyncio.to_thread(upgrade, url, "0002")
    now = utcnow().replace(microsecond=0, tzinfo=None)
    logged, silent = str(uuidlib.uuid4()), str(uuidlib.uuid4())
    sync_url = url.replace("+aiomysql", "+pymysql").replace("+aiosqlite", "")
    sync = create_engine(sync_url)
    with sync.begin() as conn:
        for uuid in (logged, silent):
            conn.execute(
                text("INSERT INTO clients (uuid, is_active, registered_at, updated_at) VALUES (:u, 1, :n, :n)"),
                {"u": uuid, "n": now},
            )
        for level, age in (("ERROR", 3), ("ERROR", 1), ("WARN", 5), ("INFO", 0)):
            conn.execute(
                text(
                    "INSERT INTO client_logs (client_uuid, timestamp, level, message, created_at) "
                    "VALUES (:u, :t, :l, 'm', :n)"
                ),
                {"u": logged, "t": now - timedelta(hours=age), "l": level, "n": now},
            )
    await asyncio.to_thread(upgrade, url)
    with sync.connect() as conn:
        rows = conn.execute(text("SELECT uuid, last_error_log_at, last_warn_log_at FROM clients")).all()
    sync.dispose()

    def naive(value: object) -> object:
        return datetime.fromisoformat(value) if isinstance(value, str) else value

    assert {u: (naive(e), naive(w)) for u, e, w in rows} == {
        logged: (now - timedelta(hours=1), now - timedelta(hours=5)),
        silent: (None, None),
    }


async def test_concurrent_ingest_for_the_same_displays_neither_deadlocks_nor_loses_a_mark(
    mariadb_url: str, tmp_path: Path
) -> None:
    """Several ingest processes may write logs of the same displays at once (MariaDB row locks)."""
    await asyncio.to_thread(upgrade, mariadb_url)
    db = Database(mariadb_url)
    try:
        now = utcnow().replace(microsecond=0)
        displays = sorted([await _add_display(db, now) for _ in range(4)])
        batches = [
            [
                ClientLogEntry(uuid, level, f"{writer}", now - timedelta(seconds=writer * 10 + i))
                for uuid in (displays if writer % 2 else displays[::-1])
                for i, level in enumerate((LogLevel.ERROR, LogLevel.WARN))
            ]
            for writer in range(12)
        ]

        async def ingest(batch: list[ClientLogEntry]) -> None:
            async with db.session() as session:
                await insert_logs(session, batch, now=now)

        await asyncio.gather(*(ingest(batch) for batch in batches))
        async with db.read_session() as session:
            marks = (await session.execute(select(Client.last_error_log_at, Client.last_warn_log_at))).all()
        assert marks == [(now, now - timedelta(seconds=1))] * 4
        assert set((await _statuses(db, now, 1, tmp_path)).values()) == {"critical"}
    finally:
        await db.dispose()
