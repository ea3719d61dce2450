"""Telling displays about group changes (retained MQTT state) and the events subscribers hear about them.

The database is the truth: a failed publish never undoes a committed change, it is logged and reported
so the admin knows which displays still hold the old retained state.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from app.domain.bus import CLIENT_UPDATED, GROUPS_CHANGED, DomainEvent
from app.domain.ports import DisplayPublisher

log = logging.getLogger(__name__)

# Bounded fan-out: a bulk assignment of thousands of displays must not open thousands of in-flight publishes.
_MAX_CONCURRENT_PUBLISHES = 50


async def publish_group_assignments(
    publisher: DisplayPublisher | None, assignments: Iterable[tuple[str, int | None]]
) -> list[str]:
    """Publish each retained `group_id` (None clears it); returns the uuids that could not be notified."""
    pairs = list(assignments)
    if not pairs:
        return []
    if publisher is None:
        log.warning("event=group_assignment_not_published reason=no_broker_link clients=%d", len(pairs))
        return [uuid for uuid, _ in pairs]
    gate = asyncio.Semaphore(_MAX_CONCURRENT_PUBLISHES)

    async def one(uuid: str, group_id: int | None) -> str | None:
        async with gate:
            try:
                await publisher.publish_group_assignment(uuid, group_id)
                return None
            except Exception as exc:
                log.warning("event=group_assignment_publish_failed client=%s group=%s error=%s", uuid, group_id, exc)
                return uuid

    results = await asyncio.gather(*(one(uuid, gid) for uuid, gid in pairs))
    return [uuid for uuid in results if uuid is not None]


def clients_updated(uuids: Iterable[str], **extra: object) -> list[DomainEvent]:
    """One CLIENT_UPDATED per display (for `uow.announce`)."""
    return [DomainEvent(CLIENT_UPDATED, {"uuid": uuid, **extra}) for uuid in uuids]


def groups_changed(group_id: int | None, change: str) -> DomainEvent:
    return DomainEvent(GROUPS_CHANGED, {"id": group_id, "change": change})
