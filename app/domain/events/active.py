"""What every group shows right now, computed for all groups in one batch.

A tick runs a constant number of SQL statements however many groups exist:
1. a data version (counts and maxima of events and exceptions),
2. all group ids,
3. the media (and READY PDF conversions) of the events active now.
When the version changed, an event changed on the bus, or the loaded span ran out (CACHE_SPAN), two more
statements reload every candidate event and its exceptions near now, and series are expanded into one
sorted occurrence plan (per-event expansions are cached until the event changes). Between reloads a tick
is a binary search in that plan, so its cost does not grow with the number of events.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.clients.models import ClientGroup
from app.domain.clock import as_utc
from app.domain.enums import ConversionStatus, EventType, MediaType
from app.domain.events.models import Event, EventException
from app.domain.events.payloads import EventSnapshot, MediaFacts, event_payload, media_facts
from app.domain.events.recurrence import Occurrence, OccurrenceIndex, truncate_seconds
from app.domain.media.models import Conversion, EventMedia

log = logging.getLogger(__name__)

# How far ahead occurrences are looked at, to chain back-to-back events into one power window.
LOOKAHEAD = timedelta(hours=24)
# A loaded plan serves ticks for this long (unless the data changes first).
CACHE_SPAN = timedelta(hours=1)
# How far ahead series are expanded (EVENTS_WINDOW_DAYS): a series index reaches now + window, so it is
# rebuilt about once per window; nothing beyond the window is expanded for the plan.
DEFAULT_WINDOW = timedelta(days=7)
# Per-event jitter taken off the window's end spreads the next rebuilds over half a day instead of one slow tick.
INDEX_JITTER = timedelta(hours=12)

_SNAPSHOT_COLUMNS = (
    Event.id,
    Event.group_id,
    Event.title,
    Event.event_type,
    Event.start,
    Event.end,
    Event.recurrence_rule,
    Event.recurrence_end,
    Event.detached_from_event_id,
    Event.event_media_id,
    Event.slideshow_interval,
    Event.page_progress,
    Event.auto_progress,
    Event.website_url,
    Event.autoplay,
    Event.loop,
    Event.volume,
    Event.muted,
    Event.message_text,
)


@dataclass(frozen=True, slots=True)
class ActiveOccurrence:
    event: EventSnapshot
    start: datetime
    end: datetime


@dataclass(slots=True)
class GroupSchedule:
    group_id: int
    # Occurrences running at `now`, sorted by start then event id.
    active: list[ActiveOccurrence] = field(default_factory=list)
    # (start, end) of occurrences running now or starting within LOOKAHEAD (for the merged power window);
    # filled for groups with active events only.
    upcoming: list[tuple[datetime, datetime]] = field(default_factory=list)

    @property
    def active_event_ids(self) -> list[int]:
        return sorted({o.event.id for o in self.active})


@dataclass(slots=True)
class Snapshot:
    now: datetime
    groups: dict[int, GroupSchedule]
    media: dict[int, MediaFacts]

    def event_list(self, group_id: int) -> list[dict[str, Any]]:
        schedule = self.groups.get(group_id)
        if schedule is None:
            return []
        return [
            event_payload(
                o.event, o.start, o.end, self.media.get(o.event.event_media_id) if o.event.event_media_id else None
            )
            for o in schedule.active
        ]


@dataclass(slots=True)
class _Plan:
    """Every occurrence of the candidate events in [loaded_at, valid_until + LOOKAHEAD), exceptions applied."""

    version: tuple[Any, ...]
    loaded_at: datetime
    valid_until: datetime
    longest: timedelta
    # Global list sorted by start: (start, end, event); `starts` mirrors it for bisecting.
    entries: list[tuple[datetime, datetime, EventSnapshot]]
    starts: list[datetime]
    # Per group: occurrence intervals sorted by start, and their starts.
    group_intervals: dict[int, list[tuple[datetime, datetime]]]
    group_starts: dict[int, list[datetime]]
    events: int = 0


def _candidate_filter(now: datetime, horizon: datetime) -> Any:
    """Events that can have an occurrence overlapping [now, horizon)."""
    return and_(
        Event.is_active.is_(True),
        Event.start < horizon,
        or_(
            and_(Event.recurrence_rule.is_(None), Event.end > now),
            and_(
                Event.recurrence_rule.is_not(None),
                or_(Event.recurrence_end.is_(None), Event.recurrence_end > now),
            ),
        ),
    )


_VERSION = select(
    select(func.count()).select_from(Event).scalar_subquery(),
    select(func.max(Event.id)).scalar_subquery(),
    select(func.max(Event.updated_at)).scalar_subquery(),
    select(func.count()).select_from(EventException).scalar_subquery(),
    select(func.max(EventException.id)).scalar_subquery(),
)


class ActiveEventsCalculator:
    """Holds the occurrence plan and per-event expansions between ticks; one instance per scheduler."""

    def __init__(
        self,
        tz: tzinfo,
        converted_dir: Path | None = None,
        public_base_url: str = "",
        *,
        window: timedelta | None = None,
    ) -> None:
        self.public_base_url = public_base_url.rstrip("/")
        self.window = window if window is not None else DEFAULT_WINDOW
        self.tz = tz
        self.converted_dir = converted_dir
        self._plan: _Plan | None = None
        self._indexes: dict[int, tuple[tuple[Any, ...], OccurrenceIndex]] = {}
        self._pdf_sizes: dict[str, int | None] = {}
        self._warned_media: set[int] = set()
        self.reloads = 0

    def invalidate(self) -> None:
        """Reload the candidate events on the next tick (something changed)."""
        self._plan = None

    # --- expansion --------------------------------------------------------------------------------
    def _index(self, event: EventSnapshot, need_start: datetime, need_end: datetime, now: datetime) -> OccurrenceIndex:
        key = (event.start, event.end, event.recurrence_rule)
        cached = self._indexes.get(event.id)
        if cached is not None and cached[0] == key and cached[1].covers(need_start, need_end):
            return cached[1]
        jitter = min(INDEX_JITTER, self.window / 4) * ((event.id % 720) / 720)
        reach = max(need_end, now + self.window - jitter)
        index = OccurrenceIndex.build(event.start, event.end, event.recurrence_rule, self.tz, need_start, reach)
        self._indexes[event.id] = (key, index)
        return index

    def _occurrences(
        self, event: EventSnapshot, now: datetime, horizon: datetime, excluded: set[datetime]
    ) -> list[Occurrence]:
        if event.recurrence_rule is None:
            start, end = truncate_seconds(event.start), truncate_seconds(event.end)
            if start in excluded or not (start < horizon and end > now):
                return []
            return [Occurrence(start, end)]
        duration = event.end - event.start
        index = self._index(event, now - duration, horizon, now)
        return [o for o in index.overlapping(now, horizon) if o.start not in excluded]

    def expanded_starts(self, event_id: int) -> list[datetime]:
        """The occurrence starts of a series the scheduler has expanded so far (diagnostics, tests)."""
        cached = self._indexes.get(event_id)
        return [] if cached is None else list(cached[1].starts)

    # --- loading ----------------------------------------------------------------------------------
    async def _candidates(
        self, session: AsyncSession, lo: datetime, hi: datetime, group_id: int | None = None
    ) -> tuple[list[EventSnapshot], dict[int, set[datetime]]]:
        """Events that can have an occurrence overlapping [lo, hi) and their excluded starts there."""
        candidate = _candidate_filter(lo, hi)
        if group_id is not None:
            candidate = and_(candidate, Event.group_id == group_id)
        rows = (await session.execute(select(*_SNAPSHOT_COLUMNS).where(candidate))).all()
        events = [EventSnapshot(*row) for row in rows]
        longest = max((e.end - e.start for e in events), default=timedelta(0))
        exc_rows = (
            await session.execute(
                select(EventException.event_id, EventException.exception_start)
                .join(Event, Event.id == EventException.event_id)
                .where(
                    candidate,
                    EventException.exception_start > lo - longest - timedelta(seconds=1),
                    EventException.exception_start < hi,
                )
            )
        ).all()
        excluded: dict[int, set[datetime]] = defaultdict(set)
        for event_id, start in exc_rows:
            excluded[event_id].add(truncate_seconds(start))
        return events, excluded

    async def group_occurrences(
        self, session: AsyncSession, group_id: int, lo: datetime, hi: datetime
    ) -> list[tuple[datetime, datetime, EventSnapshot]]:
        """Every occurrence of one group's events overlapping [lo, hi), exceptions applied, sorted by
        (start, event id): the same expansion a tick's plan is built from."""
        events, excluded = await self._candidates(session, lo, hi, group_id)
        entries = [
            (occ.start, occ.end, event)
            for event in events
            for occ in self._occurrences(event, lo, hi, excluded.get(event.id, set()))
        ]
        entries.sort(key=lambda item: (item[0], item[2].id))
        return entries

    async def _load(
        self, session: AsyncSession, now: datetime, version: tuple[Any, ...], group_id: int | None = None
    ) -> _Plan:
        valid_until = now + CACHE_SPAN
        horizon = min(valid_until + LOOKAHEAD, now + self.window)  # never beyond EVENTS_WINDOW_DAYS
        events, excluded = await self._candidates(session, now, horizon, group_id)
        longest = max((e.end - e.start for e in events), default=timedelta(0))

        entries: list[tuple[datetime, datetime, EventSnapshot]] = []
        intervals: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        for position, event in enumerate(events):
            if position % 500 == 499:
                await asyncio.sleep(0)  # expanding thousands of series: let ingest and HTTP run in between
            for occ in self._occurrences(event, now, horizon, excluded.get(event.id, set())):
                entries.append((occ.start, occ.end, event))
                intervals[event.group_id].append((occ.start, occ.end))
        seen = {e.id for e in events}
        for stale in set(self._indexes) - seen:
            del self._indexes[stale]
        entries.sort(key=lambda item: (item[0], item[2].id))
        for group_list in intervals.values():
            group_list.sort()
        self.reloads += 1
        return _Plan(
            version=version,
            loaded_at=now,
            valid_until=valid_until,
            longest=longest,
            entries=entries,
            starts=[item[0] for item in entries],
            group_intervals=dict(intervals),
            group_starts={g: [i[0] for i in lst] for g, lst in intervals.items()},
            events=len(events),
        )

    async def compute(self, session: AsyncSession, now: datetime, *, group_id: int | None = None) -> Snapshot:
        """Every group's schedule at `now`; with `group_id` only that group's (a plan of its events alone,
        neither cached nor replacing the cached plan: the same computation, restricted)."""
        now = as_utc(now) or now
        if group_id is not None:
            plan = await self._load(session, now, (), group_id)
            group_ids = [group_id]
        else:
            version = tuple((await session.execute(_VERSION)).one())
            plan = self._plan
            if plan is None or plan.version != version or not plan.loaded_at <= now < plan.valid_until:
                plan = self._plan = await self._load(session, now, version)
            group_ids = list((await session.scalars(select(ClientGroup.id))).all())
        groups = {gid: GroupSchedule(gid) for gid in group_ids}

        # Running now: started in (now - longest, now] and not yet ended.
        lo = bisect.bisect_right(plan.starts, now - plan.longest)
        hi = bisect.bisect_right(plan.starts, now)
        for start, end, event in plan.entries[lo:hi]:
            schedule = groups.get(event.group_id)
            if end > now and schedule is not None:
                schedule.active.append(ActiveOccurrence(event, start, end))
        until = now + LOOKAHEAD
        for group_id, schedule in groups.items():
            if not schedule.active:
                continue
            starts = plan.group_starts[group_id]
            first = bisect.bisect_right(starts, now - plan.longest)
            last = bisect.bisect_left(starts, until)
            schedule.upcoming = [iv for iv in plan.group_intervals[group_id][first:last] if iv[1] > now]

        media_ids = {
            o.event.event_media_id
            for s in groups.values()
            for o in s.active
            if o.event.event_media_id is not None and o.event.event_type in (EventType.PRESENTATION, EventType.VIDEO)
        }
        media = await self._load_media(session, media_ids)
        return Snapshot(now=now, groups=groups, media=media)

    async def _load_media(self, session: AsyncSession, media_ids: set[int]) -> dict[int, MediaFacts]:
        """The media of active events plus their READY PDF conversion, in one statement."""
        if not media_ids:
            return {}
        rows = (
            await session.execute(
                select(EventMedia, Conversion)
                .outerjoin(
                    Conversion,
                    and_(
                        Conversion.source_event_media_id == EventMedia.id,
                        Conversion.target_format == "pdf",
                        Conversion.status == ConversionStatus.READY,
                    ),
                )
                .where(EventMedia.id.in_(sorted(media_ids)))
                .order_by(EventMedia.id, Conversion.id)
            )
        ).all()
        by_media: dict[int, tuple[EventMedia, list[Conversion]]] = {}
        for media, conversion in rows:
            entry = by_media.setdefault(media.id, (media, []))
            if conversion is not None:
                entry[1].append(conversion)
        best: dict[int, tuple[EventMedia, Conversion | None]] = {}
        for media_id, (media, conversions) in by_media.items():
            # The conversion of the media's current content, else the newest one.
            newest_first = conversions[::-1]
            chosen = next((c for c in newest_first if c.file_hash == media.sha256), None)
            best[media_id] = (media, chosen or (newest_first[0] if newest_first else None))
        facts: dict[int, MediaFacts] = {}
        for media_id, (media, conversion) in best.items():
            fact = media_facts(media, conversion, self._pdf_size(conversion), self.public_base_url)
            if fact.slides is None and fact.media_type is not MediaType.VIDEO and media_id not in self._warned_media:
                self._warned_media.add(media_id)
                log.warning("event=presentation_without_pdf media=%s (conversion not ready)", media_id)
            facts[media_id] = fact
        return facts

    def _pdf_size(self, conversion: Conversion | None) -> int | None:
        if conversion is None or not conversion.target_path or self.converted_dir is None:
            return None
        path = conversion.target_path
        if path not in self._pdf_sizes:
            if len(self._pdf_sizes) > 10_000:
                self._pdf_sizes.clear()
            root = self.converted_dir.resolve()
            target = (root / path).resolve()
            size: int | None = None
            if target.is_relative_to(root):
                try:
                    size = os.stat(target).st_size
                except OSError:
                    size = None
            self._pdf_sizes[path] = size
        return self._pdf_sizes[path]
