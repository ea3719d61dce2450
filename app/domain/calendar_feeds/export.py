"""A room group's schedule as an iCalendar (RFC 5545) feed for Outlook, Google Calendar and Thunderbird.

- Every active event of the group whose series has not ended more than CALENDAR_FEED_PAST_DAYS ago is one
  VEVENT with a stable UID (`event-<id>@<host>`), DTSTART/DTEND as local wall time with the school zone's
  TZID (a VTIMEZONE for that zone is included, see `vtimezone`), the stored RRULE and one EXDATE per
  excluded occurrence: deleted occurrences and holiday skips alike — clients know nothing of our
  holidays, so the skipped dates have to be spelled out.
- A detached occurrence whose event is in the same feed becomes an override: a VEVENT with the series'
  UID and RECURRENCE-ID = the occurrence it replaces (no EXDATE for it). A detached event shown elsewhere
  (another group, or its series inactive) is an ordinary event of its own; when it is inactive the
  occurrence it replaced is an EXDATE.
- DTSTAMP is the time of the export, LAST-MODIFIED the event's last change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from urllib.parse import urlsplit

import icalendar
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.calendar_feeds.vtimezone import vtimezone
from app.domain.clients.groups import get_group
from app.domain.clock import as_utc, utcnow
from app.domain.enums import ExceptionKind
from app.domain.events.models import Event, EventException
from app.domain.events.ports import ScheduleDeps
from app.domain.events.service import EventWithExceptions, list_events

PRODID = "-//infoscreen//Schedule feed//DE"
REFRESH = timedelta(hours=1)  # REFRESH-INTERVAL / X-PUBLISHED-TTL (PT1H)
# The VTIMEZONE is derived from the zone's transitions up to this many years after the export; regular yearly
# changes become open-ended RRULEs, so later occurrences stay right too (app.domain.calendar_feeds.vtimezone).
TIMEZONE_YEARS_AHEAD = 15


@dataclass(frozen=True)
class FeedOptions:
    tz: tzinfo
    now: datetime
    past_days: int
    host: str = "infoscreen.local"


def uid_for(event_id: int, host: str) -> str:
    return f"event-{event_id}@{host}"


def feed_host(public_base_url: str | None) -> str:
    """The UID domain: the server's public host when configured (UIDs stay stable as long as it does)."""
    host = urlsplit(public_base_url or "").hostname
    return host or "infoscreen.local"


def _zone_name(tz: tzinfo) -> str:
    name = getattr(tz, "key", None) or str(tz)
    return str(name)


def _local(value: datetime, tz: tzinfo) -> datetime:
    utc = as_utc(value)
    assert utc is not None
    return utc.replace(microsecond=0).astimezone(tz)


def _describe(event: Event) -> str | None:
    parts = [p for p in (event.description, event.message_text, event.website_url) if p]
    return "\n\n".join(parts) if parts else None


def _base_vevent(event: Event, uid: str, options: FeedOptions) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("UID", uid)
    vevent.add("DTSTAMP", options.now.astimezone(UTC))
    vevent.add("DTSTART", _local(event.start, options.tz))
    vevent.add("DTEND", _local(event.end, options.tz))
    vevent.add("SUMMARY", event.title)
    description = _describe(event)
    if description:
        vevent.add("DESCRIPTION", description)
    vevent.add("CATEGORIES", [str(event.event_type)])
    if event.updated_at is not None:
        vevent.add("LAST-MODIFIED", as_utc(event.updated_at))
    vevent.add("TRANSP", "OPAQUE")
    return vevent


def _series(item: EventWithExceptions, overrides: dict[int, Event], options: FeedOptions) -> list[icalendar.Event]:
    """The master VEVENT of a series plus one RECURRENCE-ID override per detached occurrence in the feed."""
    event = item.event
    uid = uid_for(event.id, options.host)
    master = _base_vevent(event, uid, options)
    master.add("RRULE", icalendar.vRecur.from_ical(event.recurrence_rule or ""))
    excluded: list[datetime] = []
    result = [master]
    for exception in sorted(item.exceptions, key=lambda x: x.exception_start):
        replacement = _replacement(exception, overrides)
        if replacement is None:
            excluded.append(_local(exception.exception_start, options.tz))
            continue
        override = _base_vevent(replacement, uid, options)
        override.add("RECURRENCE-ID", _local(exception.exception_start, options.tz))
        result.append(override)
    if excluded:
        master.add("EXDATE", excluded)
    return result


def _replacement(exception: EventException, overrides: dict[int, Event]) -> Event | None:
    if exception.kind is not ExceptionKind.DETACHED or exception.detached_event_id is None:
        return None
    return overrides.get(exception.detached_event_id)


def build_feed(group_name: str, items: list[EventWithExceptions], options: FeedOptions) -> bytes:
    """The iCalendar bytes for these events (pure: the caller loaded them)."""
    active = {i.event.id: i for i in items if i.event.is_active}
    # Detached events shown as overrides of a series in this feed (instead of as events of their own): the
    # series is here and active, its exception points at the detached event, and that one is no series itself.
    overrides: dict[int, Event] = {}
    for item in active.values():
        if not item.event.recurrence_rule:
            continue
        for exception in item.exceptions:
            detached = active.get(exception.detached_event_id or -1)
            if exception.kind is not ExceptionKind.DETACHED or detached is None:
                continue
            if not detached.event.recurrence_rule and detached.event.detached_from_event_id == item.event.id:
                overrides[detached.event.id] = detached.event

    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    name = f"Infoscreen – {group_name}"
    calendar.add("X-WR-CALNAME", name)
    calendar.add("NAME", name)
    calendar.add("X-WR-TIMEZONE", _zone_name(options.tz))
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", "PT1H")

    first_year = options.now.year - 1
    for item in sorted(active.values(), key=lambda i: (i.event.start, i.event.id)):
        event = item.event
        first_year = min(first_year, _local(event.start, options.tz).year)
        if event.id in overrides:
            continue
        if event.recurrence_rule:
            for vevent in _series(item, overrides, options):
                calendar.add_component(vevent)
        else:
            calendar.add_component(_base_vevent(event, uid_for(event.id, options.host), options))
    last_year = options.now.year + TIMEZONE_YEARS_AHEAD
    zone = vtimezone(options.tz, _zone_name(options.tz), max(first_year, 1971), last_year)
    calendar.subcomponents.insert(0, zone)
    return calendar.to_ical()


async def group_feed(session: AsyncSession, group_id: int, options: FeedOptions) -> bytes:
    """The feed of one group (NotFoundError when the group does not exist)."""
    group = await get_group(session, group_id)
    cutoff = options.now - timedelta(days=options.past_days)
    items = await list_events(session, group_id=group_id, start=cutoff)
    return build_feed(group.name, items, options)


async def render_group_feed(deps: ScheduleDeps, group_id: int) -> bytes:
    """The group's feed as served now (past days, host and zone from the settings); NotFoundError if no group."""
    settings = deps.settings
    options = FeedOptions(
        tz=settings.tz, now=utcnow(), past_days=settings.calendar_feed_past_days,
        host=feed_host(settings.public_base_url),
    )  # fmt: skip
    async with deps.db.read_session() as session:
        return await group_feed(session, group_id, options)
