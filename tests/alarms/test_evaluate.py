"""`evaluate_alarms` against a real database (SQLite and MariaDB), minute by minute on a fixed clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.domain.alarms.evaluate import EvaluateAlarms, EvaluationReport, evaluate_alarms
from app.domain.alarms.models import Alarm
from app.domain.alarms.service import SetMaintenanceWindow, set_maintenance_window
from app.domain.bus import ALARM_UPDATED
from app.domain.clients.models import Client, ClientGroup
from app.domain.commands.models import ClientCommand
from app.domain.db import Database
from app.domain.enums import ConversionStatus, MediaType, ProcessStatus, Role
from app.domain.media.models import Conversion, EventMedia
from app.domain.periods.models import SchoolHoliday
from app.domain.power.models import GroupPowerIntent
from tests.unit.fakes import RecordingBus, add_user, unit_settings

WED_10 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # Wednesday 10:00 in Vienna (the default school zone)


@dataclass
class Deps:
    db: Database
    settings: object
    bus: RecordingBus = field(default_factory=RecordingBus)
    publisher: None = None

    def changes(self) -> list[tuple[str, str]]:
        return [(e.data["kind"], e.data["change"]) for e in self.bus.published if e.topic == ALARM_UPDATED]


@pytest.fixture
def deps(any_db: Database, tmp_path: Path) -> Deps:
    return Deps(any_db, unit_settings(tmp_path))


async def add_displays(db: Database, count: int, groups: int = 1, at: datetime = WED_10) -> list[str]:
    uuids = [str(uuid.uuid4()) for _ in range(count)]
    async with db.session() as session:
        group_rows = [ClientGroup(name=f"Gruppe {uuid.uuid4().hex[:8]}") for _ in range(groups)]
        session.add_all(group_rows)
        await session.flush()
        session.add_all(
            Client(uuid=u, description=f"Display {n}", group_id=group_rows[n % groups].id, last_alive=at)
            for n, u in enumerate(uuids)
        )
    return uuids


async def heartbeat(db: Database, uuids: list[str], at: datetime) -> None:
    async with db.session() as session:
        await session.execute(update(Client).where(Client.uuid.in_(uuids)).values(last_alive=at))


async def run_minutes(
    deps: Deps,
    start: datetime,
    minutes: int,
    alive: list[str] = (),
    broker: bool | None = None,  # type: ignore[assignment]
) -> EvaluationReport:
    report = None
    for minute in range(minutes):
        now = start + timedelta(minutes=minute)
        if alive:
            await heartbeat(deps.db, list(alive), now)
        report = await evaluate_alarms(deps, None, EvaluateAlarms(now, broker_connected=broker))  # type: ignore[arg-type]
    assert report is not None
    return report


async def alarm_rows(db: Database) -> list[Alarm]:
    async with db.read_session() as session:
        return list((await session.scalars(select(Alarm).order_by(Alarm.id))).all())


async def test_silent_display_raises_one_offline_alarm_after_the_delay_and_clears_after_hysteresis(
    deps: Deps,
) -> None:
    silent, *others = await add_displays(deps.db, 5)
    grace = timedelta(seconds=deps.settings.heartbeat_grace_seconds)  # type: ignore[attr-defined]
    offline_from = WED_10 + grace + timedelta(seconds=1)
    # Nine minutes offline: still within the delay, nothing raised.
    await run_minutes(deps, WED_10, 1, alive=others)
    await run_minutes(deps, offline_from, 10, alive=others)
    assert deps.changes() == []
    # From the tenth minute on: one DISPLAY_OFFLINE, however often the evaluation runs.
    report = await run_minutes(deps, offline_from + timedelta(minutes=10), 10, alive=others)
    assert deps.changes() == [("DISPLAY_OFFLINE", "raised")]
    assert report.open == 1
    (alarm,) = await alarm_rows(deps.db)
    assert (alarm.kind, alarm.state, alarm.client_uuid, alarm.severity) == (
        "DISPLAY_OFFLINE",
        "ACTIVE",
        silent,
        "MAJOR",
    )
    assert alarm.details == {"name": "Display 0"}

    # Back online: still ACTIVE within the hysteresis, CLEARED once it stayed back for five minutes.
    back = offline_from + timedelta(minutes=20)
    await run_minutes(deps, back, 5, alive=[silent, *others])
    assert [a.state for a in await alarm_rows(deps.db)] == ["ACTIVE"]
    await run_minutes(deps, back + timedelta(minutes=5), 3, alive=[silent, *others])
    (alarm,) = await alarm_rows(deps.db)
    assert alarm.state == "CLEARED" and alarm.cleared_at is not None
    assert deps.changes() == [("DISPLAY_OFFLINE", "raised"), ("DISPLAY_OFFLINE", "cleared")]


async def _silence_raises_nothing(deps: Deps, start: datetime = WED_10) -> None:
    """The first display goes silent for an hour; nothing may be raised (not even a pending row)."""
    _silent, *others = await add_displays(deps.db, 3)
    await run_minutes(deps, start + timedelta(minutes=5), 60, alive=others)
    assert deps.changes() == []
    assert await alarm_rows(deps.db) == []


async def test_no_alarm_on_a_school_holiday(deps: Deps) -> None:
    async with deps.db.session() as session:
        session.add(SchoolHoliday(name="Weihnachtsferien", start_date=date(2026, 12, 1), end_date=date(2026, 12, 3)))
    await _silence_raises_nothing(deps)


async def test_no_alarm_outside_operating_hours(deps: Deps) -> None:
    await _silence_raises_nothing(deps, WED_10.replace(hour=17))  # 18:00 .. 19:05 in Vienna


async def test_no_alarm_while_the_groups_power_intent_is_off(deps: Deps) -> None:
    _silent, *others = await add_displays(deps.db, 3)
    async with deps.db.session() as session:
        group_id = await session.scalar(select(Client.group_id).limit(1))
        session.add(
            GroupPowerIntent(group_id=group_id, intent_id=str(uuid.uuid4()), fingerprint="f" * 64, desired_state="off",
                             reason="no_active_event", issued_at=WED_10, expires_at=WED_10, payload={})
        )  # fmt: skip
    await run_minutes(deps, WED_10 + timedelta(minutes=5), 60, alive=others)
    assert deps.changes() == [] and await alarm_rows(deps.db) == []


async def test_no_alarm_in_a_maintenance_window_and_alarms_again_after_it(deps: Deps) -> None:
    _silent, *others = await add_displays(deps.db, 3)
    admin = await add_user(deps.db, Role.ADMIN)
    async with deps.db.read_session() as session:
        group_id = await session.scalar(select(Client.group_id).limit(1))
    until = WED_10 + timedelta(minutes=60)
    await set_maintenance_window(deps, admin, SetMaintenanceWindow(group_id, until))  # type: ignore[arg-type]
    await run_minutes(deps, WED_10 + timedelta(minutes=5), 50, alive=others)
    assert deps.changes() == [] and await alarm_rows(deps.db) == []
    # Once the window ends, the delay runs from then: raised ten minutes later.
    await run_minutes(deps, until, 11, alive=others)
    assert deps.changes() == [("DISPLAY_OFFLINE", "raised")]


async def test_fifty_displays_lost_at_once_make_one_fleet_outage(deps: Deps) -> None:
    uuids = await add_displays(deps.db, 80, groups=8)
    kept = uuids[50:]
    # All heartbeats stop together (the last ones within seconds of each other); the broker link is down.
    await run_minutes(deps, WED_10 + timedelta(minutes=5), 20, alive=kept, broker=False)
    assert deps.changes() == [("FLEET_OUTAGE", "raised")]
    (alarm,) = await alarm_rows(deps.db)
    assert alarm.kind == "FLEET_OUTAGE" and alarm.severity == "CRITICAL"
    assert alarm.details == {"lost": 50, "watched": 80, "cause": "broker_unreachable"}
    # They come back: the outage clears, and no per-display alarm ever appeared.
    await run_minutes(deps, WED_10 + timedelta(minutes=25), 8, alive=uuids, broker=True)
    assert [a.state for a in await alarm_rows(deps.db)] == ["CLEARED"]
    assert deps.changes() == [("FLEET_OUTAGE", "raised"), ("FLEET_OUTAGE", "cleared")]


async def test_a_failed_command_raises_command_failed_at_once(deps: Deps) -> None:
    (display,) = await add_displays(deps.db, 1)
    async with deps.db.session() as session:
        session.add(
            ClientCommand(command_id=str(uuid.uuid4()), client_uuid=display, action="reboot_host", status="timed_out",
                          issued_at=WED_10, expires_at=WED_10 + timedelta(minutes=5), error_code="ack_timeout")
        )  # fmt: skip
    await run_minutes(deps, WED_10 + timedelta(minutes=1), 1, alive=[display])
    (alarm,) = await alarm_rows(deps.db)
    assert (alarm.kind, alarm.state, alarm.client_uuid) == ("COMMAND_FAILED", "ACTIVE", display)
    assert alarm.details is not None and alarm.details["status"] == "timed_out"
    assert deps.changes() == [("COMMAND_FAILED", "raised")]


async def test_a_flapping_display_raises_one_alarm(deps: Deps) -> None:
    flapper, *others = await add_displays(deps.db, 3)
    start = WED_10 + timedelta(minutes=5)
    grace = timedelta(seconds=deps.settings.heartbeat_grace_seconds)  # type: ignore[attr-defined]
    for cycle in range(8):  # 40 minutes: gone for four, back for one, again and again
        t = start + timedelta(minutes=5 * cycle)
        await heartbeat(deps.db, [flapper], t - grace - timedelta(seconds=1))
        await run_minutes(deps, t, 4, alive=others)
        await run_minutes(deps, t + timedelta(minutes=4), 1, alive=[flapper, *others])
    rows = await alarm_rows(deps.db)
    assert [(a.kind, a.state) for a in rows] == [("DISPLAY_OFFLINE", "ACTIVE")]
    assert deps.changes() == [("DISPLAY_OFFLINE", "raised")]


async def test_a_school_sized_outage_with_the_broker_up_names_network_or_power(deps: Deps) -> None:
    """220 displays in 40 groups, 130 lost together while the server's broker link is up."""
    uuids = await add_displays(deps.db, 220, groups=40)
    await run_minutes(deps, WED_10 + timedelta(minutes=5), 12, alive=uuids[130:], broker=True)
    (alarm,) = await alarm_rows(deps.db)
    assert (alarm.kind, alarm.state) == ("FLEET_OUTAGE", "ACTIVE")
    assert alarm.details == {"lost": 130, "watched": 220, "cause": "network_or_power"}
    assert deps.changes() == [("FLEET_OUTAGE", "raised")]


async def test_a_crashed_player_raises_display_critical_and_a_failed_conversion_conversion_failed(
    deps: Deps,
) -> None:
    crashed, *others = await add_displays(deps.db, 3)
    async with deps.db.session() as session:
        client = await session.get(Client, crashed)
        assert client is not None
        client.process_status = ProcessStatus.CRASHED
        media = EventMedia(media_type=MediaType.PPTX, file_name="Elternabend.pptx", access_token="t" * 32)
        session.add(media)
        await session.flush()
        session.add(Conversion(source_event_media_id=media.id, target_format="pdf", file_hash="h" * 64,
                               status=ConversionStatus.FAILED, error_code="converter_memory",
                               updated_at=WED_10))  # fmt: skip
    await run_minutes(deps, WED_10, 11, alive=[crashed, *others])
    rows = {a.kind: a for a in await alarm_rows(deps.db)}
    assert set(rows) == {"DISPLAY_CRITICAL", "CONVERSION_FAILED"}
    assert rows["DISPLAY_CRITICAL"].client_uuid == crashed and rows["DISPLAY_CRITICAL"].state == "ACTIVE"
    details = rows["CONVERSION_FAILED"].details
    assert details is not None and (details["media_id"], details["error_code"]) == (media.id, "converter_memory")
    # The conversion at once, the crashed player after the ten-minute delay.
    assert deps.changes() == [("CONVERSION_FAILED", "raised"), ("DISPLAY_CRITICAL", "raised")]
