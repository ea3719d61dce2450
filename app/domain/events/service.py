"""Event use cases: create, update and delete events of every type, and delete or detach one occurrence.

Each write is a use case `(deps, principal, command)`: editor+, its own unit of work, an audit row, and
one EVENTS_CHANGED announced after the commit (app.domain.events.changes) so the scheduler republishes
within one poll interval and live calendars redraw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, TypedDict
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.clients.models import ClientGroup
from app.domain.clock import as_utc
from app.domain.enums import EventType, ExceptionKind, MediaType, Role
from app.domain.errors import ConflictError, NotFoundError, ValidationError
from app.domain.events import changes, recurrence
from app.domain.events.holiday_skips import refresh_holiday_exceptions
from app.domain.events.models import Event, EventException
from app.domain.events.ports import ScheduleDeps
from app.domain.media.models import EventMedia
from app.domain.periods.models import AcademicPeriod
from app.domain.settings.service import get_presentation_defaults, get_supplement_table, get_video_defaults
from app.domain.usecase import require_role, unit_of_work
from app.domain.users.tokens import Principal

WRITE_ROLE = Role.EDITOR
MAX_TITLE = 255
MAX_URL = 2048
MAX_TEXT = 10_000
MAX_EVENT_DURATION = timedelta(days=366)
MIN_YEAR, MAX_YEAR = 1970, 2200
PRESENTATION_MEDIA = frozenset({MediaType.PPT, MediaType.PPTX, MediaType.ODP, MediaType.PDF})
VIDEO_MEDIA = frozenset({MediaType.VIDEO})

_PRESENTATION_FIELDS = ("event_media_id", "slideshow_interval", "page_progress", "auto_progress")
_VIDEO_FIELDS = ("event_media_id", "autoplay", "loop", "volume", "muted")
_TYPE_FIELDS: dict[EventType, tuple[str, ...]] = {
    EventType.PRESENTATION: _PRESENTATION_FIELDS,
    EventType.VIDEO: _VIDEO_FIELDS,
    EventType.WEBSITE: ("website_url",),
    EventType.WEBUNTIS: ("website_url",),
    EventType.MESSAGE: ("message_text",),
}
_ALL_TYPE_FIELDS = frozenset(f for fields in _TYPE_FIELDS.values() for f in fields)
# Fields whose change requires the holiday skips to be regenerated.
_HOLIDAY_INPUTS = ("start", "recurrence_rule", "academic_period_id", "skip_holidays")


class EventValues(TypedDict, total=False):
    """Event fields by model attribute name; on update only the keys present are changed."""

    group_id: int
    title: str
    description: str | None
    event_type: EventType
    start: datetime
    end: datetime
    recurrence_rule: str | None
    skip_holidays: bool
    academic_period_id: int | None
    is_active: bool
    website_url: str | None
    event_media_id: int | None
    message_text: str | None
    slideshow_interval: int | None
    page_progress: bool | None
    auto_progress: bool | None
    autoplay: bool | None
    loop: bool | None
    volume: float | None
    muted: bool | None


@dataclass(frozen=True, slots=True)
class EventWithExceptions:
    event: Event
    exceptions: list[EventException]

    @property
    def exdates(self) -> list[str]:
        return [recurrence.format_exdate(e.exception_start) for e in self.exceptions]


# --- reading ----------------------------------------------------------------------------------------


async def get_event(session: AsyncSession, event_id: int) -> Event:
    event = await session.get(Event, event_id)
    if event is None:
        raise NotFoundError("event.not_found")
    return event


async def exceptions_for(session: AsyncSession, event_ids: list[int]) -> dict[int, list[EventException]]:
    result: dict[int, list[EventException]] = {i: [] for i in event_ids}
    if not event_ids:
        return result
    rows = await session.scalars(
        select(EventException)
        .where(EventException.event_id.in_(event_ids))
        .order_by(EventException.event_id, EventException.exception_start)
    )
    for row in rows.all():
        result[row.event_id].append(row)
    return result


async def list_events(
    session: AsyncSession,
    *,
    group_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 5000,
) -> list[EventWithExceptions]:
    """Master events (not expanded) whose series overlaps [start, end), with their exceptions."""
    stmt = select(Event)
    if group_id is not None:
        stmt = stmt.where(Event.group_id == group_id)
    if end is not None:
        stmt = stmt.where(Event.start < as_utc(end))
    if start is not None:
        begin = as_utc(start)
        stmt = stmt.where(
            ((Event.recurrence_rule.is_(None)) & (Event.end > begin))
            | ((Event.recurrence_rule.is_not(None)) & (Event.recurrence_end.is_(None) | (Event.recurrence_end > begin)))
        )
    stmt = stmt.order_by(Event.start, Event.id).limit(max(1, min(limit, 5000)))
    events = list((await session.scalars(stmt)).all())
    by_event = await exceptions_for(session, [e.id for e in events])
    return [EventWithExceptions(e, by_event[e.id]) for e in events]


@dataclass(frozen=True, slots=True)
class OccurrenceView:
    event: Event
    start: datetime
    end: datetime


MAX_OCCURRENCE_WINDOW = timedelta(days=400)


async def list_occurrences(
    session: AsyncSession, *, group_id: int | None, start: datetime, end: datetime, tz: tzinfo
) -> list[OccurrenceView]:
    """Every occurrence in [start, end), exceptions applied (for calendars and integrators).

    At most MAX_OCCURRENCES are returned; a window that holds more is cut off (by series, not by time).
    """
    begin, finish = as_utc(start), as_utc(end)
    assert begin is not None and finish is not None
    if finish <= begin:
        raise ValidationError("event.end_before_start", field="end")
    if finish - begin > MAX_OCCURRENCE_WINDOW:
        raise ValidationError("event.window_too_long", field="end", days=MAX_OCCURRENCE_WINDOW.days)
    views: list[OccurrenceView] = []
    for item in await list_events(session, group_id=group_id, start=begin, end=finish):
        ev = item.event
        room = recurrence.MAX_OCCURRENCES - len(views)
        if room <= 0:
            break  # a bounded answer for hostile windows (hourly series over a year in many groups)
        if not ev.is_active:
            continue
        excluded = [x.exception_start for x in item.exceptions]
        for occ in recurrence.expand(ev.start, ev.end, ev.recurrence_rule, tz, begin, finish, excluded, limit=room):
            views.append(OccurrenceView(ev, occ.start, occ.end))
    views.sort(key=lambda v: (v.start, v.event.id))
    return views


# --- queries (adapters call these; reading needs a login) ----------------------------------------------


async def find_event(deps: ScheduleDeps, principal: Principal | None, event_id: int) -> EventWithExceptions | None:
    require_role(principal, Role.USER)
    async with deps.db.read_session() as session:
        event = await session.get(Event, event_id)
        return None if event is None else await _with_exceptions(session, event)


async def events_in_window(
    deps: ScheduleDeps,
    principal: Principal | None,
    *,
    group_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[EventWithExceptions]:
    require_role(principal, Role.USER)
    async with deps.db.read_session() as session:
        return await list_events(session, group_id=group_id, start=start, end=end)


async def occurrences_in_window(
    deps: ScheduleDeps, principal: Principal | None, *, group_id: int | None, start: datetime, end: datetime
) -> list[OccurrenceView]:
    require_role(principal, Role.USER)
    async with deps.db.read_session() as session:
        return await list_occurrences(session, group_id=group_id, start=start, end=end, tz=deps.settings.tz)


# --- validation -------------------------------------------------------------------------------------


def _clean_title(raw: object) -> str:
    title = (raw if isinstance(raw, str) else "").strip()
    if not title:
        raise ValidationError("event.title_missing", field="title")
    if len(title) > MAX_TITLE:
        raise ValidationError("event.title_too_long", field="title", max=MAX_TITLE)
    return title


def _clean_time(value: datetime | None, field: str) -> datetime:
    moment = as_utc(value)
    if moment is None:
        raise ValidationError("event.time_missing", field=field)
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ValidationError("event.time_out_of_range", field=field)
    return recurrence.truncate_seconds(moment)


def _clean_url(raw: str | None) -> str:
    url = (raw or "").strip()
    if not url:
        raise ValidationError("event.url_missing", field="websiteUrl")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValidationError("event.url_scheme", field="websiteUrl")
    if len(url) > MAX_URL:
        raise ValidationError("event.url_too_long", field="websiteUrl")
    return url


async def _check_media(session: AsyncSession, event: Event) -> None:
    allowed = PRESENTATION_MEDIA if event.event_type is EventType.PRESENTATION else VIDEO_MEDIA
    if event.event_media_id is None:
        raise ValidationError("event.media_missing", field="mediaId")
    media = await session.get(EventMedia, event.event_media_id)
    if media is None:
        raise ValidationError("event.media_not_found", field="mediaId")
    if media.media_type not in allowed:
        key = "event.media_not_presentation" if allowed is PRESENTATION_MEDIA else "event.media_not_video"
        raise ValidationError(key, field="mediaId")


async def _validate_and_fill(session: AsyncSession, event: Event, tz: tzinfo, *, creating: bool) -> None:
    """Check the merged state of `event`, fill defaults and derived fields, clear other types' fields."""
    event.title = _clean_title(event.title)
    if event.description is not None:
        event.description = event.description.strip()[:MAX_TEXT] or None
    event.start = _clean_time(event.start, "start")
    event.end = _clean_time(event.end, "end")
    if event.end <= event.start:
        raise ValidationError("event.end_before_start", field="end")
    if event.end - event.start > MAX_EVENT_DURATION:
        raise ValidationError("event.too_long", field="end")
    if event.group_id is None or await session.get(ClientGroup, event.group_id) is None:
        raise ValidationError("event.group_not_found", field="groupId")
    if event.academic_period_id is not None and await session.get(AcademicPeriod, event.academic_period_id) is None:
        raise ValidationError("event.period_not_found", field="academicPeriodId")
    try:
        event_type = EventType(event.event_type)
    except ValueError:
        raise ValidationError("event.unknown_type", field="eventType") from None
    event.event_type = event_type

    event.recurrence_rule = recurrence.normalize_rule(event.recurrence_rule, tz)
    if event.recurrence_rule is not None:
        recurrence.ensure_has_occurrences(event.recurrence_rule, event.start, tz)
    event.recurrence_end = recurrence.recurrence_end(event.start, event.end, event.recurrence_rule, tz)
    event.skip_holidays = bool(event.skip_holidays)
    if event.is_active is None:
        event.is_active = True

    for name in _ALL_TYPE_FIELDS - set(_TYPE_FIELDS[event_type]):
        setattr(event, name, None)

    if event_type is EventType.PRESENTATION:
        await _check_media(session, event)
        defaults = await get_presentation_defaults(session)
        if event.slideshow_interval is None:
            event.slideshow_interval = defaults.interval
        if not 1 <= event.slideshow_interval <= 3600:
            raise ValidationError("event.slide_interval_range", field="slideInterval")
        if event.page_progress is None:
            event.page_progress = defaults.page_progress
        if event.auto_progress is None:
            event.auto_progress = defaults.auto_progress
    elif event_type is EventType.VIDEO:
        await _check_media(session, event)
        video = await get_video_defaults(session)
        for name in ("autoplay", "loop", "volume", "muted"):
            if getattr(event, name) is None:
                setattr(event, name, getattr(video, name))
        if not 0.0 <= float(event.volume or 0.0) <= 1.0:
            raise ValidationError("event.volume_range", field="volume")
    elif event_type is EventType.WEBSITE:
        event.website_url = _clean_url(event.website_url)
    elif event_type is EventType.WEBUNTIS:
        if creating or not event.website_url:
            table = await get_supplement_table(session)
            if not table.url:
                raise ValidationError("event.no_supplement_table", field="eventType")
            event.website_url = table.url
        event.website_url = _clean_url(event.website_url)
    elif event_type is EventType.MESSAGE:
        text = (event.message_text or "").strip()
        if not text:
            raise ValidationError("event.message_missing", field="messageText")
        if len(text) > MAX_TEXT:
            raise ValidationError("event.message_too_long", field="messageText", max=MAX_TEXT)
        event.message_text = text


def _apply(event: Event, values: EventValues) -> None:
    for key, value in values.items():
        if not hasattr(Event, key):
            raise ValidationError("event.unknown_field", field=key, name=key)
        setattr(event, key, value)


def _summary(event: Event) -> dict[str, Any]:
    return {
        "title": event.title,
        "group_id": event.group_id,
        "event_type": str(event.event_type),
        "start": recurrence.format_exdate(event.start),
        "end": recurrence.format_exdate(event.end),
        "recurrence_rule": event.recurrence_rule,
    }


# --- writing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateEvent:
    values: EventValues


@dataclass(frozen=True)
class UpdateEvent:
    event_id: int
    values: EventValues  # only the keys present change


@dataclass(frozen=True)
class DeleteEvent:
    event_id: int


@dataclass(frozen=True)
class DeleteOccurrence:
    event_id: int
    occurrence_start: datetime


@dataclass(frozen=True)
class DetachOccurrence:
    event_id: int
    occurrence_start: datetime
    values: EventValues  # overrides of the copied fields


async def _with_exceptions(session: AsyncSession, event: Event) -> EventWithExceptions:
    return EventWithExceptions(event, (await exceptions_for(session, [event.id]))[event.id])


async def create_event(deps: ScheduleDeps, principal: Principal | None, command: CreateEvent) -> EventWithExceptions:
    """A new event of any type; presentation/video fields left out take the defaults from settings."""
    actor = require_role(principal, WRITE_ROLE)
    values = command.values
    for required in ("group_id", "title", "event_type", "start", "end"):
        if values.get(required) is None:
            raise ValidationError("event.field_missing", field=required, name=required)
    tz = deps.settings.tz
    async with unit_of_work(deps, actor) as uow:
        session = uow.session
        event = Event(created_by=actor.user_id, updated_by=actor.user_id)
        _apply(event, values)
        await _validate_and_fill(session, event, tz, creating=True)
        session.add(event)
        await session.flush()
        if event.skip_holidays:
            await refresh_holiday_exceptions(session, event_id=event.id, tz=tz)
        await uow.audit("event.create", "event", event.id, _summary(event))
        changes.announce_change(uow, [event.group_id], changes.CREATED, event_id=event.id)
        result = await _with_exceptions(session, event)
    return result


async def update_event(deps: ScheduleDeps, principal: Principal | None, command: UpdateEvent) -> EventWithExceptions:
    """Apply the given values; a move to another group announces both groups."""
    actor = require_role(principal, WRITE_ROLE)
    tz = deps.settings.tz
    async with unit_of_work(deps, actor) as uow:
        session = uow.session
        event = await get_event(session, command.event_id)
        previous_group = event.group_id
        before = {name: getattr(event, name) for name in _HOLIDAY_INPUTS}
        was_webuntis = event.event_type is EventType.WEBUNTIS
        _apply(event, command.values)
        if not was_webuntis and EventType(event.event_type) is EventType.WEBUNTIS:
            event.website_url = None  # a switch to webuntis takes the configured supplement table URL
        event.updated_by = actor.user_id
        await _validate_and_fill(session, event, tz, creating=False)
        await session.flush()
        if any(before[name] != getattr(event, name) for name in _HOLIDAY_INPUTS):
            await refresh_holiday_exceptions(session, event_id=event.id, tz=tz)
        await uow.audit("event.update", "event", event.id, _summary(event))
        changes.announce_change(uow, [previous_group, event.group_id], changes.UPDATED, event_id=event.id)
        result = await _with_exceptions(session, event)
    return result


async def delete_event(deps: ScheduleDeps, principal: Principal | None, command: DeleteEvent) -> bool:
    """Delete an event (its exceptions go with it); False if it did not exist."""
    actor = require_role(principal, WRITE_ROLE)
    async with unit_of_work(deps, actor) as uow:
        event = await uow.session.get(Event, command.event_id)
        if event is None:
            return False
        group_id = event.group_id
        summary = _summary(event)
        await uow.session.delete(event)
        await uow.session.flush()
        await uow.audit("event.delete", "event", command.event_id, summary)
        changes.announce_change(uow, [group_id], changes.DELETED, event_id=command.event_id)
    return True


async def _series_occurrence(
    session: AsyncSession, event_id: int, occurrence_start: datetime, tz: tzinfo
) -> tuple[Event, datetime, EventException | None]:
    event = await get_event(session, event_id)
    if not event.recurrence_rule:
        raise ValidationError("event.not_a_series", field="id")
    moment = as_utc(occurrence_start)
    if moment is None:
        raise ValidationError("event.time_missing", field="occurrenceStart")
    moment = recurrence.truncate_seconds(moment)
    if not recurrence.occurs_at(event.recurrence_rule, event.start, tz, moment):
        raise ValidationError("event.no_occurrence_at", field="occurrenceStart")
    existing = await session.scalar(
        select(EventException).where(EventException.event_id == event.id, EventException.exception_start == moment)
    )
    return event, moment, existing


async def delete_occurrence(
    deps: ScheduleDeps, principal: Principal | None, command: DeleteOccurrence
) -> EventWithExceptions:
    """Exclude one occurrence of a series (an EXDATE of kind `deleted`); returns the master."""
    actor = require_role(principal, WRITE_ROLE)
    async with unit_of_work(deps, actor) as uow:
        session = uow.session
        event, moment, existing = await _series_occurrence(
            session, command.event_id, command.occurrence_start, deps.settings.tz
        )
        if existing is None:
            session.add(EventException(event_id=event.id, exception_start=moment, kind=ExceptionKind.DELETED))
        elif existing.kind is ExceptionKind.HOLIDAY:
            # Deleted on purpose: it stays excluded even if the holiday is removed later.
            existing.kind = ExceptionKind.DELETED
            existing.holiday_id = None
        await session.flush()
        await uow.audit(
            "event.delete_occurrence", "event", event.id, {"occurrence_start": recurrence.format_exdate(moment)}
        )
        changes.announce_change(uow, [event.group_id], changes.OCCURRENCE_DELETED, event_id=event.id)
        result = await _with_exceptions(session, event)
    return result


_COPIED_ON_DETACH = (
    "group_id",
    "academic_period_id",
    "title",
    "description",
    "event_type",
    "event_media_id",
    "slideshow_interval",
    "page_progress",
    "auto_progress",
    "website_url",
    "autoplay",
    "loop",
    "volume",
    "muted",
    "message_text",
    "is_active",
)


async def detach_occurrence(
    deps: ScheduleDeps, principal: Principal | None, command: DetachOccurrence
) -> EventWithExceptions:
    """Turn one occurrence into a standalone event (master gets a `detached` EXDATE); returns the new event."""
    actor = require_role(principal, WRITE_ROLE)
    tz = deps.settings.tz
    async with unit_of_work(deps, actor) as uow:
        session = uow.session
        master, moment, existing = await _series_occurrence(session, command.event_id, command.occurrence_start, tz)
        if existing is not None and existing.kind is ExceptionKind.DETACHED:
            raise ConflictError("event.already_detached")
        if existing is not None and existing.kind is ExceptionKind.DELETED:
            raise ConflictError("event.occurrence_deleted")
        standalone = Event(
            start=moment,
            end=moment + (master.end - master.start),
            recurrence_rule=None,
            skip_holidays=False,
            detached_from_event_id=master.id,
            created_by=actor.user_id,
            updated_by=actor.user_id,
        )
        for name in _COPIED_ON_DETACH:
            setattr(standalone, name, getattr(master, name))
        overrides = {k: v for k, v in command.values.items() if k not in ("recurrence_rule", "skip_holidays")}
        _apply(standalone, overrides)  # type: ignore[arg-type]
        await _validate_and_fill(session, standalone, tz, creating=False)
        session.add(standalone)
        await session.flush()
        if existing is None:
            session.add(
                EventException(
                    event_id=master.id,
                    exception_start=moment,
                    kind=ExceptionKind.DETACHED,
                    detached_event_id=standalone.id,
                )
            )
        else:  # a holiday-skipped occurrence that is now shown on its own
            existing.kind = ExceptionKind.DETACHED
            existing.holiday_id = None
            existing.detached_event_id = standalone.id
        await session.flush()
        await uow.audit(
            "event.detach_occurrence",
            "event",
            master.id,
            {"occurrence_start": recurrence.format_exdate(moment), "detached_event_id": standalone.id},
        )
        changes.announce_change(
            uow, [master.group_id, standalone.group_id], changes.OCCURRENCE_DETACHED, event_id=standalone.id
        )
        result = await _with_exceptions(session, standalone)
    return result
