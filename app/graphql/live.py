"""Live subscriptions over the domain event bus: display changes and newly stored display logs.

Each subscription registers on the bus when it starts and closes that registration in `finally`, so a
browser that disconnects leaves nothing behind. Events carry only ids; rows are re-read, so a subscriber
always sees committed state.

A fleet of hundreds of displays reports ~100 times a second. `clientUpdated` therefore coalesces per
subscriber: the notices that queued up while the previous ones were delivered are taken together, each
display once, and read in one query (the subscriber still receives every changed display, in its newest
state). `fleetChanged` is the cheap form for pages that only need to know THAT displays changed: it reads
nothing and yields at most one notice per `seconds` with the uuids that changed meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import strawberry

from app.domain.bus import CLIENT_LOG_ADDED, CLIENT_UPDATED, DomainEvent, Subscription
from app.domain.clients.lookup import clients_by_uuids
from app.domain.clients.service import normalise_uuid
from app.domain.enums import LogLevel as DomainLogLevel
from app.domain.enums import Role
from app.domain.monitoring.service import get_log
from app.graphql.clients_types import ClientType, client_type
from app.graphql.context import Info
from app.graphql.monitoring_types import ClientLogType, LogLevel
from app.graphql.permissions import require


def _fresh_loaders(info: Info) -> None:
    # A websocket context lives as long as the connection: never serve `group` from an old cache.
    info.context.loaders.pop("clients", None)


# Bounds of `fleetChanged(seconds:)`.
FLEET_CHANGED_MIN_SECONDS = 0.2
FLEET_CHANGED_MAX_SECONDS = 30.0


@strawberry.type(description="Displays changed since the previous notice (no row is read to send it).")
class FleetChange:
    uuids: list[str] = strawberry.field(description="The displays that changed, each once.")
    count: int = strawberry.field(description="How many displays changed.")


def _pending(subscription: Subscription, first: DomainEvent) -> list[DomainEvent]:
    """`first` and every event already queued behind it (taken without waiting)."""
    events = [first]
    while not subscription.queue.empty():
        events.append(subscription.queue.get_nowait())
    return events


def _changed_uuids(events: list[DomainEvent], wanted: str | None) -> list[str]:
    """The displays the events name, each once, in the order they first changed."""
    keys: dict[str, None] = {}
    for event in events:
        key = normalise_uuid(str(event.data.get("uuid") or ""))
        if key and (wanted is None or key == wanted):
            keys[key] = None
    return list(keys)


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(
        description="A display changed (discovery, heartbeat, health, service_failed, edits); "
        "only the given display when uuid is set."
    )
    async def client_updated(self, info: Info, uuid: str | None = None) -> AsyncGenerator[ClientType, None]:
        principal = require(info)
        wanted = normalise_uuid(uuid) if uuid else None
        subscription = info.context.subscribe(CLIENT_UPDATED)
        try:
            async for event in subscription:
                keys = _changed_uuids(_pending(subscription, event), wanted)
                if not keys:
                    continue
                async with info.context.container.bus.delivery.slot(principal.user_id):
                    async with info.context.read_session() as session:
                        models = await clients_by_uuids(session, keys)
                    _fresh_loaders(info)
                    # A display deleted meanwhile is not in `models`: nothing to show for it.
                    results = [client_type(models[key], info) for key in keys if key in models]
                for result in results:
                    yield result
        finally:
            await subscription.aclose()

    @strawberry.subscription(
        description="Displays changed (any CLIENT_UPDATED): at most one notice per `seconds` (0.2–30) with the "
        "uuids that changed meanwhile. Reads nothing: for pages that re-read what they show themselves."
    )
    async def fleet_changed(self, info: Info, seconds: float = 1.0) -> AsyncGenerator[FleetChange, None]:
        require(info)
        spacing = min(max(seconds, FLEET_CHANGED_MIN_SECONDS), FLEET_CHANGED_MAX_SECONDS)
        subscription = info.context.subscribe(CLIENT_UPDATED)
        try:
            async for event in subscription:
                await asyncio.sleep(spacing)  # the rest of the burst queues up meanwhile
                keys = _changed_uuids(_pending(subscription, event), None)
                if keys:
                    yield FleetChange(uuids=keys, count=len(keys))
        finally:
            await subscription.aclose()

    @strawberry.subscription(description="A display log was stored (admin+); filter by display and/or level.")
    async def client_log_added(
        self,
        info: Info,
        uuid: str | None = None,
        level: LogLevel | None = None,  # type: ignore[valid-type]
    ) -> AsyncGenerator[ClientLogType, None]:
        principal = require(info, Role.ADMIN)
        wanted_uuid = normalise_uuid(uuid) if uuid else None
        wanted_level = None if level is None else DomainLogLevel(level)
        subscription = info.context.subscribe(CLIENT_LOG_ADDED)
        delivery = info.context.container.bus.delivery
        try:
            async for event in subscription:
                log_id = event.data.get("id")
                if not isinstance(log_id, int):
                    continue
                # Cheap filters on the event itself before touching the database.
                if wanted_uuid is not None and event.data.get("uuid") not in (None, wanted_uuid):
                    continue
                if wanted_level is not None and event.data.get("level") not in (None, wanted_level.value):
                    continue
                async with delivery.slot(principal.user_id), info.context.read_session() as session:
                    entry = await get_log(session, log_id)
                if entry is None:
                    continue
                if (wanted_uuid is not None and entry.client_uuid != wanted_uuid) or (
                    wanted_level is not None and entry.level != wanted_level
                ):
                    continue
                _fresh_loaders(info)
                yield ClientLogType.from_model(entry)
        finally:
            await subscription.aclose()
