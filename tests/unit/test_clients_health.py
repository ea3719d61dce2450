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
from app.domain.monitoring.classify import (
    ClientHealth,
    Health,
    HealthReason,
    classify_health,
    content_cutoff,
    health_sql,
)
from tests.unit.fakes_probe import memory_database

GRACE = 180
CONTENT_GRACE = 120


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
        (False, True),  # planned_off
        (None, now - timedelta(seconds=30), now - timedelta(seconds=CONTENT_GRACE + 1)),  # content_mismatch_since
    )
    rows: list[dict[str, Any]] = []
    for active, seen, process, screen, failed, error_at, warn_at, planned_off, mismatch in combos:
        rows.append({
            "uuid": str(uuidlib.uuid4()), "is_active": active, "last_alive": seen, "process_status": process,
            "screen_health_status": screen, "service_failed_at": failed, "last_error_log_at": error_at,
            "last_warn_log_at": warn_at, "registered_at": now, "updated_at": now, "planned_off": planned_off,
            "content_mismatch_since": mismatch,
        })  # fmt: skip
    async with db.session() as session:
        await session.execute(insert(Client), rows)
    async with db.read_session() as session:
        status = health_sql(alive_sql(now, GRACE), since, content_cutoff(now, CONTENT_GRACE))
        by_sql = dict((await session.execute(select(Client.uuid, status))).all())
    await db.dispose()
    seen_statuses = set()
    seen_reasons: set[HealthReason] = set()
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
            planned_off=row["planned_off"],
            content_mismatch_since=row["content_mismatch_since"],
            content_cutoff=content_cutoff(now, CONTENT_GRACE),
        )
        assert by_sql[row["uuid"]] == health.status.value, row
        assert (health.status is ClientHealth.HEALTHY) == (health.reasons == ()), row
        seen_statuses.add(health.status)
        seen_reasons.update(health.reasons)
    assert seen_statuses == set(ClientHealth)
    assert {HealthReason.CONTENT_MISMATCH, HealthReason.PLANNED_OFF} <= seen_reasons


def test_the_reasons_name_every_finding_of_the_deciding_level() -> None:
    now = utcnow()
    base: dict[str, Any] = {
        "alive": True, "is_active": True, "process_status": ProcessStatus.RUNNING,
        "screen_health_status": ScreenHealthStatus.OK, "service_failed_at": None, "last_error_log_at": None,
        "last_warn_log_at": None, "since": now - timedelta(hours=24), "planned_off": False,
        "content_mismatch_since": None, "content_cutoff": content_cutoff(now),
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


def test_planned_off_and_content_mismatch_follow_the_rule() -> None:
    now = utcnow()
    base: dict[str, Any] = {
        "alive": True, "is_active": True, "process_status": ProcessStatus.RUNNING,
        "screen_health_status": ScreenHealthStatus.OK, "service_failed_at": None, "last_error_log_at": None,
        "last_warn_log_at": None, "since": now - timedelta(hours=24), "planned_off": False,
        "content_mismatch_since": None, "content_cutoff": content_cutoff(now, 120),
    }  # fmt: skip
    # Silent while its group is off by plan: "aus (geplant)", not offline; deactivated stays offline.
    silent = {**base, "alive": False, "planned_off": True}
    assert classify_health(**silent) == Health(ClientHealth.PLANNED_OFF, (HealthReason.PLANNED_OFF,))
    assert classify_health(**{**silent, "is_active": False}).status is ClientHealth.OFFLINE
    assert classify_health(**{**silent, "planned_off": False}).status is ClientHealth.OFFLINE
    # Alive while planned off: classified as usual.
    assert classify_health(**{**base, "planned_off": True}).status is ClientHealth.HEALTHY
    # A mismatch within the grace is no finding yet; beyond it, a warning with its reason.
    fresh = {**base, "content_mismatch_since": now - timedelta(seconds=60)}
    assert classify_health(**fresh).status is ClientHealth.HEALTHY
    old = {**base, "content_mismatch_since": now - timedelta(seconds=121)}
    assert classify_health(**old) == Health(ClientHealth.WARNING, (HealthReason.CONTENT_MISMATCH,))
    # A critical finding outranks it.
    assert classify_health(**{**old, "service_failed_at": now}).status is ClientHealth.CRITICAL
