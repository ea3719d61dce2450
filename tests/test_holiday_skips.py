"""Holiday skips: regenerated from the event's period holidays, never touching deleted/detached exceptions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.domain.clients.models import ClientGroup
from app.domain.db import Database
from app.domain.enums import AcademicPeriodType, EventType, ExceptionKind
from app.domain.events.holiday_skips import refresh_holiday_exceptions
from app.domain.events.models import Event, EventException
from app.domain.periods.models import AcademicPeriod, SchoolHoliday

VIENNA = ZoneInfo("Europe/Vienna")


async def _setup(db: Database) -> tuple[int, int, int]:
    async with db.session() as s:
        group = ClientGroup(name="Raum 1")
        period = AcademicPeriod(
            name="SJ", start_date=date(2026, 9, 1), end_date=date(2027, 7, 2), period_type=AcademicPeriodType.SCHULJAHR
        )
        s.add_all([group, period])
        await s.flush()
        # Weekly Monday 08:00 Vienna (06:00 UTC in summer time, 07:00 UTC in winter).
        event = Event(
            group_id=group.id,
            academic_period_id=period.id,
            title="Montag",
            event_type=EventType.MESSAGE,
            start=datetime(2026, 9, 7, 6, 0, tzinfo=UTC),
            end=datetime(2026, 9, 7, 7, 0, tzinfo=UTC),
            recurrence_rule="FREQ=WEEKLY",
            skip_holidays=True,
        )
        s.add(event)
        # Autumn break 26.10.–2.11.2026 covers Mondays 26.10 and 2.11; an unassigned holiday must be ignored.
        s.add_all(
            [
                SchoolHoliday(
                    academic_period_id=period.id,
                    name="Herbstferien",
                    start_date=date(2026, 10, 26),
                    end_date=date(2026, 11, 2),
                ),
                SchoolHoliday(
                    academic_period_id=None, name="Alt", start_date=date(2026, 9, 14), end_date=date(2026, 9, 14)
                ),
            ]
        )
        await s.flush()
        return group.id, period.id, event.id


async def _exceptions(db: Database, event_id: int) -> list[tuple[datetime, ExceptionKind]]:
    async with db.session() as s:
        rows = await s.execute(
            select(EventException.exception_start, EventException.kind)
            .where(EventException.event_id == event_id)
            .order_by(EventException.exception_start)
        )
        return [(r[0], r[1]) for r in rows.all()]


async def test_period_holidays_become_holiday_exceptions_and_keep_deleted_ones(db: Database) -> None:
    _, period_id, event_id = await _setup(db)
    async with db.session() as s:
        # The user already deleted the 2.11. occurrence by hand (07:00 UTC = 08:00 CET).
        s.add(
            EventException(
                event_id=event_id, exception_start=datetime(2026, 11, 2, 7, 0, tzinfo=UTC), kind=ExceptionKind.DELETED
            )
        )
    async with db.session() as s:
        written = await refresh_holiday_exceptions(s, academic_period_id=period_id, tz=VIENNA)
    assert written == 1
    assert await _exceptions(db, event_id) == [
        (datetime(2026, 10, 26, 7, 0, tzinfo=UTC), ExceptionKind.HOLIDAY),
        (datetime(2026, 11, 2, 7, 0, tzinfo=UTC), ExceptionKind.DELETED),
    ]
    # Regeneration is idempotent, and turning the flag off removes only the holiday skips.
    async with db.session() as s:
        assert await refresh_holiday_exceptions(s, event_id=event_id, tz=VIENNA) == 1
    async with db.session() as s:
        event = await s.get(Event, event_id)
        assert event is not None
        event.skip_holidays = False
    async with db.session() as s:
        assert await refresh_holiday_exceptions(s, event_id=event_id, tz=VIENNA) == 0
    assert await _exceptions(db, event_id) == [(datetime(2026, 11, 2, 7, 0, tzinfo=UTC), ExceptionKind.DELETED)]


async def test_events_without_period_use_only_unassigned_holidays(db: Database) -> None:
    _, _, event_id = await _setup(db)
    async with db.session() as s:
        event = await s.get(Event, event_id)
        assert event is not None
        event.academic_period_id = None
    async with db.session() as s:
        assert await refresh_holiday_exceptions(s, tz=VIENNA) == 1
    assert await _exceptions(db, event_id) == [(datetime(2026, 9, 14, 6, 0, tzinfo=UTC), ExceptionKind.HOLIDAY)]
