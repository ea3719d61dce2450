"""`group_schedule`: a group's published state over a range, as contiguous segments.

Boundaries come from the occurrence expansion (`ActiveEventsCalculator.group_occurrences`, the expansion a
tick's plan is built from), never from sampling: a segment ends exactly where an occurrence starts or ends
(and, where no event runs, where a holiday or an academic period begins or ends, in the school time zone).
Within a segment the set of running occurrences is constant, so the event list is too; the power state is
ON exactly while an occurrence runs.

A Durchsage overrides the schedule as in the scheduler: while one targets the group (the winner by severity,
then the newest) the segment has reason `broadcast`, its one event id (`EVENT_ID_BASE + broadcast id`), the
wire title and power ON; its boundaries are the broadcast's start and its all-clear or ends_at.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from itertools import pairwise

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.broadcasts.override import load_between
from app.domain.broadcasts.rules import BroadcastView, winner
from app.domain.clients.models import ClientGroup
from app.domain.clock import as_utc
from app.domain.enums import Role
from app.domain.errors import NotFoundError, ValidationError
from app.domain.events.payloads import EventSnapshot
from app.domain.events.ports import ScheduleDeps
from app.domain.events.recurrence import local_day_bounds
from app.domain.periods.models import AcademicPeriod, SchoolHoliday
from app.domain.power.intent import OFF, ON
from app.domain.preview.payload import calculator_for
from app.domain.usecase import require_role
from app.domain.users.tokens import Principal

# A school year and a bit; longer ranges are refused (the answer would be too large to be useful).
MAX_RANGE = timedelta(days=400)


class SegmentReason(enum.Enum):
    EVENT = "event"
    NO_EVENT = "no_event"
    HOLIDAY = "holiday"
    OUTSIDE_PERIOD = "outside_period"
    BROADCAST = "broadcast"


@dataclass(frozen=True, slots=True)
class ScheduleSegment:
    start: datetime
    end: datetime
    # Ids sorted ascending; titles in event-list order (occurrence start, then event id).
    event_ids: tuple[int, ...]
    titles: tuple[str, ...]
    power_state: str
    reason: SegmentReason


Occ = tuple[datetime, datetime, EventSnapshot]


def _day_ranges(ranges: list[tuple[date, date]], tz: tzinfo) -> list[tuple[datetime, datetime]]:
    return [local_day_bounds(first, last, tz) for first, last in ranges]


def _covered(instant: datetime, spans: list[tuple[datetime, datetime]]) -> bool:
    return any(a <= instant < b for a, b in spans)


def build_segments(
    occurrences: list[Occ],
    start: datetime,
    end: datetime,
    holidays: list[tuple[datetime, datetime]],
    periods: list[tuple[datetime, datetime]] | None,
) -> list[ScheduleSegment]:
    """Segments of [start, end) from sorted occurrences and the holiday/period spans (pure).

    `periods` None means no academic periods are defined (then nothing is "outside a period")."""
    cuts = {start, end}
    for o_start, o_end, _ in occurrences:
        cuts.update(t for t in (o_start, o_end) if start < t < end)
    for a, b in holidays + (periods or []):
        cuts.update(t for t in (a, b) if start < t < end)
    points = sorted(cuts)
    # Sweep: occurrences sorted by start enter, those whose end is reached leave.
    running: list[Occ] = []
    nxt = 0
    segments: list[ScheduleSegment] = []
    prev_key: object = None
    for a, b in pairwise(points):
        while nxt < len(occurrences) and occurrences[nxt][0] <= a:
            running.append(occurrences[nxt])
            nxt += 1
        running = [o for o in running if o[1] > a]
        if running:
            key = (tuple(sorted({o[2].id for o in running})), tuple(o[2].title for o in running), ON)
            reason = SegmentReason.EVENT
            occ_key: object = tuple((o[0], o[2].id) for o in running)
        else:
            key = ((), (), OFF)
            if _covered(a, holidays):
                reason = SegmentReason.HOLIDAY
            elif periods is not None and not _covered(a, periods):
                reason = SegmentReason.OUTSIDE_PERIOD
            else:
                reason = SegmentReason.NO_EVENT
            occ_key = reason
        last = segments[-1] if segments else None
        # The same running occurrences (or the same idle reason) on both sides of a cut: one segment.
        if last is not None and occ_key == prev_key:
            segments[-1] = ScheduleSegment(last.start, b, *key, reason)
        else:
            segments.append(ScheduleSegment(a, b, *key, reason))
        prev_key = occ_key
    return segments


def overlay_broadcasts(
    segments: list[ScheduleSegment], broadcasts: list[BroadcastView], group_id: int
) -> list[ScheduleSegment]:
    """Replace the parts of `segments` during which a broadcast wins the group (pure)."""
    mine = [b for b in broadcasts if b.targets(group_id)]
    if not mine:
        return segments
    cuts = {t for b in mine for t in (b.started_at, b.stop) if t is not None}
    out: list[ScheduleSegment] = []
    keys: list[object] = []
    for index, seg in enumerate(segments):
        points = sorted({seg.start, seg.end} | {t for t in cuts if seg.start < t < seg.end})
        for a, b in pairwise(points):
            win = winner(mine, group_id, a)
            if win is None:
                key: object = ("segment", index)
                piece = ScheduleSegment(a, b, seg.event_ids, seg.titles, seg.power_state, seg.reason)
            else:
                key = ("broadcast", win.id)
                piece = ScheduleSegment(a, b, (win.event_id,), (win.wire_title(),), ON, SegmentReason.BROADCAST)
            if out and keys[-1] == key:
                last = out[-1]
                out[-1] = ScheduleSegment(last.start, b, last.event_ids, last.titles, last.power_state, last.reason)
            else:
                out.append(piece)
                keys.append(key)
    return out


async def _calendar_spans(
    session: AsyncSession, tz: tzinfo
) -> tuple[list[tuple[datetime, datetime]], list[tuple[datetime, datetime]] | None]:
    """UTC spans of the holidays (of non-archived periods and unassigned ones) and of the periods."""
    periods = (
        await session.execute(
            select(AcademicPeriod.id, AcademicPeriod.start_date, AcademicPeriod.end_date).where(
                AcademicPeriod.is_archived.is_(False)
            )
        )
    ).all()
    period_ids = [p.id for p in periods]
    holidays = (
        await session.execute(
            select(SchoolHoliday.start_date, SchoolHoliday.end_date).where(
                or_(SchoolHoliday.academic_period_id.is_(None), SchoolHoliday.academic_period_id.in_(period_ids))
            )
        )
    ).all()
    period_spans = _day_ranges([(p.start_date, p.end_date) for p in periods], tz) if periods else None
    return _day_ranges([(h.start_date, h.end_date) for h in holidays], tz), period_spans


async def group_schedule(
    deps: ScheduleDeps, principal: Principal | None, group_id: int, start: datetime, end: datetime
) -> list[ScheduleSegment]:
    """The segments of [start, end) for one group (any logged-in user may look)."""
    require_role(principal, Role.USER)
    lo, hi = as_utc(start) or start, as_utc(end) or end
    if not lo < hi:
        raise ValidationError("preview.range_empty", field="end")
    if hi - lo > MAX_RANGE:
        raise ValidationError("preview.range_too_long", field="end", days=MAX_RANGE.days)
    tz = deps.settings.tz
    async with deps.db.read_session() as session:
        if await session.get(ClientGroup, group_id) is None:
            raise NotFoundError("group.not_found", id=group_id)
        occurrences = await calculator_for(deps.settings).group_occurrences(session, group_id, lo, hi)
        holidays, periods = await _calendar_spans(session, tz)
        broadcasts = await load_between(session, lo, hi)
    return overlay_broadcasts(build_segments(occurrences, lo, hi, holidays, periods), broadcasts, group_id)
