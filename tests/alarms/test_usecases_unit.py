"""The alarm use cases on fakes: roles, audit rows, events only after a commit, typed errors with texts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.domain.alarms.models import Alarm, AlarmState
from app.domain.alarms.service import (
    AcknowledgeAlarm,
    SetMaintenanceWindow,
    acknowledge_alarm,
    active_maintenance_windows,
    alarms_list,
    set_maintenance_window,
)
from app.domain.bus import ALARM_UPDATED, DomainEvent
from app.domain.clock import utcnow
from app.domain.enums import Role
from app.domain.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from tests.unit.fakes import FakeDeps, RecordingBus, add_user, audit_rows, memory_database, unit_settings


@pytest.fixture
async def deps(tmp_path: Path) -> AsyncIterator[FakeDeps]:
    database = await memory_database()
    yield FakeDeps(database, unit_settings(tmp_path))
    await database.dispose()


async def _active_alarm(deps: FakeDeps) -> int:
    now = utcnow()
    async with deps.db.session() as session:
        details = {"lost": 30, "watched": 40, "cause": "network_or_power"}
        alarm = Alarm(dedupe_key="fleet", kind="FLEET_OUTAGE", severity="CRITICAL", state="ACTIVE", first_seen=now,
                      last_seen=now, raised_at=now, details=details)  # fmt: skip
        session.add(alarm)
        await session.flush()
        return alarm.id


async def test_acknowledge_is_admin_only_audited_and_announced_after_commit(deps: FakeDeps) -> None:
    alarm_id = await _active_alarm(deps)
    editor, admin = await add_user(deps.db, Role.EDITOR), await add_user(deps.db, Role.ADMIN)
    with pytest.raises(ForbiddenError):
        await acknowledge_alarm(deps, editor, AcknowledgeAlarm(alarm_id, "ich"))
    assert deps.bus.published == []

    seen_state: list[str] = []

    async def look(event: DomainEvent) -> None:  # what a subscriber would read when the event arrives
        async with deps.db.read_session() as session:
            seen_state.append((await session.get(Alarm, event.data["id"])).state)  # type: ignore[union-attr]

    deps.bus = RecordingBus(on_publish=look)
    alarm = await acknowledge_alarm(deps, admin, AcknowledgeAlarm(alarm_id, "Hausmeister verständigt"))
    assert (alarm.state, alarm.acknowledged_by, alarm.acknowledged_note) == ("ACKNOWLEDGED", admin.user_id,
                                                                            "Hausmeister verständigt")  # fmt: skip
    assert deps.bus.topics() == [ALARM_UPDATED] and seen_state == [AlarmState.ACKNOWLEDGED]
    (row,) = await audit_rows(deps.db, "alarm.acknowledge")
    assert (row.actor_user_id, row.object_id, row.ip) == (admin.user_id, str(alarm_id), "192.0.2.7")


async def test_refused_acknowledgements_change_and_announce_nothing(deps: FakeDeps) -> None:
    alarm_id = await _active_alarm(deps)
    admin = await add_user(deps.db, Role.ADMIN)
    with pytest.raises(ValidationError) as too_long:
        await acknowledge_alarm(deps, admin, AcknowledgeAlarm(alarm_id, "x" * 501))
    assert too_long.value.text("en") == "The note may be at most 500 characters long."
    with pytest.raises(NotFoundError) as missing:
        await acknowledge_alarm(deps, admin, AcknowledgeAlarm(alarm_id + 1))
    assert missing.value.message == "Alarm nicht gefunden"
    await acknowledge_alarm(deps, admin, AcknowledgeAlarm(alarm_id))
    deps.bus.published.clear()
    with pytest.raises(ConflictError) as twice:
        await acknowledge_alarm(deps, admin, AcknowledgeAlarm(alarm_id, "nochmal"))
    assert twice.value.key == "alarm.not_active" and "ACKNOWLEDGED" in twice.value.message
    assert deps.bus.published == [] and len(await audit_rows(deps.db, "alarm.acknowledge")) == 1
    async with deps.db.read_session() as session:
        assert (await session.scalar(select(Alarm.acknowledged_note))) is None


async def test_maintenance_window_replaces_its_scope(deps: FakeDeps) -> None:
    admin = await add_user(deps.db, Role.ADMIN)
    user = await add_user(deps.db, Role.USER)
    until = utcnow() + timedelta(hours=1)
    with pytest.raises(ForbiddenError):
        await set_maintenance_window(deps, user, SetMaintenanceWindow(None, until))
    await set_maintenance_window(deps, admin, SetMaintenanceWindow(None, until))
    await set_maintenance_window(deps, admin, SetMaintenanceWindow(None, until + timedelta(hours=1)))
    async with deps.db.read_session() as session:
        windows = await active_maintenance_windows(session, utcnow())
    assert [(w.group_id, w.until, w.created_by) for w in windows] == [(None, until + timedelta(hours=1), admin.user_id)]
    with pytest.raises(NotFoundError) as unknown:
        await set_maintenance_window(deps, admin, SetMaintenanceWindow(77, until))
    assert unknown.value.key == "alarm.group_not_found"
    assert [r.details for r in await audit_rows(deps.db, "alarm.maintenance")] == [
        {"group_id": None, "until": until.isoformat()},
        {"group_id": None, "until": (until + timedelta(hours=1)).isoformat()},
    ]


async def test_the_list_shows_open_alarms_first_newest_first_and_pages(deps: FakeDeps) -> None:
    admin = await add_user(deps.db, Role.ADMIN)
    now = utcnow()
    async with deps.db.session() as session:
        for n, state in enumerate(["CLEARED", "ACTIVE", "PENDING", "ACKNOWLEDGED", "ACTIVE", "CLEARED"]):
            seen = now - timedelta(minutes=n)
            session.add(Alarm(dedupe_key=f"k{n}", kind="DISPLAY_OFFLINE", severity="MAJOR", state=state,
                              first_seen=seen, last_seen=seen))  # fmt: skip
    rows = await alarms_list(deps, admin)
    assert [(a.dedupe_key, a.state) for a in rows] == [
        ("k1", "ACTIVE"), ("k4", "ACTIVE"), ("k3", "ACKNOWLEDGED"), ("k0", "CLEARED"), ("k5", "CLEARED"),
    ]  # fmt: skip
    assert [a.dedupe_key for a in await alarms_list(deps, admin, limit=2, offset=1)] == ["k4", "k3"]
    assert [a.dedupe_key for a in await alarms_list(deps, admin, AlarmState.CLEARED)] == ["k0", "k5"]
    with pytest.raises(ValidationError):
        await alarms_list(deps, admin, limit=-1)
