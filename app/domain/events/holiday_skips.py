"""Holiday skips: the `kind=holiday` exceptions of events with `skip_holidays`, regenerated from holidays.

An event uses the holidays of its academic period; an event without a period uses only the unassigned
holidays (academic_period_id NULL). An occurrence is skipped when its local start date (school time zone)
falls inside a holiday. Deleted and detached exceptions are never touched: a holiday skip is not written
where one of them already excludes the occurrence.

Callers run this inside their unit of work whenever an event's recurrence, period or skip flag changes, or
holidays of a period change, and publish EVENTS_CHANGED after committing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import get_settings
from app.domain.enums import ExceptionKind
from app.domain.events.models import Event, EventException
from app.domain.events.recurrence import iter_starts, local_date, local_day_bounds
from app.domain.periods.models import SchoolHoliday

_MAX_SKIPS_PER_EVENT = 20_000


def holiday_skip_starts(
    rule: str | None, start: datetime, holidays: list[tuple[date, date, int | None]], tz: tzinfo
) -> list[tuple[datetime, int | None]]:
    """UTC starts of the occurrences whose local start date lies in a holiday, with that holiday's id (pure)."""
    if not holidays:
        return []
    ranges = sorted(holidays, key=lambda r: (r[0], r[1]))
    first = ranges[0][0]
    last = max(r[1] for r in ranges)
    since, until = local_day_bounds(first, last, tz)
    skips: list[tuple[datetime, int | None]] = []
    for occ_start in iter_starts(rule, start, tz, until, since=since):
        day = local_date(occ_start, tz)
        if day < first:
            continue
        hits = [hid for s, e, hid in ranges if s <= day <= e]
        if hits:
            skips.append((occ_start, hits[0]))
        if len(skips) >= _MAX_SKIPS_PER_EVENT:
            break
    return skips


def _school_tz() -> tzinfo:
    return ZoneInfo(get_settings().school_timezone)


async def refresh_holiday_exceptions(
    session: AsyncSession,
    *,
    academic_period_id: int | None = None,
    event_id: int | None = None,
    all_events: bool = False,
    tz: tzinfo | None = None,
) -> int:
    """Regenerate holiday exceptions; returns how many holiday exceptions now exist for the events touched.

    Scope: `event_id` → that event; else `academic_period_id` → the events of that period; else (both None)
    → the events without a period (their holidays are the unassigned ones); `all_events=True` → every event.
    Flushes, never commits.
    """
    zone = tz or _school_tz()
    stmt = select(Event)
    if event_id is not None:
        stmt = stmt.where(Event.id == event_id)
    elif all_events:
        pass
    elif academic_period_id is not None:
        stmt = stmt.where(Event.academic_period_id == academic_period_id)
    else:
        stmt = stmt.where(Event.academic_period_id.is_(None))
    events = list((await session.scalars(stmt)).all())
    if not events:
        return 0
    ids = [e.id for e in events]

    await session.execute(
        delete(EventException).where(EventException.event_id.in_(ids), EventException.kind == ExceptionKind.HOLIDAY)
    )
    skipping = [e for e in events if e.skip_holidays]
    if not skipping:
        await session.flush()
        return 0

    period_ids = {e.academic_period_id for e in skipping}
    holiday_stmt = select(SchoolHoliday)
    named = [p for p in period_ids if p is not None]
    if None in period_ids and named:
        holiday_stmt = holiday_stmt.where(
            SchoolHoliday.academic_period_id.in_(named) | SchoolHoliday.academic_period_id.is_(None)
        )
    elif named:
        holiday_stmt = holiday_stmt.where(SchoolHoliday.academic_period_id.in_(named))
    else:
        holiday_stmt = holiday_stmt.where(SchoolHoliday.academic_period_id.is_(None))
    holidays_by_period: dict[int | None, list[SchoolHoliday]] = defaultdict(list)
    for holiday in (await session.scalars(holiday_stmt)).all():
        holidays_by_period[holiday.academic_period_id].append(holiday)

    kept = await session.execute(
        select(EventException.event_id, EventException.exception_start).where(EventException.event_id.in_(ids))
    )
    taken: dict[int, set] = defaultdict(set)
    for ev_id, start in kept.all():
        taken[ev_id].add(start)

    written = 0
    for event in skipping:
        ranges = [(h.start_date, h.end_date, h.id) for h in holidays_by_period.get(event.academic_period_id, [])]
        for occ_start, holiday_id in holiday_skip_starts(event.recurrence_rule, event.start, ranges, zone):
            if occ_start in taken[event.id]:
                continue
            session.add(
                EventException(
                    event_id=event.id, exception_start=occ_start, kind=ExceptionKind.HOLIDAY, holiday_id=holiday_id
                )
            )
            taken[event.id].add(occ_start)
            written += 1
    await session.flush()
    return written
