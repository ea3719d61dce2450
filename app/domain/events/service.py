"""Event use cases: create, update and delete events of every type, and delete or detach one occurrence.

Writes need editor+; every change is audited. Functions run in the caller's unit of work (flush, never
commit); after the commit the caller announces the change with `notify_events_changed` so the scheduler
republishes within one poll interval.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, TypedDict
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.audit.service import record_audit
from app.domain.bus import EventBus
from app.domain.clients.models import ClientGroup
from app.domain.clock import as_utc
from app.domain.enums import EventType, ExceptionKind, MediaType, Role
from app.domain.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from app.domain.events import changes, recurrence
from app.domain.events.holiday_skips import refresh_holiday_exceptions
from app.domain.events.models import Event, EventException
from app.domain.media.models import EventMedia
from app.domain.periods.models import AcademicPeriod
from app.domain.settings.service import get_presentation_defaults, get_supplement_table, get_video_defaults
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


def _require_writer(principal: Principal) -> None:
    if not principal.has(WRITE_ROLE):
        raise ForbiddenError("Keine Berechtigung für diese Aktion.")


async def notify_events_changed(
    bus: EventBus, group_ids: Iterable[int | None], change: str, *, event_id: int | None = None
) -> None:
    """Announce a committed event change (the scheduler and live calendars listen); see `changes`."""
    await changes.announce_events_changed(bus, group_ids, change, event_id=event_id)


# --- reading ----------------------------------------------------------------------------------------


async def get_event(session: AsyncSession, event_id: int) -> Event:
    event = await session.get(Event, event_id)
    if event is None:
        raise NotFoundError("Termin nicht gefunden.")
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
        raise ValidationError("Das Ende muss nach dem Beginn liegen.", field="end")
    if finish - begin > MAX_OCCURRENCE_WINDOW:
        raise ValidationError("Der Zeitraum darf höchstens 400 Tage umfassen.", field="end")
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


# --- validation -------------------------------------------------------------------------------------


def _clean_title(raw: object) -> str:
    title = (raw if isinstance(raw, str) else "").strip()
    if not title:
        raise ValidationError("Titel fehlt.", field="title")
    if len(title) > MAX_TITLE:
        raise ValidationError(f"Der Titel darf höchstens {MAX_TITLE} Zeichen lang sein.", field="title")
    return title


def _clean_time(value: datetime | None, field: str) -> datetime:
    moment = as_utc(value)
    if moment is None:
        raise ValidationError("Zeitpunkt fehlt.", field=field)
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ValidationError("Zeitpunkt außerhalb des erlaubten Bereichs.", field=field)
    return recurrence.truncate_seconds(moment)


def _clean_url(raw: str | None) -> str:
    url = (raw or "").strip()
    if not url:
        raise ValidationError("URL fehlt.", field="websiteUrl")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValidationError("Nur http(s)-URLs sind erlaubt.", field="websiteUrl")
    if len(url) > MAX_URL:
        raise ValidationError("Die URL ist zu lang.", field="websiteUrl")
    return url


async def _check_media(session: AsyncSession, event: Event) -> None:
    allowed = PRESENTATION_MEDIA if event.event_type is EventType.PRESENTATION else VIDEO_MEDIA
    if event.event_media_id is None:
        raise ValidationError("Bitte ein Medium auswählen.", field="mediaId")
    media = await session.get(EventMedia, event.event_media_id)
    if media is None:
        raise ValidationError("Medium nicht gefunden.", field="mediaId")
    if media.media_type not in allowed:
        kind = "Präsentation (ppt, pptx, odp, pdf)" if allowed is PRESENTATION_MEDIA else "Video"
        raise ValidationError(f"Das Medium passt nicht zum Termintyp: erwartet {kind}.", field="mediaId")


async def _validate_and_fill(session: AsyncSession, event: Event, tz: tzinfo, *, creating: bool) -> None:
    """Check the merged state of `event`, fill defaults and derived fields, clear other types' fields."""
    event.title = _clean_title(event.title)
    if event.description is not None:
        event.description = event.description.strip()[:MAX_TEXT] or None
    event.start = _clean_time(event.start, "start")
    event.end = _clean_time(event.end, "end")
    if event.end <= event.start:
        raise ValidationError("Das Ende muss nach dem Beginn liegen.", field="end")
    if event.end - event.start > MAX_EVENT_DURATION:
        raise ValidationError("Ein Termin darf höchstens ein Jahr dauern.", field="end")
    if event.group_id is None or await session.get(ClientGroup, event.group_id) is None:
        raise ValidationError("Gruppe nicht gefunden.", field="groupId")
    if event.academic_period_id is not None and await session.get(AcademicPeriod, event.academic_period_id) is None:
        raise ValidationError("Schuljahr/Zeitraum nicht gefunden.", field="academicPeriodId")
    try:
        event_type = EventType(event.event_type)
    except ValueError:
        raise ValidationError("Unbekannter Termintyp.", field="eventType") from None
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
            raise ValidationError(
                "Das Folienintervall muss zwischen 1 und 3600 Sekunden liegen.", field="slideInterval"
            )
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
            raise ValidationError("Die Lautstärke muss zwischen 0 und 1 liegen.", field="volume")
    elif event_type is EventType.WEBSITE:
        event.website_url = _clean_url(event.website_url)
    elif event_type is EventType.WEBUNTIS:
        if creating or not event.website_url:
            table = await get_supplement_table(session)
            if not table.url:
                raise ValidationError(
                    "Kein Vertretungsplan konfiguriert (Einstellung supplement_table_url).", field="eventType"
                )
            event.website_url = table.url
        event.website_url = _clean_url(event.website_url)
    elif event_type is EventType.MESSAGE:
        text = (event.message_text or "").strip()
        if not text:
            raise ValidationError("Der Nachrichtentext fehlt.", field="messageText")
        if len(text) > MAX_TEXT:
            raise ValidationError(
                f"Der Nachrichtentext darf höchstens {MAX_TEXT} Zeichen lang sein.", field="messageText"
            )
        event.message_text = text


def _apply(event: Event, values: EventValues) -> None:
    for key, value in values.items():
        if not hasattr(Event, key):
            raise ValidationError(f"Unbekanntes Feld: {key}")
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


async def create_event(
    session: AsyncSession, principal: Principal, values: EventValues, *, tz: tzinfo, ip: str | None = None
) -> Event:
    _require_writer(principal)
    for required in ("group_id", "title", "event_type", "start", "end"):
        if values.get(required) is None:
            raise ValidationError(f"{required} fehlt.", field=required)
    event = Event(created_by=principal.user_id, updated_by=principal.user_id)
    _apply(event, values)
    await _validate_and_fill(session, event, tz, creating=True)
    session.add(event)
    await session.flush()
    if event.skip_holidays:
        await refresh_holiday_exceptions(session, event_id=event.id, tz=tz)
    await record_audit(session, principal, "event.create", "event", event.id, _summary(event), ip=ip)
    return event


async def update_event(
    session: AsyncSession,
    principal: Principal,
    event_id: int,
    values: EventValues,
    *,
    tz: tzinfo,
    ip: str | None = None,
) -> tuple[Event, int]:
    """Apply `values`; returns the event and the group it belonged to before (to clear that group)."""
    _require_writer(principal)
    event = await get_event(session, event_id)
    previous_group = event.group_id
    before = {name: getattr(event, name) for name in _HOLIDAY_INPUTS}
    was_webuntis = event.event_type is EventType.WEBUNTIS
    _apply(event, values)
    if not was_webuntis and EventType(event.event_type) is EventType.WEBUNTIS:
        event.website_url = None  # a switch to webuntis takes the configured supplement table URL
    event.updated_by = principal.user_id
    await _validate_and_fill(session, event, tz, creating=False)
    await session.flush()
    if any(before[name] != getattr(event, name) for name in _HOLIDAY_INPUTS):
        await refresh_holiday_exceptions(session, event_id=event.id, tz=tz)
    await record_audit(session, principal, "event.update", "event", event.id, _summary(event), ip=ip)
    return event, previous_group


async def delete_event(
    session: AsyncSession, principal: Principal, event_id: int, *, ip: str | None = None
) -> int | None:
    """Delete an event (its exceptions go with it); returns its group, or None if it did not exist."""
    _require_writer(principal)
    event = await session.get(Event, event_id)
    if event is None:
        return None
    group_id = event.group_id
    summary = _summary(event)
    await session.delete(event)
    await session.flush()
    await record_audit(session, principal, "event.delete", "event", event_id, summary, ip=ip)
    return group_id


async def _series_occurrence(
    session: AsyncSession, event_id: int, occurrence_start: datetime, tz: tzinfo
) -> tuple[Event, datetime, EventException | None]:
    event = await get_event(session, event_id)
    if not event.recurrence_rule:
        raise ValidationError("Der Termin ist keine Serie.", field="id")
    moment = as_utc(occurrence_start)
    if moment is None:
        raise ValidationError("Zeitpunkt fehlt.", field="occurrenceStart")
    moment = recurrence.truncate_seconds(moment)
    if not recurrence.occurs_at(event.recurrence_rule, event.start, tz, moment):
        raise ValidationError("Zu diesem Zeitpunkt beginnt kein Termin dieser Serie.", field="occurrenceStart")
    existing = await session.scalar(
        select(EventException).where(EventException.event_id == event.id, EventException.exception_start == moment)
    )
    return event, moment, existing


async def delete_occurrence(
    session: AsyncSession,
    principal: Principal,
    event_id: int,
    occurrence_start: datetime,
    *,
    tz: tzinfo,
    ip: str | None = None,
) -> Event:
    """Exclude one occurrence of a series (an EXDATE of kind `deleted`); returns the master."""
    _require_writer(principal)
    event, moment, existing = await _series_occurrence(session, event_id, occurrence_start, tz)
    if existing is None:
        session.add(EventException(event_id=event.id, exception_start=moment, kind=ExceptionKind.DELETED))
    elif existing.kind is ExceptionKind.HOLIDAY:
        # Deleted on purpose: it stays excluded even if the holiday is removed later.
        existing.kind = ExceptionKind.DELETED
        existing.holiday_id = None
    await session.flush()
    await record_audit(
        session,
        principal,
        "event.delete_occurrence",
        "event",
        event.id,
        {"occurrence_start": recurrence.format_exdate(moment)},
        ip=ip,
    )
    return event


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
    session: AsyncSession,
    principal: Principal,
    event_id: int,
    occurrence_start: datetime,
    values: EventValues,
    *,
    tz: tzinfo,
    ip: str | None = None,
) -> Event:
    """Turn one occurrence into a standalone event (master gets a `detached` EXDATE); returns the new event."""
    _require_writer(principal)
    master, moment, existing = await _series_occurrence(session, event_id, occurrence_start, tz)
    if existing is not None and existing.kind is ExceptionKind.DETACHED:
        raise ConflictError("Dieser Termin wurde bereits aus der Serie gelöst.")
    if existing is not None and existing.kind is ExceptionKind.DELETED:
        raise ConflictError("Dieser Termin wurde aus der Serie gelöscht.")
    standalone = Event(
        start=moment,
        end=moment + (master.end - master.start),
        recurrence_rule=None,
        skip_holidays=False,
        detached_from_event_id=master.id,
        created_by=principal.user_id,
        updated_by=principal.user_id,
    )
    for name in _COPIED_ON_DETACH:
        setattr(standalone, name, getattr(master, name))
    overrides = {k: v for k, v in values.items() if k not in ("recurrence_rule", "skip_holidays")}
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
    await record_audit(
        session,
        principal,
        "event.detach_occurrence",
        "event",
        master.id,
        {"occurrence_start": recurrence.format_exdate(moment), "detached_event_id": standalone.id},
        ip=ip,
    )
    return standalone
