"""What is active now, for all groups in one batch: exceptions, holidays, media, constant SQL statements."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event as sa_event

from app.domain.clients.models import ClientGroup
from app.domain.db import Database
from app.domain.enums import ConversionStatus, EventType, ExceptionKind, MediaType
from app.domain.events.active import ActiveEventsCalculator
from app.domain.events.holiday_skips import refresh_holiday_exceptions
from app.domain.events.models import Event, EventException
from app.domain.media.models import Conversion, EventMedia
from app.domain.periods.models import SchoolHoliday
from app.domain.power.intent import compute_basis

VIENNA = ZoneInfo("Europe/Vienna")
# Wednesday 2026-04-01 08:30 Vienna (CEST) = 06:30Z.
NOW = datetime(2026, 4, 1, 6, 30, tzinfo=UTC)
H = timedelta(hours=1)


@contextmanager
def count_statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    sa_event.listen(db.engine.sync_engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa_event.remove(db.engine.sync_engine, "before_cursor_execute", before)


async def _groups(db: Database, n: int) -> list[int]:
    async with db.session() as s:
        groups = [ClientGroup(name=f"G{i}-{secrets.token_hex(3)}") for i in range(n)]
        s.add_all(groups)
        await s.flush()
        return [g.id for g in groups]


def _message(group_id: int, start: datetime, end: datetime, **fields: object) -> Event:
    return Event(
        group_id=group_id, title="M", event_type=EventType.MESSAGE, message_text="x", start=start, end=end, **fields
    )


async def test_active_occurrences_respect_exceptions_and_holidays(db: Database) -> None:
    g1, g2, g3, g4 = await _groups(db, 4)
    async with db.session() as s:
        # g1: a daily 08:00–09:00 series from March (DST switch on 29.3.) plus a back-to-back 09:00 event.
        daily = _message(
            g1,
            datetime(2026, 3, 2, 7, 0, tzinfo=UTC),
            datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
            recurrence_rule="FREQ=DAILY",
        )
        follow = _message(g1, NOW + timedelta(minutes=30), NOW + timedelta(minutes=90))
        # g2: the same series with today's occurrence deleted.
        deleted = _message(g2, daily.start, daily.end, recurrence_rule="FREQ=DAILY")
        # g3: skips holidays and today is an (unassigned) holiday; only this series → the group is OFF.
        holiday = _message(g3, daily.start, daily.end, recurrence_rule="FREQ=DAILY", skip_holidays=True)
        # g4: ended yesterday, and an inactive one.
        old = _message(g4, NOW - 30 * H, NOW - 29 * H)
        inactive = _message(g4, NOW - H, NOW + H, is_active=False)
        s.add_all([daily, follow, deleted, holiday, old, inactive])
        s.add(
            SchoolHoliday(
                academic_period_id=None, name="Ostern", start_date=date(2026, 3, 30), end_date=date(2026, 4, 10)
            )
        )
        await s.flush()
        s.add(
            EventException(
                event_id=deleted.id, exception_start=datetime(2026, 4, 1, 6, 0, tzinfo=UTC), kind=ExceptionKind.DELETED
            )
        )
        await refresh_holiday_exceptions(s, event_id=holiday.id, tz=VIENNA)
        daily_id, follow_id = daily.id, follow.id

    calc = ActiveEventsCalculator(VIENNA)
    async with db.read_session() as s:
        snap = await calc.compute(s, NOW)
    assert [(o.event.id, o.start) for o in snap.groups[g1].active] == [
        (daily_id, datetime(2026, 4, 1, 6, 0, tzinfo=UTC))  # 08:00 CEST
    ]
    assert snap.groups[g2].active == [] and snap.groups[g3].active == [] and snap.groups[g4].active == []
    lists = {g: snap.event_list(g) for g in (g1, g2, g3, g4)}
    assert lists[g1][0]["start"] == "2026-04-01T06:00:00Z" and lists[g1][0]["message"] == {"text": "x"}
    assert lists[g2] == lists[g3] == lists[g4] == []

    basis = compute_basis(g1, snap.groups[g1].active_event_ids, snap.groups[g1].upcoming, NOW)
    # The series (06:00–07:00Z) and the follow-up (07:00–08:00Z) chain into one window.
    assert (basis.desired_state, basis.window_start, basis.window_end) == (
        "on",
        datetime(2026, 4, 1, 6, 0, tzinfo=UTC),
        datetime(2026, 4, 1, 8, 0, tzinfo=UTC),
    )
    later = NOW + timedelta(minutes=45)
    async with db.read_session() as s:
        snap = await calc.compute(s, later)
    assert [o.event.id for o in snap.groups[g1].active] == [follow_id]
    assert compute_basis(g3, snap.groups[g3].active_event_ids, snap.groups[g3].upcoming, later).desired_state == "off"


async def test_media_of_active_events_is_loaded_with_the_ready_conversion(db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (g,) = await _groups(db, 1)
    converted = tmp_path / "converted"
    async with db.session() as s:
        media = EventMedia(
            media_type=MediaType.PPTX,
            file_name="deck.pptx",
            file_path="u/1",
            size=10,
            sha256="new" + "0" * 61,
            access_token="tok",
        )
        s.add(media)
        await s.flush()
        path = f"{media.id}-tok/current.pdf"
        (converted / f"{media.id}-tok").mkdir(parents=True)
        (converted / path).write_bytes(b"%PDF" + b"0" * 96)
        s.add_all(
            [
                Conversion(
                    source_event_media_id=media.id,
                    target_format="pdf",
                    target_path=f"{media.id}-tok/old.pdf",
                    status=ConversionStatus.READY,
                    file_hash="old" + "0" * 61,
                ),
                Conversion(
                    source_event_media_id=media.id,
                    target_format="pdf",
                    target_path=path,
                    status=ConversionStatus.READY,
                    file_hash="new" + "0" * 61,
                ),
                Conversion(
                    source_event_media_id=media.id,
                    target_format="pdf",
                    target_path=None,
                    status=ConversionStatus.FAILED,
                    file_hash="bad" + "0" * 61,
                ),
            ]
        )
        s.add(
            Event(
                group_id=g,
                title="P",
                event_type=EventType.PRESENTATION,
                event_media_id=media.id,
                slideshow_interval=10,
                page_progress=True,
                auto_progress=True,
                start=NOW - H,
                end=NOW + H,
            )
        )
    calc = ActiveEventsCalculator(VIENNA, converted)
    async with db.read_session() as s:
        snap = await calc.compute(s, NOW)
    (payload,) = snap.event_list(g)
    assert payload["presentation"]["files"] == [
        {"name": "deck.pdf", "url": f"/api/files/converted/{path}", "checksum": "new" + "0" * 61, "size": 100}
    ]


async def _seed_many(db: Database, groups: int, per_group: int) -> None:
    ids = await _groups(db, groups)
    async with db.session() as s:
        for gid in ids:
            for k in range(per_group):
                start = datetime(2026, 1, 5, 6, 0, tzinfo=UTC) + timedelta(minutes=45 * k)
                s.add(_message(gid, start, start + timedelta(minutes=45), recurrence_rule="FREQ=DAILY"))
                s.add(_message(gid, NOW - H, NOW + H))


async def test_statement_count_does_not_grow_with_groups(db: Database) -> None:
    await _seed_many(db, 3, 4)
    calc = ActiveEventsCalculator(VIENNA)
    with count_statements(db) as few:
        async with db.read_session() as s:
            small = await calc.compute(s, NOW)
    await _seed_many(db, 60, 4)
    calc = ActiveEventsCalculator(VIENNA)
    with count_statements(db) as many:
        async with db.read_session() as s:
            big = await calc.compute(s, NOW)
    assert len(small.groups) == 3 and len(big.groups) == 63
    assert all(g.active for g in big.groups.values())
    assert len(few) == len(many) <= 4
