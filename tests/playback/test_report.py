"""The playback report's minutes match a scripted display's history exactly (gaps and a mismatch included),
and the intervals stay one row per change at a school's size (40+ groups, 200+ displays) on both engines."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, update

from app.domain.clients.models import Client
from app.domain.clients.telemetry import ClientStateChange, TelemetryReason, write_telemetry_batch
from app.domain.db import Database
from app.domain.enums import EventType, Role
from app.domain.events import service as events
from app.domain.playback.models import PlaybackInterval
from app.domain.playback.moves import reattribute_moved_displays
from app.domain.users.tokens import Principal
from tests.events.seed import add_group
from tests.support.api import Api

DAY = datetime(2026, 3, 10, tzinfo=UTC)
START, END = DAY.replace(hour=7, minute=30), DAY.replace(hour=10, minute=30)

REPORT = """query ($g: Int!, $s: DateTime!, $e: DateTime!) { playbackReport(groupId: $g, start: $s, end: $e) {
  events { eventId title plannedMinutes displays { name minutes } }
  displays { name reportedMinutes matchedMinutes mismatchMinutes gapMinutes } } }"""


def at(hour: int, minute: int) -> datetime:
    return DAY.replace(hour=hour, minute=minute)


async def heartbeat(db: Database, uuid: str, when: datetime, event_id: int | None) -> None:
    change = ClientStateChange(uuid, TelemetryReason.HEARTBEAT, {"last_alive": when, "current_event_id": event_id})
    async with db.session() as session:
        await write_telemetry_batch(session, [change], now=when)


async def seed_room(api: Api) -> tuple[int, int, int]:
    user = await api.make_user(Role.ADMIN, "report-admin")
    admin = Principal(user.id, user.username, Role.ADMIN)
    group = await add_group(api.container, "Aula")
    ids = []
    for title, start in (("Morgen", at(8, 0)), ("Pause", at(9, 0))):
        values: events.EventValues = {
            "group_id": group, "title": title, "event_type": EventType.MESSAGE, "message_text": title,
            "start": start, "end": start + timedelta(hours=1),
        }  # fmt: skip
        ids.append((await events.create_event(api.container, admin, events.CreateEvent(values))).event.id)
    return group, ids[0], ids[1]


async def test_report_minutes_match_a_scripted_history(api: Api) -> None:
    group, a, b = await seed_room(api)
    db = api.container.db
    async with db.session() as session:
        await session.execute(insert(Client), [
            {"uuid": "d1-" + "0" * 33, "description": "Beamer links", "group_id": group},
            {"uuid": "d2-" + "0" * 33, "description": "Beamer rechts", "group_id": group},
        ])  # fmt: skip
    d1, d2 = "d1-" + "0" * 33, "d2-" + "0" * 33
    # d1: idle, A, B too early (15 min mismatch), silent 09:20-09:39 (a gap), B, idle until 10:29.
    script: list[tuple[datetime, str, int | None]] = []
    minute = START
    while minute < END:
        hm = (minute.hour, minute.minute)
        if hm < (8, 0):
            shown: int | str | None = None
        elif hm < (8, 45):
            shown = a
        elif hm < (9, 20) or (9, 40) <= hm < (10, 0):
            shown = b
        elif hm < (9, 40):
            shown = "silent"
        else:
            shown = None
        if shown != "silent" and hm != (10, 30):
            script.append((minute, d1, shown))  # type: ignore[arg-type]
        # d2: shows A from 08:00 to 09:59 (the whole B slot is a mismatch), silent otherwise.
        if (8, 0) <= hm < (10, 0):
            script.append((minute, d2, a))
        minute += timedelta(minutes=1)
    for when, uuid, shown in script:
        await heartbeat(db, uuid, when, shown)
    async with db.read_session() as session:
        rows = (await session.execute(select(PlaybackInterval.client_uuid, func.count()).group_by(
            PlaybackInterval.client_uuid))).all()  # fmt: skip
    # One row per change: d1 idle, A, B, (gap) B, idle; d2 one A.
    assert dict(rows) == {d1: 5, d2: 1}

    token = await api.token_for(Role.USER)
    data = await api.data(REPORT, {"g": group, "s": START.isoformat(), "e": END.isoformat()}, token=token)
    report = data["playbackReport"]
    assert report["events"] == [
        {"eventId": a, "title": "Morgen", "plannedMinutes": 60.0,
         "displays": [{"name": "Beamer links", "minutes": 45.0}, {"name": "Beamer rechts", "minutes": 119.0}]},
        {"eventId": b, "title": "Pause", "plannedMinutes": 60.0,
         "displays": [{"name": "Beamer links", "minutes": 54.0}, {"name": "Beamer rechts", "minutes": 0.0}]},
    ]  # fmt: skip
    assert report["displays"] == [
        # 30 idle + 45 A + 34 B (08:45-09:19) + 20 B + 29 idle; gaps 09:19-09:40 and 10:29-10:30.
        {"name": "Beamer links", "reportedMinutes": 158.0, "matchedMinutes": 143.0, "mismatchMinutes": 15.0,
         "gapMinutes": 22.0},
        # 08:00-09:59 showing A: 60 planned, 59 during B's hour; silent 07:30-08:00 and 09:59-10:30.
        {"name": "Beamer rechts", "reportedMinutes": 119.0, "matchedMinutes": 60.0, "mismatchMinutes": 59.0,
         "gapMinutes": 61.0},
    ]  # fmt: skip

    # A narrower window clips the intervals: 08:30-09:30.
    data = await api.data(REPORT, {"g": group, "s": at(8, 30).isoformat(), "e": at(9, 30).isoformat()}, token=token)
    left = data["playbackReport"]["displays"][0]
    assert (left["reportedMinutes"], left["matchedMinutes"], left["mismatchMinutes"], left["gapMinutes"]) == (
        49.0, 34.0, 15.0, 11.0,
    )  # fmt: skip

    # An empty range is refused with a clear error, not a crash.
    body = await api.gql(REPORT, {"g": group, "s": END.isoformat(), "e": START.isoformat()}, token=token)
    assert body["errors"]


async def test_intervals_stay_one_row_per_change_at_school_size(any_db: Database) -> None:
    rng = random.Random(19)
    async with any_db.session() as session:
        from app.domain.clients.models import ClientGroup

        groups = []
        for n in range(42):
            group = ClientGroup(name=f"Raum {n}")
            session.add(group)
            await session.flush()
            groups.append(group.id)
        uuids = [f"{n:08d}-0000-4000-8000-000000000000" for n in range(240)]
        await session.execute(
            insert(Client), [{"uuid": u, "group_id": groups[n % len(groups)]} for n, u in enumerate(uuids)]
        )
    shown = {u: rng.choice((None, 1, 2, 3)) for u in uuids}
    changes = 0
    now = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    for round_no in range(12):
        if round_no in (4, 8):  # a quarter of the fleet switches content
            for u in rng.sample(uuids, 60):
                shown[u] = (shown[u] or 0) + 10
                changes += 1
        batch = [
            ClientStateChange(u, TelemetryReason.HEARTBEAT, {"last_alive": now, "current_event_id": shown[u]})
            for u in uuids
        ]
        async with any_db.session() as session:
            await write_telemetry_batch(session, batch, now=now)
        now += timedelta(seconds=30)
    async with any_db.read_session() as session:
        total = (await session.execute(select(func.count()).select_from(PlaybackInterval))).scalar_one()
        open_rows = (
            await session.execute(
                select(func.count()).select_from(PlaybackInterval).where(PlaybackInterval.ended_at.is_(None))
            )
        ).scalar_one()
    assert total == len(uuids) + changes
    assert open_rows == len(uuids)

    # Five displays moved to another room: the refresh splits their open intervals, history stays in the old room.
    moved = uuids[:5]
    async with any_db.session() as session:
        await session.execute(update(Client).where(Client.uuid.in_(moved)).values(group_id=groups[-1]))
        assert await reattribute_moved_displays(await session.connection(), now) == 5
        assert await reattribute_moved_displays(await session.connection(), now) == 0
    async with any_db.read_session() as session:
        rows = (
            await session.execute(
                select(PlaybackInterval.group_id, PlaybackInterval.ended_at)
                .where(PlaybackInterval.client_uuid == moved[0])
                .order_by(PlaybackInterval.id.desc())
                .limit(2)
            )
        ).all()
    assert rows[0].group_id == groups[-1] and rows[0].ended_at is None
    assert rows[1].group_id == groups[0] and rows[1].ended_at is not None
