"""Events over GraphQL: masters with RRULE + EXDATEs for calendars, expanded occurrences, and edits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar, Union

import strawberry

from app.domain.enums import EventType as DomainEventType
from app.domain.events import service
from app.domain.events.models import Event as EventModel
from app.domain.users.tokens import Principal
from app.graphql.caller import caller
from app.graphql.context import Info
from app.graphql.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from app.graphql.types_users import as_result

C = TypeVar("C")

EventType = strawberry.enum(DomainEventType, name="EventType")


@strawberry.type(description="A master event: recurring series carry their RRULE and EXDATEs, never expanded.")
class Event:
    id: int
    group_id: int
    title: str
    description: str | None
    event_type: EventType  # type: ignore[valid-type]
    start: datetime
    end: datetime
    recurrence_rule: str | None
    recurrence_end: datetime | None
    recurrence_exceptions: list[str] = strawberry.field(
        description="EXDATEs in the RFC 5545 compact UTC form yyyyMMddTHHmmssZ (holidays, deletions, detaches)."
    )
    skip_holidays: bool
    academic_period_id: int | None
    is_active: bool
    detached_from_event_id: int | None
    website_url: str | None
    media_id: int | None
    message_text: str | None
    slide_interval: int | None
    page_progress: bool | None
    auto_progress: bool | None
    autoplay: bool | None
    loop: bool | None
    volume: float | None
    muted: bool | None

    @classmethod
    def from_model(cls, event: EventModel, exdates: list[str]) -> Event:
        return cls(
            id=event.id,
            group_id=event.group_id,
            title=event.title,
            description=event.description,
            event_type=DomainEventType(event.event_type),
            start=event.start,
            end=event.end,
            recurrence_rule=event.recurrence_rule,
            recurrence_end=event.recurrence_end,
            recurrence_exceptions=exdates,
            skip_holidays=bool(event.skip_holidays),
            academic_period_id=event.academic_period_id,
            is_active=bool(event.is_active),
            detached_from_event_id=event.detached_from_event_id,
            website_url=event.website_url,
            media_id=event.event_media_id,
            message_text=event.message_text,
            slide_interval=event.slideshow_interval,
            page_progress=event.page_progress,
            auto_progress=event.auto_progress,
            autoplay=event.autoplay,
            loop=event.loop,
            volume=event.volume,
            muted=event.muted,
        )


@strawberry.type(description="One concrete showing of an event (exceptions and holidays already applied).")
class EventOccurrence:
    event_id: int
    group_id: int
    title: str
    event_type: EventType  # type: ignore[valid-type]
    start: datetime
    end: datetime
    is_recurring: bool
    is_detached: bool
    detached_from_event_id: int | None


@strawberry.input(description="Fields of an event; all but the first five are optional (defaults from settings).")
class EventInput:
    group_id: int
    title: str
    event_type: EventType  # type: ignore[valid-type]
    start: datetime
    end: datetime
    recurrence_rule: str | None = strawberry.UNSET
    skip_holidays: bool | None = strawberry.UNSET
    academic_period_id: int | None = strawberry.UNSET
    website_url: str | None = strawberry.UNSET
    media_id: int | None = strawberry.UNSET
    message_text: str | None = strawberry.UNSET
    slide_interval: int | None = strawberry.UNSET
    page_progress: bool | None = strawberry.UNSET
    auto_progress: bool | None = strawberry.UNSET
    autoplay: bool | None = strawberry.UNSET
    loop: bool | None = strawberry.UNSET
    volume: float | None = strawberry.UNSET
    muted: bool | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    is_active: bool | None = strawberry.UNSET

    def to_values(self) -> service.EventValues:
        """Given fields only (absent ones keep their value on update); GraphQL names → model names."""
        renamed = {"media_id": "event_media_id", "slide_interval": "slideshow_interval"}
        values: dict[str, Any] = {}
        for name in (
            "group_id",
            "title",
            "event_type",
            "start",
            "end",
            "recurrence_rule",
            "skip_holidays",
            "academic_period_id",
            "website_url",
            "media_id",
            "message_text",
            "slide_interval",
            "page_progress",
            "auto_progress",
            "autoplay",
            "loop",
            "volume",
            "muted",
            "description",
            "is_active",
        ):
            value = getattr(self, name)
            if value is strawberry.UNSET:
                continue
            if name in ("skip_holidays", "is_active") and value is None:
                continue
            values[renamed.get(name, name)] = value
        return values  # type: ignore[return-value]


EventResult = Annotated[
    Union[Event, ValidationError, NotFoundError, ForbiddenError, ConflictError],  # noqa: UP007
    strawberry.union("EventResult"),
]


def _as_gql(item: service.EventWithExceptions) -> Event:
    return Event.from_model(item.event, item.exdates)


@strawberry.type
class EventsQuery:
    @strawberry.field(description="Master events overlapping [start, end) with RRULE and EXDATEs (not expanded).")
    async def events(
        self, info: Info, group_id: int | None = None, start: datetime | None = None, end: datetime | None = None
    ) -> list[Event]:
        items = await service.events_in_window(
            info.context.container, caller(info), group_id=group_id, start=start, end=end
        )
        return [_as_gql(i) for i in items]

    @strawberry.field
    async def event(self, info: Info, id: int) -> Event | None:
        item = await service.find_event(info.context.container, caller(info), id)
        return _as_gql(item) if item is not None else None

    @strawberry.field(description="Every occurrence in [start, end) (at most 400 days), exceptions applied.")
    async def event_occurrences(
        self, info: Info, start: datetime, end: datetime, group_id: int | None = None
    ) -> list[EventOccurrence]:
        views = await service.occurrences_in_window(
            info.context.container, caller(info), group_id=group_id, start=start, end=end
        )
        return [
            EventOccurrence(
                event_id=v.event.id,
                group_id=v.event.group_id,
                title=v.event.title,
                event_type=DomainEventType(v.event.event_type),
                start=v.start,
                end=v.end,
                is_recurring=v.event.recurrence_rule is not None,
                is_detached=v.event.detached_from_event_id is not None,
                detached_from_event_id=v.event.detached_from_event_id,
            )
            for v in views
        ]


@strawberry.type
class EventsMutation:
    @strawberry.mutation(description="Create an event (editor+); presentation/video defaults from settings.")
    async def create_event(self, info: Info, input: EventInput) -> EventResult:
        command = service.CreateEvent(input.to_values())
        return await as_result(lambda: _run(info, service.create_event, command))

    @strawberry.mutation(description="Change an event (editor+); optional fields left out keep their value.")
    async def update_event(self, info: Info, id: int, input: EventInput) -> EventResult:
        command = service.UpdateEvent(id, input.to_values())
        return await as_result(lambda: _run(info, service.update_event, command))

    @strawberry.mutation(description="Delete an event and its exceptions (editor+); false if it did not exist.")
    async def delete_event(self, info: Info, id: int) -> bool:
        return await service.delete_event(info.context.container, caller(info), service.DeleteEvent(id))

    @strawberry.mutation(description="Remove one occurrence of a series (an EXDATE); returns the master.")
    async def delete_occurrence(self, info: Info, id: int, occurrence_start: datetime) -> EventResult:
        command = service.DeleteOccurrence(id, occurrence_start)
        return await as_result(lambda: _run(info, service.delete_occurrence, command))

    @strawberry.mutation(description="Make one occurrence a standalone event; returns the new event.")
    async def detach_occurrence(
        self, info: Info, id: int, occurrence_start: datetime, input: EventInput
    ) -> EventResult:
        command = service.DetachOccurrence(id, occurrence_start, input.to_values())
        return await as_result(lambda: _run(info, service.detach_occurrence, command))


async def _run(info: Info, use_case: Callable[[Any, Principal | None, C], Awaitable[Any]], command: C) -> Event:
    return _as_gql(await use_case(info.context.container, caller(info), command))
