"""Benchmark the Vorschau queries on a realistic school on SQLite.

    .venv/bin/python bench/preview.py [--rooms 40] [--runs 20]

A school year (1 Sept 2026 - 30 June 2027) with Austrian-style holidays; every room has a weekly
timetable (6 lessons a day, Monday to Friday, skipping holidays), a daily morning message series and a
few one-off events. Prints the median and worst time of `group_schedule` for one room over the whole
school year (target < 300 ms) and of `display_payload_at` at random instants (target < 50 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.config import load_settings
from app.container import Container
from app.domain.clients.models import ClientGroup
from app.domain.enums import AcademicPeriodType, EventType, Role
from app.domain.events.models import Event
from app.domain.events.recurrence import recurrence_end
from app.domain.models import Base
from app.domain.periods.holidays import refresh_event_skips
from app.domain.periods.models import AcademicPeriod, SchoolHoliday
from app.domain.preview.payload import display_payload_at
from app.domain.preview.schedule import group_schedule
from app.domain.users.tokens import Principal

TZ = ZoneInfo("Europe/Vienna")
YEAR = (date(2026, 9, 1), date(2027, 6, 30))
HOLIDAYS = [
    ("Herbstferien", date(2026, 10, 27), date(2026, 10, 31)),
    ("Weihnachtsferien", date(2026, 12, 24), date(2027, 1, 6)),
    ("Semesterferien", date(2027, 2, 8), date(2027, 2, 13)),
    ("Osterferien", date(2027, 3, 20), date(2027, 3, 29)),
    ("Pfingstferien", date(2027, 5, 15), date(2027, 5, 18)),
]
DAYS = ("MO", "TU", "WE", "TH", "FR")


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, datetime.min.time().replace(hour=hour, minute=minute), tzinfo=TZ)


def _event(group_id: int, period_id: int, title: str, start: datetime, minutes: int, rule: str | None) -> Event:
    end = start + timedelta(minutes=minutes)
    return Event(
        group_id=group_id, title=title, event_type=EventType.MESSAGE, message_text=title, start=start, end=end,
        recurrence_rule=rule, recurrence_end=recurrence_end(start, end, rule, TZ) if rule else None,
        skip_holidays=rule is not None, academic_period_id=period_id,
    )  # fmt: skip


async def seed(container: Container, rooms: int, rng: random.Random) -> list[int]:
    first_monday = YEAR[0] + timedelta(days=(7 - YEAR[0].weekday()) % 7)
    until = "UNTIL=20270630T220000Z"
    async with container.db.session() as session:
        period = AcademicPeriod(name="2026/27", start_date=YEAR[0], end_date=YEAR[1],
                                period_type=AcademicPeriodType.SCHULJAHR, is_active=True)  # fmt: skip
        session.add(period)
        await session.flush()
        session.add_all(SchoolHoliday(academic_period_id=period.id, name=n, start_date=a, end_date=b)
                        for n, a, b in HOLIDAYS)  # fmt: skip
        groups = [ClientGroup(name=f"Raum {n}") for n in range(rooms)]
        session.add_all(groups)
        await session.flush()
        for group in groups:
            session.add(_event(group.id, period.id, "Guten Morgen", _local(first_monday, 7, 30), 20,
                               f"FREQ=WEEKLY;BYDAY={','.join(DAYS)};{until}"))  # fmt: skip
            for offset, day in enumerate(DAYS):
                for lesson in range(6):
                    start = _local(first_monday + timedelta(days=offset), 8 + lesson, 0)
                    session.add(_event(group.id, period.id, f"{day} Stunde {lesson + 1}", start, 50,
                                       f"FREQ=WEEKLY;{until}"))  # fmt: skip
            for n in range(10):
                day = YEAR[0] + timedelta(days=rng.randint(0, 290))
                session.add(_event(group.id, period.id, f"Termin {n}", _local(day, rng.randint(7, 18)), 90, None))
        await session.flush()
        await refresh_event_skips(session, period.id)
        return [g.id for g in groups]


def _report(name: str, times: list[float], target_ms: float) -> None:
    med, worst = statistics.median(times) * 1000, max(times) * 1000
    verdict = "ok" if med < target_ms else "OVER TARGET"
    print(f"{name:<48} median {med:8.1f} ms   worst {worst:8.1f} ms   target < {target_ms:.0f} ms  {verdict}")


async def main(rooms: int, runs: int) -> None:
    rng = random.Random(19)
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(DATA_DIR=tmp, SECRET_KEY="bench", POWER_INTENT_PUBLISH_ENABLED="true")
        container = Container.create(settings)
        async with container.db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        groups = await seed(container, rooms, rng)
        user = Principal(1, "bench", Role.USER)
        start, end = _local(YEAR[0], 0), _local(YEAR[1] + timedelta(days=1), 0)
        year: list[float] = []
        segments = 0
        for _ in range(runs):
            began = time.perf_counter()
            result = await group_schedule(container, user, rng.choice(groups), start, end)
            year.append(time.perf_counter() - began)
            segments = len(result)
        instants: list[float] = []
        for _ in range(runs * 5):
            at = start + timedelta(seconds=rng.uniform(0, (end - start).total_seconds()))
            began = time.perf_counter()
            await display_payload_at(container, user, rng.choice(groups), at)
            instants.append(time.perf_counter() - began)
        await container.close()
    print(f"SQLite, {rooms} rooms x {1 + 30 + 10} events (31 weekly series with holiday skips), school year")
    _report(f"groupSchedule, one room, school year ({segments} segments)", year, 300)
    _report("displayPayloadAt, random instant", instants, 50)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rooms", type=int, default=40)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.rooms, args.runs))
