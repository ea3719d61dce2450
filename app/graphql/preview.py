"""Vorschau over GraphQL: what a group's displays receive at an instant, and its schedule as segments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.domain.preview import payload as payload_queries
from app.domain.preview import schedule as schedule_queries
from app.graphql.caller import caller
from app.graphql.context import Info

ScheduleReason = strawberry.enum(schedule_queries.SegmentReason, name="ScheduleReason")


@strawberry.type(description="What the scheduler publishes to a group's displays at one instant.")
class DisplayPayload:
    event_list: JSON = strawberry.field(description="The list retained on infoscreen/events/{group_id}.")
    power_intent: JSON | None = strawberry.field(
        description="The intent on infoscreen/groups/{group_id}/power/intent (null when intents are off). "
        "intent_id is a stable preview id; the scheduler draws a random one at each transition."
    )
    event_list_json: str = strawberry.field(description="event_list exactly as the bytes published (UTF-8).")
    power_intent_json: str | None = strawberry.field(description="power_intent exactly as published (UTF-8).")


@strawberry.type(description="A stretch of time in which a group's published state does not change.")
class ScheduleSegment:
    start: datetime
    end: datetime
    event_ids: list[int]
    titles: list[str]
    power_state: str = strawberry.field(description="on or off, as the power intent's desired_state.")
    reason: ScheduleReason  # type: ignore[valid-type]


def _payload(item: payload_queries.DisplayPayload) -> DisplayPayload:
    intent: Any = item.power_intent
    return DisplayPayload(
        event_list=item.event_list,
        power_intent=intent,
        event_list_json=payload_queries.wire_json(item.event_list),
        power_intent_json=payload_queries.wire_json(intent) if intent is not None else None,
    )


@strawberry.type
class PreviewQuery:
    @strawberry.field(description="The exact event list and power intent a display of the group gets at `at`.")
    async def display_payload_at(self, info: Info, group_id: int, at: datetime) -> DisplayPayload:
        item = await payload_queries.display_payload_at(info.context.container, caller(info), group_id, at)
        return _payload(item)

    @strawberry.field(description="Contiguous segments of [start, end) in which the published state is constant.")
    async def group_schedule(self, info: Info, group_id: int, start: datetime, end: datetime) -> list[ScheduleSegment]:
        segments = await schedule_queries.group_schedule(info.context.container, caller(info), group_id, start, end)
        return [
            ScheduleSegment(
                start=s.start,
                end=s.end,
                event_ids=list(s.event_ids),
                titles=list(s.titles),
                power_state=s.power_state,
                reason=s.reason,
            )
            for s in segments
        ]
