"""EVENTS_WINDOW_DAYS: the scheduler expands recurring events this far ahead, and not further."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from app.config import load_settings
from app.domain.clients.models import ClientGroup
from app.domain.db import Database
from app.domain.enums import EventType
from app.domain.events.active import ActiveEventsCalculator
from app.domain.events.models import Event
from app.domain.preview.payload import calculator_for

VIENNA = ZoneInfo("Europe/Vienna")
NOW = datetime(2026, 4, 1, 6, 30, tzinfo=UTC)  # Wednesday
D = timedelta(days=1)


async def _weekly_series(db: Database) -> int:
    """A weekly series that began two days ago (after the DST switch): NOW-2d, NOW+5d, NOW+12d, NOW+19d, ..."""
    async with db.session() as s:
        group = ClientGroup(name="Aula")
        s.add(group)
        await s.flush()
        start = NOW - 2 * D
        event = Event(group_id=group.id, title="Wochenplan", event_type=EventType.MESSAGE, message_text="x",
                      start=start, end=start + timedelta(hours=1), recurrence_rule="FREQ=WEEKLY")  # fmt: skip
        s.add(event)
        await s.flush()
        return int(event.id)


async def test_an_occurrence_inside_the_window_is_expanded_and_one_outside_is_not(db: Database) -> None:
    event_id = await _weekly_series(db)
    window = timedelta(days=load_settings(EVENTS_WINDOW_DAYS="7").events_window_days)
    calc = ActiveEventsCalculator(VIENNA, window=window)
    async with db.read_session() as s:
        await calc.compute(s, NOW)
    starts = calc.expanded_starts(event_id)
    assert NOW + 5 * D in starts  # five days ahead: inside the 7-day window
    assert NOW + 12 * D not in starts  # twelve days ahead: outside
    assert all(start < NOW + window for start in starts), starts


async def test_a_wider_window_reaches_the_later_occurrence(db: Database) -> None:
    event_id = await _weekly_series(db)
    # Through the settings, as the scheduler and the preview build their calculator.
    calc = calculator_for(load_settings(EVENTS_WINDOW_DAYS="14", SCHOOL_TIMEZONE="Europe/Vienna"))
    async with db.read_session() as s:
        await calc.compute(s, NOW)
    starts = calc.expanded_starts(event_id)
    assert NOW + 5 * D in starts and NOW + 12 * D in starts
    assert NOW + 19 * D not in starts


async def test_the_plan_stops_at_a_one_day_window(db: Database) -> None:
    """With EVENTS_WINDOW_DAYS=1 an occurrence 25 h ahead is beyond what the scheduler looks at."""
    async with db.session() as s:
        group = ClientGroup(name="Foyer")
        s.add(group)
        await s.flush()
        start = NOW - timedelta(hours=23)  # daily: now-23h, now+1h, now+25h
        event = Event(group_id=group.id, title="Täglich", event_type=EventType.MESSAGE, message_text="x",
                      start=start, end=start + timedelta(minutes=30), recurrence_rule="FREQ=DAILY")  # fmt: skip
        s.add(event)
        await s.flush()
        event_id = int(event.id)
    narrow = ActiveEventsCalculator(VIENNA, window=D)
    wide = ActiveEventsCalculator(VIENNA, window=7 * D)
    async with db.read_session() as s:
        await narrow.compute(s, NOW)
        await wide.compute(s, NOW)
    assert NOW + timedelta(hours=1) in narrow.expanded_starts(event_id)
    assert NOW + timedelta(hours=25) not in narrow.expanded_starts(event_id)
    assert NOW + timedelta(hours=25) in wide.expanded_starts(event_id)
