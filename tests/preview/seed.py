"""Random school schedules for the preview tests: series, holidays with skipHolidays, deletions, detaches."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.container import Container
from app.domain.enums import AcademicPeriodType, EventType, Role
from app.domain.events import service as events
from app.domain.periods import holidays
from app.domain.periods.models import AcademicPeriod
from app.domain.preview.payload import calculator_for
from app.domain.users.models import User
from app.domain.users.tokens import Principal
from tests.events.seed import add_group

VIENNA = ZoneInfo("Europe/Vienna")
# Around both 2026 DST switches in Europe/Vienna (29 March, 25 October).
WINDOWS = ((date(2026, 3, 24), date(2026, 4, 3)), (date(2026, 10, 20), date(2026, 10, 30)))
HOLIDAYS = ((date(2026, 3, 30), date(2026, 4, 1)), (date(2026, 10, 26), date(2026, 10, 27)))


@dataclass
class Seeded:
    groups: list[int]
    admin: Principal


def local(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=VIENNA)


async def admin_principal(container: Container) -> Principal:
    async with container.db.session() as session:
        user = User(username="preview-admin", password_hash="x", role=Role.ADMIN)
        session.add(user)
        await session.flush()
        return Principal(user.id, user.username, Role.ADMIN)


async def seed_schedule(container: Container, rng: random.Random, groups: int = 3) -> Seeded:
    admin = await admin_principal(container)
    async with container.db.session() as session:
        period = AcademicPeriod(
            name="2025/26+", start_date=date(2026, 1, 1), end_date=date(2026, 12, 31),
            period_type=AcademicPeriodType.SCHULJAHR, is_active=True,
        )  # fmt: skip
        session.add(period)
        await session.flush()
        period_id = period.id
    for n, (first, last) in enumerate(HOLIDAYS):
        values = holidays.HolidayValues(f"Ferien {n}", first, last)
        await holidays.create_holiday(container, admin, holidays.CreateHoliday(period_id, values))
    group_ids = [await add_group(container, f"Raum {n}") for n in range(groups)]
    for group_id in group_ids:
        for n in range(rng.randint(3, 6)):
            await _random_event(container, admin, rng, group_id, period_id, n)
    return Seeded(group_ids, admin)


async def _random_event(
    container: Container, admin: Principal, rng: random.Random, group_id: int, period_id: int, n: int
) -> None:
    first, _last = rng.choice(WINDOWS)
    day = first + timedelta(days=rng.randint(0, 3))
    start = local(day, rng.randint(0, 22), rng.choice((0, 15, 30, 45)))
    end = start + timedelta(minutes=rng.choice((15, 45, 60, 120, 300)))
    kind = rng.random()
    rule = None
    if kind < 0.4:
        rule = f"FREQ=DAILY;COUNT={rng.randint(3, 8)}"
    elif kind < 0.7:
        rule = f"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;COUNT={rng.randint(3, 9)}"
    values: events.EventValues = {
        "group_id": group_id,
        "title": f"E{group_id}-{n} ÄÖü",
        "event_type": EventType.MESSAGE if rng.random() < 0.5 else EventType.WEBSITE,
        "start": start,
        "end": end,
        "recurrence_rule": rule,
        "skip_holidays": rule is not None and rng.random() < 0.7,
        "academic_period_id": period_id,
    }
    if values["event_type"] is EventType.MESSAGE:
        values["message_text"] = f"Nachricht {n}"
    else:
        values["website_url"] = f"https://example.org/{n}"
    made = await events.create_event(container, admin, events.CreateEvent(values))
    if rule is None:
        return
    async with container.db.read_session() as session:
        occs = await calculator_for(container.settings).group_occurrences(
            session, group_id, start - timedelta(days=1), start + timedelta(days=30)
        )
    mine = [o for o in occs if o[2].id == made.event.id]
    if len(mine) >= 3 and rng.random() < 0.6:
        await events.delete_occurrence(container, admin, events.DeleteOccurrence(made.event.id, mine[1][0]))
    if len(mine) >= 3 and rng.random() < 0.6:
        moved = mine[-1][0] + timedelta(minutes=rng.choice((-30, 20, 90)))
        detached: events.EventValues = {"title": f"E{group_id}-{n} verschoben", "start": moved,
                                        "end": moved + (end - start)}  # fmt: skip
        await events.detach_occurrence(container, admin, events.DetachOccurrence(made.event.id, mine[-1][0], detached))


async def interesting_instants(container: Container, seeded: Seeded, rng: random.Random) -> list[datetime]:
    """Occurrence boundaries (exactly, and a second either side) plus random instants with microseconds."""
    moments: set[datetime] = set()
    calc = calculator_for(container.settings)
    async with container.db.read_session() as session:
        for first, last in WINDOWS:
            lo, hi = local(first, 0, 0), local(last, 0, 0)
            for group_id in seeded.groups:
                for o_start, o_end, _ in await calc.group_occurrences(session, group_id, lo, hi):
                    for t in (o_start, o_end):
                        moments.update((t - timedelta(seconds=1), t, t + timedelta(seconds=1)))
            span = (hi - lo).total_seconds()
            moments.update(lo + timedelta(seconds=rng.uniform(0, span)) for _ in range(6))
    picked = sorted(moments)
    return sorted(rng.sample(picked, min(len(picked), 40)))
