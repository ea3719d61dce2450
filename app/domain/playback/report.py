"""The playback report of a room (group) over a range: planned minutes per event (the preview's
`group_schedule` segments) against the minutes each display reported showing it, gaps and mismatches.

A display's reported time is the union of its playback intervals clipped to the range (app.domain.playback
.models); each stretch is laid over the segments: showing an event the segment plans (or nothing while
nothing is planned) counts as matching, anything else as mismatch; the rest of the range is a gap (no
report). Planned minutes of an event are the segments' minutes that list it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from app.domain.clients.models import Client
from app.domain.clock import as_utc
from app.domain.events.models import Event
from app.domain.events.ports import ScheduleDeps
from app.domain.playback.models import PlaybackInterval
from app.domain.preview.schedule import ScheduleSegment, group_schedule
from app.domain.users.tokens import Principal


def minutes(seconds: float) -> float:
    return round(seconds / 60.0, 3)


@dataclass(frozen=True, slots=True)
class DisplayMinutes:
    uuid: str
    name: str
    minutes: float


@dataclass(frozen=True, slots=True)
class EventPlayback:
    event_id: int
    title: str
    planned_minutes: float
    # Every display of the report, in the report's display order (0 where it never reported this event).
    displays: list[DisplayMinutes]


@dataclass(frozen=True, slots=True)
class DisplayPlayback:
    uuid: str
    name: str
    reported_minutes: float
    matched_minutes: float
    mismatch_minutes: float
    gap_minutes: float


@dataclass(frozen=True, slots=True)
class PlaybackReport:
    group_id: int
    start: datetime
    end: datetime
    events: list[EventPlayback]
    displays: list[DisplayPlayback]
    segments: list[ScheduleSegment] = field(default_factory=list)


Stretch = tuple[datetime, datetime, int | None]


@dataclass
class _Tally:
    reported: float = 0.0
    matched: float = 0.0
    mismatch: float = 0.0
    per_event: dict[int, float] = field(default_factory=lambda: defaultdict(float))


def tally(stretches: list[Stretch], segments: list[ScheduleSegment]) -> _Tally:
    """Lay one display's reported stretches over the segments (pure; both sorted by start)."""
    out = _Tally()
    for a, b, event_id in stretches:
        out.reported += (b - a).total_seconds()
        if event_id is not None:
            out.per_event[event_id] += (b - a).total_seconds()
        for seg in segments:
            lo, hi = max(a, seg.start), min(b, seg.end)
            if lo >= hi:
                continue
            seconds = (hi - lo).total_seconds()
            planned = event_id in seg.event_ids if event_id is not None else not seg.event_ids
            if planned:
                out.matched += seconds
            else:
                out.mismatch += seconds
    return out


def interval_end(row: Any) -> datetime:
    """A closed interval ends at `ended_at`; an open one at the display's last report (never before it began)."""
    if row.ended_at is not None:
        return as_utc(row.ended_at) or row.ended_at
    seen = [as_utc(v) for v in (row.started_at, row.last_alive, row.last_health_at) if v is not None]
    return max(v for v in seen if v is not None)


async def playback_report(
    deps: ScheduleDeps, principal: Principal | None, group_id: int, start: datetime, end: datetime
) -> PlaybackReport:
    """The report of `group_id` over [start, end) (any logged-in user may look; the range rules are
    group_schedule's: non-empty, at most MAX_RANGE)."""
    segments = await group_schedule(deps, principal, group_id, start, end)
    lo, hi = as_utc(start) or start, as_utc(end) or end
    async with deps.db.read_session() as session:
        rows = (
            await session.execute(
                select(
                    PlaybackInterval.client_uuid,
                    PlaybackInterval.started_at,
                    PlaybackInterval.ended_at,
                    PlaybackInterval.event_id,
                    Client.last_alive,
                    Client.last_health_at,
                )
                .outerjoin(Client, Client.uuid == PlaybackInterval.client_uuid)
                .where(
                    PlaybackInterval.group_id == group_id,
                    PlaybackInterval.started_at < hi,
                    or_(PlaybackInterval.ended_at.is_(None), PlaybackInterval.ended_at > lo),
                )
                .order_by(PlaybackInterval.client_uuid, PlaybackInterval.started_at)
            )
        ).all()
        uuids = {row.client_uuid for row in rows}
        clients = (
            await session.execute(
                select(Client.uuid, Client.description, Client.hostname).where(
                    or_(Client.group_id == group_id, Client.uuid.in_(uuids))
                )
            )
        ).all()
        stretches: dict[str, list[Stretch]] = defaultdict(list)
        for row in rows:
            a, b = max(as_utc(row.started_at) or lo, lo), min(interval_end(row), hi)
            if a < b:
                stretches[row.client_uuid].append((a, b, row.event_id))
        event_ids = {i for s in segments for i in s.event_ids} | {e for lst in stretches.values() for *_, e in lst}
        known = {i for i in event_ids if i is not None}
        titles = dict((await session.execute(select(Event.id, Event.title).where(Event.id.in_(known)))).all())
    names = {c.uuid: c.description or c.hostname or c.uuid for c in clients}
    order = sorted(names, key=lambda u: (names[u].lower(), u))
    total = (hi - lo).total_seconds()
    tallies = {uuid: tally(stretches.get(uuid, []), segments) for uuid in order}
    planned: dict[int, float] = defaultdict(float)
    for seg in segments:
        for event_id in seg.event_ids:
            planned[event_id] += (seg.end - seg.start).total_seconds()
    shown = sorted(set(planned) | {e for t in tallies.values() for e in t.per_event})
    events = [
        EventPlayback(
            event_id,
            titles.get(event_id, f"#{event_id}"),
            minutes(planned.get(event_id, 0.0)),
            [DisplayMinutes(u, names[u], minutes(tallies[u].per_event.get(event_id, 0.0))) for u in order],
        )
        for event_id in shown
    ]
    displays = [
        DisplayPlayback(
            u, names[u], minutes(t.reported), minutes(t.matched), minutes(t.mismatch), minutes(total - t.reported)
        )
        for u, t in tallies.items()
    ]
    return PlaybackReport(group_id, lo, hi, events, displays, segments)
