"""Live subscriptions end to end: a real server socket, graphql-transport-ws, bearer token, the event bus."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from app.domain.bus import CLIENT_LOG_ADDED, CLIENT_UPDATED, DomainEvent
from app.domain.clients.models import Client
from app.domain.clock import utcnow
from app.domain.enums import LogLevel, Role
from app.domain.monitoring.models import ClientLog
from tests.graphql.fleet import add_client, add_group
from tests.support.api import Api
from tests.support.live_server import GraphQLWs, eventually, served

pytestmark = pytest.mark.timeout(60)

UPDATED = "subscription($u: String) { clientUpdated(uuid: $u) { uuid description isAlive group { name } } }"
LOGS = "subscription($u: String, $l: LogLevel) { clientLogAdded(uuid: $u, level: $l) { id clientUuid level message } }"


async def wait_subscribers(api: Api, count: int) -> None:
    await eventually(lambda: api.container.bus.subscriber_count == count)


async def mutate(address: str, token: str, query: str, variables: dict) -> dict:
    async with httpx.AsyncClient(base_url=f"http://{address}") as http:
        response = await http.post(
            "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {token}"}
        )
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]  # type: ignore[no-any-return]


async def test_client_updated_follows_edits_and_ingest(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    gid = await add_group(api.container, "Aula")
    a = await add_client(api.container, description="A", group_id=gid)
    b = await add_client(api.container, description="B")
    base = api.container.bus.subscriber_count
    update = "mutation($u: String!, $d: String) { updateClient(uuid: $u, description: $d) { __typename } }"
    async with served(api.container) as address, GraphQLWs.connect(address, token) as ws:
        await ws.subscribe("one", UPDATED, {"u": a})
        await ws.subscribe("all", UPDATED)
        await wait_subscribers(api, base + 2)

        await mutate(address, token, update, {"u": a, "d": "A neu"})
        assert (await ws.data("one"))["clientUpdated"] == {
            "uuid": a, "description": "A neu", "isAlive": True, "group": {"name": "Aula"},
        }  # fmt: skip
        assert (await ws.data("all"))["clientUpdated"]["uuid"] == a

        await mutate(address, token, update, {"u": b, "d": "B neu"})
        assert (await ws.data("all"))["clientUpdated"]["description"] == "B neu"
        assert await ws.nothing_for("one", 0.3), "the filtered subscription saw another display"

        # What ingest does: write the row, then announce the uuid on the bus.
        async with api.container.db.session() as session:
            client = await session.get(Client, a)
            assert client is not None
            client.last_alive = utcnow() - timedelta(hours=1)
        await api.container.bus.publish(DomainEvent(CLIENT_UPDATED, {"uuid": a, "reason": "heartbeat"}))
        assert (await ws.data("one"))["clientUpdated"]["isAlive"] is False
        await ws.data("all")

        # A group rename shows on the next update (no stale cache on a long-lived connection).
        await mutate(address, token, 'mutation($id: Int!) { renameGroup(id: $id, name: "Festsaal") { __typename } }',
                     {"id": gid})  # fmt: skip
        await mutate(address, token, update, {"u": a, "d": "A"})
        assert (await ws.data("one"))["clientUpdated"]["group"] == {"name": "Festsaal"}
        assert (await ws.data("all"))["clientUpdated"]["group"] == {"name": "Festsaal"}

        # Unsubscribing releases the bus registration at once; deleted displays are skipped, not errors.
        await ws.complete("one")
        await wait_subscribers(api, base + 1)
        await mutate(address, token, "mutation($u: String!) { deleteClient(uuid: $u) { __typename } }", {"u": b})
        await mutate(address, token, update, {"u": a, "d": "danach"})
        assert (await ws.data("all"))["clientUpdated"]["description"] == "danach"
    # Disconnecting closes the remaining subscription too.
    await wait_subscribers(api, base)


async def test_client_log_added_filters_by_display_and_level(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    a = await add_client(api.container)
    b = await add_client(api.container)
    base = api.container.bus.subscriber_count

    async def ingest(uuid: str, level: LogLevel, message: str) -> int:
        async with api.container.db.session() as session:
            entry = ClientLog(client_uuid=uuid, level=level, message=message, timestamp=utcnow())
            session.add(entry)
            await session.flush()
            log_id = entry.id
        await api.container.bus.publish(DomainEvent(CLIENT_LOG_ADDED, {"id": log_id, "uuid": uuid, "level": level}))
        return log_id

    async with served(api.container) as address, GraphQLWs.connect(address, token) as ws:
        await ws.subscribe("errors-of-a", LOGS, {"u": a, "l": "ERROR"})
        await ws.subscribe("everything", LOGS)
        await wait_subscribers(api, base + 2)
        await ingest(a, LogLevel.INFO, "booted")
        await ingest(b, LogLevel.ERROR, "b broke")
        wanted = await ingest(a, LogLevel.ERROR, "a broke")
        got = (await ws.data("errors-of-a"))["clientLogAdded"]
        assert got == {"id": wanted, "clientUuid": a, "level": "ERROR", "message": "a broke"}
        assert [(await ws.data("everything"))["clientLogAdded"]["message"] for _ in range(3)] == [
            "booted", "b broke", "a broke",
        ]  # fmt: skip
        assert await ws.nothing_for("errors-of-a", 0.3)
        # Garbage on the bus is ignored, not fatal.
        await api.container.bus.publish(DomainEvent(CLIENT_LOG_ADDED, {"id": "x"}))
        await api.container.bus.publish(DomainEvent(CLIENT_LOG_ADDED, {"id": 999_999}))
        await ingest(a, LogLevel.ERROR, "again")
        assert (await ws.data("errors-of-a"))["clientLogAdded"]["message"] == "again"
    await wait_subscribers(api, base)


async def test_log_subscription_needs_admin(api: Api) -> None:
    token = await api.token_for(Role.USER)
    async with served(api.container) as address, GraphQLWs.connect(address, token) as ws:
        await ws.subscribe("logs", LOGS)
        message = await ws.message("logs")
        errors = message["payload"] if message["type"] == "error" else message["payload"].get("errors")
        assert errors and errors[0]["extensions"]["code"] == "FORBIDDEN", message
        # Reading display updates only needs a login.
        await ws.subscribe("clients", UPDATED)
        uuid = await add_client(api.container, description="x")
        await eventually(lambda: api.container.bus.subscriber_count >= 1)
        await api.container.bus.publish(DomainEvent(CLIENT_UPDATED, {"uuid": uuid}))
        assert (await ws.data("clients"))["clientUpdated"]["uuid"] == uuid


async def test_a_burst_reaches_each_subscriber_once_per_display_in_its_newest_state(api: Api) -> None:
    """Hundreds of reports a second: `clientUpdated` delivers every changed display (newest state, each once
    per burst, not one row read per report) and `fleetChanged` sends one notice naming them, reading nothing."""
    token = await api.token_for(Role.ADMIN)
    uuids = [await add_client(api.container, description=f"D{n}") for n in range(30)]
    base = api.container.bus.subscriber_count
    async with served(api.container) as address, GraphQLWs.connect(address, token) as ws:
        await ws.subscribe("all", "subscription { clientUpdated { uuid description } }")
        await ws.subscribe("fleet", "subscription { fleetChanged(seconds: 0.5) { uuids count } }")
        await wait_subscribers(api, base + 2)
        async with api.container.db.session() as session:
            for uuid in uuids:
                client = await session.get(Client, uuid)
                assert client is not None
                client.description = f"{client.description} neu"
        # Ten reports per display, back to back (as the ingest announces them).
        for _ in range(10):
            for uuid in uuids:
                await api.container.bus.publish(DomainEvent(CLIENT_UPDATED, {"uuid": uuid, "reason": "health"}))

        notice = (await ws.data("fleet"))["fleetChanged"]
        assert sorted(notice["uuids"]) == sorted(uuids) and notice["count"] == len(uuids)
        assert await ws.nothing_for("fleet", 0.8), "one burst, one notice"

        seen: list[dict] = []
        while True:
            try:
                seen.append((await ws.data("all", timeout=1.0))["clientUpdated"])
            except TimeoutError:
                break
        assert {row["uuid"] for row in seen} == set(uuids)
        assert all(row["description"].endswith(" neu") for row in seen)
        # The reports that queued while one was delivered come together, each display once.
        assert len(seen) < 3 * len(uuids), f"{len(seen)} deliveries for a burst of {10 * len(uuids)} reports"
