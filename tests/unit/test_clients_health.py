"""The health rule has one meaning in Python (Client.health) and in SQL (the monitoring overview)."""

from __future__ import annotations

import itertools
import uuid as uuidlib
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select

from app.domain.clients.models import Client
from app.domain.clients.status import alive_sql, is_client_alive
from app.domain.clock import utcnow
from app.domain.enums import ProcessStatus, ScreenHealthStatus
from app.domain.monitoring.classify import ClientHealth, HealthReason, classify_health, health_sql
from tests.unit.fakes_probe import memory_database

GRACE = 180


async def test_python_and_sql_classify_every_combination_alike() -> None:
    db = await memory_database()
    now = utcnow().replace(microsecond=0)
    since = now - timedelta(hours=24)
    combos = itertools.product(
        (True, False),
        (None, now - timedelta(seconds=5), now - timedelta(seconds=GRACE + 5)),
        (None, *ProcessStatus),
        (None, *ScreenHealthStatus),
        (None, now - timedelta(minutes=1)),  # service_failed_at
        (None, now - timedelta(hours=1), now - timedelta(hours=30)),  # last ERROR log
        (None, now - timedelta(hours=1)),  # last WARN log
    )
    rows: list[dict[str, Any]] = []
    for active, seen, process, screen, failed, error_at, warn_at in combos:
        rows.append({
            "uuid": str(uuidlib.uuid4()), "is_active": active, "last_alive": seen, "process_status": process,
            "screen_health_status": screen, "service_failed_at": failed, "last_error_log_at": error_at,
            "last_warn_log_at": warn_at, "registered_at": now, "updated_at": now,
        })  # fmt: skip
    async with db.session() as session:
        await session.execute(insert(Client), rows)
    async with db.read_session() as session:
        status = health_sql(alive_sql(now, GRACE), since)
        by_sql = dict((await session.execute(select(Client.uuid, status))).all())
    await db.dispose()
    seen_statuses = set()
    for row in rows:
        health = classify_health(
            alive=is_client_alive(row["last_alive"], row["is_active"], now, GRACE),
            is_active=row["is_active"],
            process_status=row["process_status"],
            screen_health_status=row["screen_health_status"],
            service_failed_at=row["service_failed_at"],
            last_error_log_at=row["last_error_log_at"],
            last_warn_log_at=row["last_warn_log_at"],
            since=since,
        )
        assert by_sql[row["uuid"]] == health.status.value, row
        assert (health.status is ClientHealth.HEALTHY) == (health.reasons == ()), row
        seen_statuses.add(health.status)
    assert seen_statuses == set(ClientHealth)


def test_the_reasons_name_every_finding_of_the_deciding_level() -> None:
    now = utcnow()
    base: dict[str, Any] = {
        "alive": True, "is_active": True, "process_status": ProcessStatus.RUNNING,
        "screen_health_status": ScreenHealthStatus.OK, "service_failed_at": None, "last_error_log_at": None,
        "last_warn_log_at": None, "since": now - timedelta(hours=24),
    }  # fmt: skip
    assert classify_health(**base).status is ClientHealth.HEALTHY
    worst = {**base, "process_status": "crashed", "screen_health_status": "FROZEN", "service_failed_at": now,
             "last_warn_log_at": now}  # fmt: skip
    assert classify_health(**worst).reasons == (
        HealthReason.PROCESS_CRASHED, HealthReason.SCREEN_FROZEN, HealthReason.SERVICE_FAILED,
    )  # fmt: skip
    assert classify_health(**{**worst, "alive": False}).reasons == (HealthReason.HEARTBEAT_STALE,)
    assert classify_health(**{**worst, "alive": False, "is_active": False}).reasons == (HealthReason.INACTIVE,)
    starting = {**base, "process_status": ProcessStatus.STARTING, "screen_health_status": None}
    assert classify_health(**starting).reasons == (HealthReason.PROCESS_STARTING, HealthReason.SCREEN_UNKNOWN)
