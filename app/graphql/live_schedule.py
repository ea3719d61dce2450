"""Live subscriptions for calendars and timelines: which groups' events changed, and group list changes.

Payloads are small notices (ids and a kind), not rows: a calendar reloads the window it shows through the
ordinary queries, so one bulk edit costs each viewer one reload instead of a stream of rows. Like the other
live subscriptions, each registers on the bus when it starts and closes that registration in `finally`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator

import strawberry

from app.domain.bus import EVENTS_CHANGED, GROUPS_CHANGED
from app.domain.events.changes import HOLIDAYS, parse_change
from app.graphql.context import Info
from app.graphql.permissions import require

log = logging.getLogger(__name__)

# Notices are cheap to lose (the next one triggers the same reload), so a slow viewer keeps only a few.
_QUEUE = 100


@strawberry.type(description="Events of these groups changed (committed); reload what you show of them.")
class EventsChange:
    group_ids: list[int] = strawberry.field(
        description="Groups whose events changed (both when an event moved); empty for a holiday change "
        "that no event skips."
    )
    event_id: int | None = strawberry.field(
        description="The created/changed/deleted event (the new standalone one for a detach); null for holidays."
    )
    change: str = strawberry.field(
        description="created | updated | deleted | occurrence_deleted | occurrence_detached | holidays"
    )


@strawberry.type(description="The group list changed: a group was created, renamed or deleted, or reordered.")
class GroupsChange:
    group_id: int | None = strawberry.field(description="The group concerned; null for a new order.")
    change: str = strawberry.field(description="created | renamed | deleted | reordered")


@strawberry.type
class ScheduleLiveSubscription:
    @strawberry.subscription(
        description="Events changed; with groupId only changes touching that group (holiday changes reach "
        "every subscriber, they shade every calendar). Same permission as the events query."
    )
    async def events_changed(self, info: Info, group_id: int | None = None) -> AsyncGenerator[EventsChange, None]:
        require(info)
        subscription = info.context.subscribe(EVENTS_CHANGED, max_queue=_QUEUE)
        try:
            async for event in subscription:
                parsed = parse_change(event.data)
                if parsed is None:
                    log.warning("event=events_changed_malformed data=%r", event.data)
                    continue
                group_ids, event_id, change = parsed
                if group_id is not None and change != HOLIDAYS and group_id not in group_ids:
                    continue
                yield EventsChange(group_ids=group_ids, event_id=event_id, change=change)
        finally:
            await subscription.aclose()

    @strawberry.subscription(description="A group was created, renamed, deleted or the group order changed.")
    async def groups_changed(self, info: Info) -> AsyncGenerator[GroupsChange, None]:
        require(info)
        subscription = info.context.subscribe(GROUPS_CHANGED, max_queue=_QUEUE)
        try:
            async for event in subscription:
                group_id = event.data.get("id")
                change = event.data.get("change")
                if (group_id is not None and (not isinstance(group_id, int) or isinstance(group_id, bool))) or (
                    not isinstance(change, str) or not change
                ):
                    log.warning("event=groups_changed_malformed data=%r", event.data)
                    continue
                yield GroupsChange(group_id=group_id, change=change)
        finally:
            await subscription.aclose()
