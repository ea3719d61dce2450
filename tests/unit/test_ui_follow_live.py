"""The dashboard's subscriptions: `on_live` runs once the bus has registered the subscription, so a page that
re-reads its state then misses nothing (a change just before it is in the re-read, one after it arrives)."""

from __future__ import annotations

import asyncio

from app.domain.bus import GROUPS_CHANGED, DomainEvent
from app.domain.enums import Role
from app.ui import gql
from tests.support.api import Api


async def test_on_live_runs_after_registration_and_the_next_change_arrives(api: Api) -> None:
    gql.bind_container(api.container)
    token = await api.token_for(Role.ADMIN)
    bus = api.container.bus
    before = bus.subscriber_count
    registered_at_live: list[int] = []

    async def on_live() -> None:
        registered_at_live.append(bus.subscriber_count)
        # A change at the very instant the page re-reads: it must still reach the page as an update.
        await bus.publish(DomainEvent(GROUPS_CHANGED, {"id": 7, "change": "renamed"}))

    stream = gql.subscribe("subscription { groupsChanged { groupId change } }", token=token, on_live=on_live)
    first = await asyncio.wait_for(anext(stream), 5)
    assert registered_at_live == [before + 1]
    assert first == {"groupsChanged": {"groupId": 7, "change": "renamed"}}
    await stream.aclose()
    await asyncio.sleep(0)
    assert bus.subscriber_count == before  # closing the stream unregisters it


async def test_a_refused_subscription_never_reports_live(api: Api) -> None:
    gql.bind_container(api.container)
    token = await api.token_for(Role.EDITOR)
    called: list[bool] = []
    stream = gql.subscribe(
        "subscription { commandUpdated { commandId } }", token=token, on_live=lambda: called.append(True)
    )
    assert await asyncio.wait_for(anext(stream, None), 5) is None  # refused: the stream just ends
    assert called == []
