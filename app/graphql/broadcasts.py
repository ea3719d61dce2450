"""Durchsage over GraphQL (contract "Durchsage"): `startBroadcast`, `endBroadcast`, `broadcasts`, `broadcast`
and the subscription `broadcastUpdated`. Starting and ending need admin+, reading any login (the domain
checks both); the rules live in app.domain.broadcasts.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated, Union

import strawberry

from app.domain import errors as domain_errors
from app.domain.broadcasts import models, queries, service
from app.domain.broadcasts.queries import BroadcastStatus
from app.domain.broadcasts.rules import BROADCAST_UPDATED, event_id_for
from app.domain.bus import CLIENT_UPDATED
from app.domain.usecase import require_role
from app.graphql.caller import caller
from app.graphql.context import Info
from app.graphql.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError, as_result

BroadcastSeverity = strawberry.enum(
    models.BroadcastSeverity, name="BroadcastSeverity", description="INFO < WARNING < ALARM (the more severe wins)."
)
ReceiptStatus = strawberry.enum(
    models.ReceiptStatus,
    name="BroadcastReceiptStatus",
    description="PENDING (not confirmed yet), SHOWN (the display reported the broadcast's event id), OFFLINE "
    "(no heartbeat within the grace).",
)
# Receipt changes arrive with display telemetry: pushes are coalesced over this long.
_PUSH_COALESCE_SECONDS = 0.25


@strawberry.type(name="BroadcastReceipt", description="One target display of a Durchsage.")
class BroadcastReceiptType:
    client_uuid: str
    group_id: int | None
    status: ReceiptStatus  # type: ignore[valid-type]
    shown_at: datetime | None
    client_name: str | None = strawberry.field(description="The display's description (or hostname).")
    group_name: str | None


@strawberry.type(name="Broadcast", description="A Durchsage: one message on every target screen, with receipts.")
class BroadcastType:
    id: int
    title: str | None
    message: str
    severity: BroadcastSeverity  # type: ignore[valid-type]
    group_ids: list[int] | None = strawberry.field(description="Null: every group.")
    started_at: datetime
    ends_at: datetime | None
    ended_at: datetime | None = strawberry.field(description="The all-clear (or ends_at once it passed).")
    end_reason: str | None = strawberry.field(description="ALL_CLEAR or EXPIRED.")
    started_by: str | None = strawberry.field(description="The user name of who started it.")
    active: bool
    event_id: int = strawberry.field(description="The event id displays receive and report (2,000,000,000 + id).")
    target_count: int
    shown_count: int
    offline_count: int
    pending_count: int
    seconds_to_50: float | None = strawberry.field(
        name="secondsTo50", description="Seconds from the start until 50 % of the online displays confirmed."
    )
    seconds_to_90: float | None = strawberry.field(name="secondsTo90")
    seconds_to_100: float | None = strawberry.field(name="secondsTo100")

    @strawberry.field(description="Every target display, by room group then display.")
    async def receipts(self, info: Info) -> list[BroadcastReceiptType]:
        rows = await queries.broadcast_receipts(info.context.container, caller(info), self.id)
        return [
            BroadcastReceiptType(
                client_uuid=r.client_uuid, group_id=r.group_id, status=r.status, shown_at=r.shown_at,
                client_name=r.client_name, group_name=r.group_name,
            )
            for r in rows
        ]  # fmt: skip

    @classmethod
    def from_status(cls, status: BroadcastStatus) -> BroadcastType:
        b, c = status.broadcast, status.counts
        return cls(
            id=b.id, title=b.title, message=b.message, severity=models.BroadcastSeverity(b.severity),
            group_ids=None if b.group_ids is None else [int(g) for g in b.group_ids], started_at=b.started_at,
            ends_at=b.ends_at, ended_at=b.ended_at, end_reason=b.end_reason, started_by=b.started_by_name,
            active=status.active, event_id=event_id_for(b.id), target_count=c.target, shown_count=c.shown,
            offline_count=c.offline, pending_count=c.pending, seconds_to_50=c.seconds_to[50],
            seconds_to_90=c.seconds_to[90], seconds_to_100=c.seconds_to[100],
        )  # fmt: skip


@strawberry.input(description="A Durchsage to start now. `groupIds` null = every group; `endsAt` null = until the "
                  "all-clear.")  # fmt: skip
class BroadcastInput:
    message: str
    severity: BroadcastSeverity = models.BroadcastSeverity.INFO  # type: ignore[valid-type]
    title: str | None = None
    group_ids: list[int] | None = None
    ends_at: datetime | None = None


StartBroadcastResult = Annotated[
    Union[BroadcastType, ValidationError, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("StartBroadcastResult"),
]
EndBroadcastResult = Annotated[
    Union[BroadcastType, NotFoundError, ConflictError, ForbiddenError],  # noqa: UP007
    strawberry.union("EndBroadcastResult"),
]


@strawberry.type
class BroadcastsQuery:
    @strawberry.field(description="Durchsagen, newest first (the last 200); `activeOnly` keeps the running ones.")
    async def broadcasts(self, info: Info, active_only: bool | None = None) -> list[BroadcastType]:
        rows = await queries.list_broadcasts(info.context.container, caller(info), active_only=bool(active_only))
        return [BroadcastType.from_status(s) for s in rows]

    @strawberry.field(description="One Durchsage (null when there is none with this id).")
    async def broadcast(self, info: Info, id: int) -> BroadcastType | None:
        try:
            return BroadcastType.from_status(await queries.broadcast_by_id(info.context.container, caller(info), id))
        except domain_errors.NotFoundError:
            return None


@strawberry.type
class BroadcastsMutation:
    @strawberry.mutation(
        description="Start a Durchsage now: alone at the head of every target group's retained event list, power "
        "intent ON, receipts PENDING (admin+, audited)."
    )
    async def start_broadcast(self, info: Info, input: BroadcastInput) -> StartBroadcastResult:
        async def run() -> BroadcastType:
            command = service.StartBroadcast(
                message=input.message,
                severity=models.BroadcastSeverity(input.severity).value,
                title=input.title,
                group_ids=None if input.group_ids is None else tuple(input.group_ids),
                ends_at=input.ends_at,
            )
            started = await service.start_broadcast(info.context.container, caller(info), command)
            return BroadcastType.from_status(
                await queries.broadcast_by_id(info.context.container, caller(info), started.id)
            )

        return await as_result(run)  # type: ignore[return-value]

    @strawberry.mutation(
        description="The all-clear (Entwarnung): the groups' normal lists and power intents return at once "
        "(admin+, audited)."
    )
    async def end_broadcast(self, info: Info, id: int) -> EndBroadcastResult:
        async def run() -> BroadcastType:
            await service.end_broadcast(info.context.container, caller(info), service.EndBroadcast(id))
            return BroadcastType.from_status(await queries.broadcast_by_id(info.context.container, caller(info), id))

        return await as_result(run)  # type: ignore[return-value]


def _fingerprint(status: BroadcastStatus) -> tuple[object, ...]:
    c = status.counts
    return (status.active, status.broadcast.ended_at, c.target, c.shown, c.offline, c.pending)


@strawberry.type
class BroadcastsSubscription:
    @strawberry.subscription(
        description="A Durchsage whenever it starts, ends or any of its receipts changes (all of them, or the one "
        "with `id`). Receipt changes are coalesced over a quarter second."
    )
    async def broadcast_updated(self, info: Info, id: int | None = None) -> AsyncGenerator[BroadcastType, None]:
        deps = info.context.container
        require_role(caller(info), queries.READ_ROLE)
        subscription = info.context.subscribe(BROADCAST_UPDATED, CLIENT_UPDATED)
        seen: dict[int, tuple[object, ...]] = {}
        # Display telemetry only matters while a broadcast runs: without one it costs no query.
        running = {s.broadcast.id for s in await queries.list_broadcasts(deps, caller(info), active_only=True)}
        try:
            async for first in subscription:
                await asyncio.sleep(_PUSH_COALESCE_SECONDS)
                events = [first]
                while not subscription.queue.empty():
                    events.append(subscription.queue.get_nowait())
                named = {e.data.get("id") for e in events if e.topic == BROADCAST_UPDATED}
                named = {i for i in named if isinstance(i, int)}
                if named:
                    active = await queries.list_broadcasts(deps, caller(info), active_only=True)
                    running = {s.broadcast.id for s in active}
                telemetry = any(e.topic == CLIENT_UPDATED for e in events)
                if id is not None:
                    wanted = {id} if id in named or (telemetry and id in running) else set()
                else:
                    wanted = named | (running if telemetry else set())
                for broadcast_id in sorted(wanted):
                    with contextlib.suppress(domain_errors.NotFoundError):
                        status = await queries.broadcast_by_id(deps, caller(info), broadcast_id)
                        mark = _fingerprint(status)
                        if broadcast_id in named or seen.get(broadcast_id) != mark:
                            seen[broadcast_id] = mark
                            yield BroadcastType.from_status(status)
        finally:
            await subscription.aclose()
