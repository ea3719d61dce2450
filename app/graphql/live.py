"""Live subscriptions over the domain event bus: display changes and newly stored display logs.

Each subscription registers on the bus when it starts and closes that registration in `finally`, so a
browser that disconnects leaves nothing behind. Events carry only ids; the row is re-read per event, so a
subscriber always sees committed state.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from app.domain.bus import CLIENT_LOG_ADDED, CLIENT_UPDATED
from app.domain.clients.service import find_client, normalise_uuid
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


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(
        description="A display changed (discovery, heartbeat, health, service_failed, edits); "
        "only the given display when uuid is set."
    )
    async def client_updated(self, info: Info, uuid: str | None = None) -> AsyncGenerator[ClientType, None]:
        principal = require(info)
        wanted = normalise_uuid(uuid) if uuid else None
        bus = info.context.container.bus
        subscription = bus.subscribe(CLIENT_UPDATED)
        try:
            async for event in subscription:
                key = normalise_uuid(str(event.data.get("uuid") or ""))
                if not key or (wanted is not None and key != wanted):
                    continue
                async with bus.delivery.slot(principal.user_id):
                    async with info.context.read_session() as session:
                        model = await find_client(session, key)
                    if model is None:
                        continue  # deleted meanwhile: nothing to show
                    _fresh_loaders(info)
                    result = client_type(model, info)
                yield result
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
        bus = info.context.container.bus
        subscription = bus.subscribe(CLIENT_LOG_ADDED)
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
                async with bus.delivery.slot(principal.user_id), info.context.read_session() as session:
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
