"""eventsChanged / groupsChanged end to end: a real server socket, graphql-transport-ws, HTTP mutations."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from app.config import load_settings
from app.container import Container
from app.domain.bus import EVENTS_CHANGED, DomainEvent
from app.domain.db import Base
from app.domain.enums import Role
from tests.graphql.fleet import add_group
from tests.support.api import Api
from tests.support.live_server import GraphQLWs, eventually, served
from tests.support.servers import RunningServer

pytestmark = pytest.mark.timeout(60)

EVENTS = "subscription($g: Int) { eventsChanged(groupId: $g) { groupIds eventId change } }"
GROUPS = "subscription { groupsChanged { groupId change } }"
CREATE = (
    "mutation($i: EventInput!) { createEvent(input: $i) { __typename ... on Event { id } ... on Error { message } } }"
)
UPDATE = (
    "mutation($id: Int!, $i: EventInput!) { updateEvent(id: $id, input: $i) { __typename ... on Error { message } } }"
)


def message_event(group_id: int, title: str = "Info", **extra: Any) -> dict[str, Any]:
    return {
        "groupId": group_id,
        "title": title,
        "eventType": "MESSAGE",
        "messageText": "Hallo",
        "start": "2026-03-02T08:00:00+00:00",
        "end": "2026-03-02T09:00:00+00:00",
        **extra,
    }


async def mutate(address: str, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=f"http://{address}") as http:
        response = await http.post(
            "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {token}"}
        )
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]  # type: ignore[no-any-return]


async def create_event(address: str, token: str, group_id: int, **extra: Any) -> int:
    result = (await mutate(address, token, CREATE, {"i": message_event(group_id, **extra)}))["createEvent"]
    assert result["__typename"] == "Event", result
    return int(result["id"])


async def test_events_changed_reports_http_edits_of_the_subscribed_group_only(api: Api) -> None:
    token = await api.token_for(Role.EDITOR)
    aula, raum = await add_group(api.container, "Aula"), await add_group(api.container, "Raum 101")
    base = api.container.bus.subscriber_count
    async with served(api.container) as address, GraphQLWs.connect(address, token) as ws:
        await ws.subscribe("aula", EVENTS, {"g": aula})
        await ws.subscribe("all", EVENTS)
        await eventually(lambda: api.container.bus.subscriber_count == base + 2)

        created = await create_event(address, token, aula)
        expected = {"groupIds": [aula], "eventId": created, "change": "created"}
        assert (await ws.data("aula"))["eventsChanged"] == expected
        assert (await ws.data("all"))["eventsChanged"] == expected

        other = await create_event(address, token, raum)
        assert (await ws.data("all"))["eventsChanged"] == {"groupIds": [raum], "eventId": other, "change": "created"}
        assert await ws.nothing_for("aula", 0.3), "the Aula subscriber heard about Raum 101"

        await mutate(address, token, UPDATE, {"id": created, "i": message_event(aula, "Neu")})
        assert (await ws.data("aula"))["eventsChanged"]["change"] == "updated"
        await ws.data("all")

        # Moving the event to another group tells both groups' viewers (one notice naming both).
        await mutate(address, token, UPDATE, {"id": other, "i": message_event(aula, "Umgezogen")})
        moved = {"groupIds": sorted([aula, raum]), "eventId": other, "change": "updated"}
        assert (await ws.data("aula"))["eventsChanged"] == moved
        assert (await ws.data("all"))["eventsChanged"] == moved

        assert (await mutate(address, token, "mutation($id: Int!) { deleteEvent(id: $id) }", {"id": created}))[
            "deleteEvent"
        ] is True
        assert (await ws.data("aula"))["eventsChanged"] == {"groupIds": [aula], "eventId": created, "change": "deleted"}
        await ws.data("all")
        # Deleting what is already gone changes nothing and announces nothing.
        await mutate(address, token, "mutation($id: Int!) { deleteEvent(id: $id) }", {"id": created})
        assert await ws.nothing_for("all", 0.3)

        # One occurrence of a series: deleted, then another one detached into a standalone event.
        series = await create_event(address, token, raum, recurrenceRule="FREQ=DAILY;COUNT=3")
        assert (await ws.data("all"))["eventsChanged"]["eventId"] == series
        await mutate(
            address, token,
            "mutation($id: Int!, $o: DateTime!) { deleteOccurrence(id: $id, occurrenceStart: $o) { __typename } }",
            {"id": series, "o": "2026-03-03T08:00:00+00:00"},
        )  # fmt: skip
        assert (await ws.data("all"))["eventsChanged"] == {
            "groupIds": [raum], "eventId": series, "change": "occurrence_deleted",
        }  # fmt: skip
        detached = await mutate(
            address, token,
            "mutation($id: Int!, $o: DateTime!, $i: EventInput!) { detachOccurrence(id: $id, occurrenceStart: $o, "
            "input: $i) { __typename ... on Event { id } } }",
            {"id": series, "o": "2026-03-04T08:00:00+00:00",
             "i": message_event(raum, "Einzeln", start="2026-03-04T08:00:00+00:00", end="2026-03-04T09:00:00+00:00")},
        )  # fmt: skip
        assert (await ws.data("all"))["eventsChanged"] == {
            "groupIds": [raum], "eventId": detached["detachOccurrence"]["id"], "change": "occurrence_detached",
        }  # fmt: skip
        assert await ws.nothing_for("aula", 0.2)

        # Garbage on the bus is dropped, not fatal; the stream goes on.
        for data in ({"group_ids": "x"}, {"group_ids": [aula], "change": "exploded"}, {"group_ids": [True]}):
            await api.container.bus.publish(DomainEvent(EVENTS_CHANGED, data))
        await create_event(address, token, aula)
        assert (await ws.data("aula"))["eventsChanged"]["change"] == "created"

        await ws.complete("aula")
        await eventually(lambda: api.container.bus.subscriber_count == base + 1)
    await eventually(lambda: api.container.bus.subscriber_count == base)


async def test_holiday_changes_reach_every_calendar(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    aula = await add_group(api.container, "Aula")
    period = await api.data(
        'mutation { createAcademicPeriod(input: {name: "2026", startDate: "2026-01-01", endDate: "2026-12-31"}) '
        "{ __typename ... on AcademicPeriod { id } } }",
        token=token,
    )
    period_id = period["createAcademicPeriod"]["id"]
    async with served(api.container) as address, GraphQLWs.connect(address, token) as ws:
        await ws.subscribe("aula", EVENTS, {"g": aula})
        await eventually(lambda: api.container.bus.subscriber_count >= 1)
        await mutate(
            address, token,
            "mutation($p: Int!, $i: SchoolHolidayInput!) { createHoliday(academicPeriodId: $p, input: $i) "
            "{ __typename } }",
            {"p": period_id, "i": {"name": "Ferien", "startDate": "2026-03-02", "endDate": "2026-03-06"}},
        )  # fmt: skip
        # No event of Aula skips holidays, yet its calendar shades them: the notice reaches it.
        assert (await ws.data("aula"))["eventsChanged"] == {"groupIds": [], "eventId": None, "change": "holidays"}


async def test_groups_changed_reports_create_rename_order_delete(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    viewer = await api.token_for(Role.USER)
    async with served(api.container) as address, GraphQLWs.connect(address, viewer) as ws:
        await ws.subscribe("groups", GROUPS)
        await eventually(lambda: api.container.bus.subscriber_count >= 1)
        created = await mutate(
            address, token, 'mutation { createGroup(name: "Aula") { __typename ... on ClientGroup { id } } }', {}
        )
        gid = created["createGroup"]["id"]
        assert (await ws.data("groups"))["groupsChanged"] == {"groupId": gid, "change": "created"}
        await mutate(address, token, 'mutation($id: Int!) { renameGroup(id: $id, name: "Festsaal") { __typename } }',
                     {"id": gid})  # fmt: skip
        assert (await ws.data("groups"))["groupsChanged"] == {"groupId": gid, "change": "renamed"}
        await mutate(address, token, "mutation($ids: [Int!]!) { setGroupOrder(ids: $ids) { __typename } }",
                     {"ids": [gid]})  # fmt: skip
        assert (await ws.data("groups"))["groupsChanged"] == {"groupId": None, "change": "reordered"}
        await mutate(address, token, "mutation($id: Int!) { deleteGroup(id: $id) { __typename } }", {"id": gid})
        assert (await ws.data("groups"))["groupsChanged"] == {"groupId": gid, "change": "deleted"}


async def _init(address: str, token: str | None) -> tuple[str, int | None]:
    payload = {"Authorization": f"Bearer {token}"} if token else {}
    async with websockets.connect(f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        try:
            async with asyncio.timeout(5):
                return str(json.loads(await ws.recv())["type"]), None
        except websockets.ConnectionClosed as closed:
            return "closed", closed.rcvd.code if closed.rcvd else None


async def test_events_changed_needs_a_login_and_a_plain_user_may_follow(api: Api) -> None:
    user = await api.token_for(Role.USER)
    editor = await api.token_for(Role.EDITOR)
    gid = await add_group(api.container, "Aula")
    async with served(api.container) as address:
        assert await _init(address, None) == ("closed", 4403)
        assert await _init(address, "iss_forged") == ("closed", 4403)
        # Reading events needs only a login (as the events query), so a plain user's calendar is live too.
        async with GraphQLWs.connect(address, user) as ws:
            await ws.subscribe("events", EVENTS, {"g": gid})
            await eventually(lambda: api.container.bus.subscriber_count >= 1)
            created = await create_event(address, editor, gid)
            assert (await ws.data("events"))["eventsChanged"]["eventId"] == created
        await api.data("mutation { logout { __typename } }", token=user)
        assert await _init(address, user) == ("closed", 4403)


@pytest.fixture
async def redis_pair(tmp_path: Path, redis_srv: RunningServer) -> AsyncIterator[tuple[Api, Api]]:
    """Two processes' containers (one database, one Redis): an `api` replica and another writer."""
    from app.http import create_http_app
    from app.runtime import load_adapters

    load_adapters()
    settings = load_settings(
        DATA_DIR=str(tmp_path / "data"),
        DEFAULT_SUPERADMIN_PASSWORD="superadmin-pass",
        SECRET_KEY="test-secret",
        REDIS_URL=f"redis://127.0.0.1:{redis_srv.port}/0",
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    containers = [Container.create(settings), Container.create(settings)]
    async with containers[0].db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    apis = []
    clients = []
    for container in containers:
        await container.start()
        app = create_http_app(container)
        app.state.ready = True
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        clients.append(client)
        apis.append(Api(container, client))
    try:
        yield apis[0], apis[1]
    finally:
        for client in clients:
            await client.aclose()
        for container in containers:
            await container.close()


async def test_events_changed_crosses_processes_over_redis(redis_pair: tuple[Api, Api]) -> None:
    replica, writer = redis_pair
    token = await replica.token_for(Role.EDITOR)
    gid = await add_group(replica.container, "Aula")
    async with served(replica.container) as address, GraphQLWs.connect(address, token) as ws:
        await ws.subscribe("aula", EVENTS, {"g": gid})
        await eventually(lambda: replica.container.bus.subscriber_count >= 1)
        created = await writer.data(CREATE, {"i": message_event(gid)}, token=token)
        assert (await ws.data("aula"))["eventsChanged"] == {
            "groupIds": [gid], "eventId": created["createEvent"]["id"], "change": "created",
        }  # fmt: skip
