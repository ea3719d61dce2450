"""Room groups and displays over /graphql: lifecycle, permissions, alive status, assignment and crash views."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select

from app.config import load_settings
from app.domain.audit.models import AuditLogEntry
from app.domain.clock import utcnow
from app.domain.enums import ProcessStatus, Role
from tests.conftest import Live
from tests.graphql.fleet import add_client, add_group, load_client, new_uuid
from tests.support.api import Api

GROUP_FIELDS = "... on ClientGroup { id name displayOrder } ... on Error { __typename message }"


async def admin(api: Api) -> str:
    return await api.token_for(Role.ADMIN)


async def create_group(api: Api, name: str, token: str) -> dict:
    data = await api.data(
        "mutation($n: String!) { createGroup(name: $n) { __typename " + GROUP_FIELDS + " } }", {"n": name}, token=token
    )
    return data["createGroup"]


async def audit_actions(api: Api) -> list[str]:
    async with api.container.db.session() as session:
        return list((await session.scalars(select(AuditLogEntry.action).order_by(AuditLogEntry.id))).all())


# --- groups -----------------------------------------------------------------------------------------


async def test_group_lifecycle_and_order(api: Api) -> None:
    token = await admin(api)
    a = await create_group(api, "  Raum   101 ", token)
    assert a["__typename"] == "ClientGroup" and a["name"] == "Raum 101"
    b = await create_group(api, "Aula", token)
    c = await create_group(api, "Bibliothek", token)

    renamed = await api.data(
        "mutation($id: Int!) { renameGroup(id: $id, name: 'Raum 102') { __typename } }".replace("'", '"'),
        {"id": a["id"]},
        token=token,
    )
    assert renamed["renameGroup"]["__typename"] == "ClientGroup"

    order = await api.data(
        "mutation($ids: [Int!]!) { setGroupOrder(ids: $ids) { ... on GroupOrder { groups { id } } } }",
        {"ids": [c["id"], a["id"]]},
        token=token,
    )
    # Listed ids first, the rest keep their order after them.
    assert [g["id"] for g in order["setGroupOrder"]["groups"]] == [c["id"], a["id"], b["id"]]

    groups = await api.data("{ groups { id name displayOrder } }", token=token)
    assert [(g["id"], g["name"]) for g in groups["groups"]] == [
        (c["id"], "Bibliothek"),
        (a["id"], "Raum 102"),
        (b["id"], "Aula"),
        (None, "Nicht zugeordnet"),
    ]
    assert await audit_actions(api) == ["group.create"] * 3 + ["group.rename", "group.order"]


async def test_group_name_rules(api: Api) -> None:
    token = await admin(api)
    await create_group(api, "Aula", token)
    dup = await create_group(api, " aula ", token)
    assert dup["__typename"] == "ConflictError" and "existiert bereits" in dup["message"]
    empty = await create_group(api, "   ", token)
    assert empty["__typename"] == "ValidationError"
    reserved = await create_group(api, "nicht zugeordnet", token)
    assert reserved["__typename"] == "ValidationError" and "reserviert" in reserved["message"]
    too_long = await create_group(api, "x" * 101, token)
    assert too_long["__typename"] == "ValidationError"
    other = await create_group(api, "Turnsaal", token)
    clash = await api.data(
        'mutation($id: Int!) { renameGroup(id: $id, name: "AULA") { __typename } }', {"id": other["id"]}, token=token
    )
    assert clash["renameGroup"]["__typename"] == "ConflictError"
    missing = await api.data('mutation { renameGroup(id: 999, name: "X") { __typename } }', token=token)
    assert missing["renameGroup"]["__typename"] == "NotFoundError"
    bad_order = await api.data(
        "mutation { setGroupOrder(ids: [999]) { __typename ... on ValidationError { message } } }", token=token
    )
    assert bad_order["setGroupOrder"]["__typename"] == "ValidationError"
    twice = await api.data(
        "mutation($ids: [Int!]!) { setGroupOrder(ids: $ids) { __typename } }", {"ids": [other["id"]] * 2}, token=token
    )
    assert twice["setGroupOrder"]["__typename"] == "ValidationError"


async def test_deleting_a_group_unassigns_its_clients(api: Api) -> None:
    token = await admin(api)
    gid = await add_group(api.container, "Raum 1")
    uuid = await add_client(api.container, group_id=gid, description="Tafel")
    result = await api.data(
        "mutation($id: Int!) { deleteGroup(id: $id) { __typename ... on GroupDeleted { name unassignedClients "
        "notNotified } } }",
        {"id": gid},
        token=token,
    )
    deleted = result["deleteGroup"]
    assert deleted["unassignedClients"] == [uuid]
    # No broker link in this process: the change stands, and the answer says the display was not told.
    assert deleted["notNotified"] == [uuid]
    groups = await api.data("{ groups { id name clients { uuid groupId } } }", token=token)
    assert groups["groups"] == [{"id": None, "name": "Nicht zugeordnet", "clients": [{"uuid": uuid, "groupId": None}]}]
    again = await api.data("mutation($id: Int!) { deleteGroup(id: $id) { __typename } }", {"id": gid}, token=token)
    assert again["deleteGroup"]["__typename"] == "NotFoundError"


async def test_reading_needs_login_and_writing_needs_admin(api: Api) -> None:
    anonymous = await api.gql("{ groups { id } }")
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    anonymous_write = await api.gql('mutation { createGroup(name: "X") { __typename } }')
    assert anonymous_write["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    uuid = await add_client(api.container)
    for role in (Role.USER, Role.EDITOR):
        token = await api.token_for(role)
        assert (await api.data("{ groups { name } }", token=token))["groups"][0]["name"] == "Nicht zugeordnet"
        assert (await api.data("{ clients { uuid } }", token=token))["clients"] == [{"uuid": uuid}]
        for mutation in (
            'createGroup(name: "X") { __typename }',
            "deleteGroup(id: 1) { __typename }",
            "setGroupOrder(ids: []) { __typename }",
            f'updateClient(uuid: "{uuid}", description: "x") {{ __typename }}',
            f'deleteClient(uuid: "{uuid}") {{ __typename }}',
            f'unassignClients(uuids: ["{uuid}"]) {{ __typename }}',
        ):
            body = await api.data("mutation { " + mutation + " }", token=token)
            assert next(iter(body.values()))["__typename"] == "ForbiddenError", mutation
        for query in ("{ crashedClients { crashReason } }", "{ serviceFailedClients { uuid } }"):
            denied = await api.gql(query, token=token)
            assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        denied = await api.data(f'mutation {{ clearServiceFailed(uuid: "{uuid}") {{ __typename }} }}', token=token)
        assert denied["clearServiceFailed"]["__typename"] == "ForbiddenError"
    assert (await load_client(api.container, uuid)) is not None


# --- clients ----------------------------------------------------------------------------------------


CLIENT_FIELDS = """uuid description hostname ip groupId group { id name } isAlive lastAlive isActive processStatus
currentProcess currentEventId screenHealthStatus serviceFailedAt serviceFailedUnit mqttReconnectCount
mqttLastDisconnectAt latestScreenshotUrl"""


async def test_clients_with_alive_status_per_env_grace(api: Api, tmp_path: Path) -> None:
    token = await api.token_for(Role.USER)
    gid = await add_group(api.container, "Raum 1")
    now = utcnow()
    fresh = await add_client(
        api.container, description="A", group_id=gid, last_alive=now - timedelta(seconds=175),
        process_status=ProcessStatus.RUNNING, mqtt_reconnect_count=3,
    )  # fmt: skip
    stale = await add_client(api.container, description="B", last_alive=now - timedelta(seconds=400))
    inactive = await add_client(api.container, description="C", is_active=False)
    never = await add_client(api.container, description="D", last_alive=None)

    data = await api.data("{ clients { " + CLIENT_FIELDS + " } }", token=token)
    by_uuid = {c["uuid"]: c for c in data["clients"]}
    assert [c["description"] for c in data["clients"]] == ["A", "B", "C", "D"]
    # Development grace is 180 s (HEARTBEAT_GRACE_PERIOD_DEV).
    assert by_uuid[fresh]["isAlive"] is True
    assert by_uuid[fresh]["group"] == {"id": gid, "name": "Raum 1"}
    assert by_uuid[fresh]["processStatus"] == "RUNNING" and by_uuid[fresh]["mqttReconnectCount"] == 3
    assert by_uuid[fresh]["latestScreenshotUrl"] == f"/screenshots/{fresh}.jpg"
    assert by_uuid[fresh]["lastAlive"].endswith("+00:00")
    assert by_uuid[stale]["isAlive"] is False and by_uuid[stale]["group"] is None
    assert by_uuid[inactive]["isAlive"] is False
    assert by_uuid[never]["isAlive"] is False and by_uuid[never]["lastAlive"] is None

    only_group = await api.data("query($g: Int) { clients(groupId: $g) { uuid } }", {"g": gid}, token=token)
    assert only_group["clients"] == [{"uuid": fresh}]
    unassigned = await api.data("{ unassignedClients { uuid } clients(unassigned: true) { uuid } }", token=token)
    assert len(unassigned["unassignedClients"]) == 3 == len(unassigned["clients"])
    page = await api.data("{ clients(limit: 2, offset: 1) { description } }", token=token)
    assert page["clients"] == [{"description": "B"}, {"description": "C"}]

    # Production uses HEARTBEAT_GRACE_PERIOD_PROD (170 s): the same heartbeat is now too old.
    api.container.settings = load_settings(ENV="production", SECRET_KEY="s", DATA_DIR=str(tmp_path / "prod"))
    one = await api.data("query($u: String!) { client(uuid: $u) { isAlive } }", {"u": fresh}, token=token)
    assert one["client"]["isAlive"] is False
    grace = await api.data("{ heartbeatGracePeriodSeconds }", token=token)
    assert grace["heartbeatGracePeriodSeconds"] == 170
    unknown = await api.data('{ client(uuid: "nope") { uuid } }', token=token)
    assert unknown["client"] is None


async def test_client_lists_read_only_selected_columns_yet_answer_fields_behind_fragments(api: Api) -> None:
    token = await api.token_for(Role.USER)
    gid = await add_group(api.container, "Raum 7")
    uuid = await add_client(
        api.container, description="Flur", hostname="pi-flur", group_id=gid, last_alive=utcnow(),
        software_version="2.4.1", hardware_info={"cpu": "bcm2712"},
    )  # fmt: skip
    query = """query { clients { ...Ident ... on Client { isAlive group { name } } alias: softwareVersion __typename }
        unassigned: clients(unassigned: true) { uuid } }
      fragment Ident on Client { uuid ...More }
      fragment More on Client { hostname hardwareInfo latestScreenshotUrl brokerAccess }"""
    data = await api.data(query, token=token)
    assert data["clients"] == [
        {
            "uuid": uuid, "hostname": "pi-flur", "hardwareInfo": {"cpu": "bcm2712"},
            "latestScreenshotUrl": f"/screenshots/{uuid}.jpg", "brokerAccess": "PENDING",
            "isAlive": True, "group": {"name": "Raum 7"}, "alias": "2.4.1", "__typename": "Client",
        }
    ]  # fmt: skip
    assert data["unassigned"] == []


async def test_update_client_description(api: Api) -> None:
    token = await admin(api)
    uuid = await add_client(api.container, description="alt")
    mutation = (
        "mutation($u: String!, $d: String) { updateClient(uuid: $u, description: $d) { __typename "
        "... on Client { uuid description } ... on Error { message } } }"
    )
    ok = await api.data(mutation, {"u": uuid.upper(), "d": "  Aula links  "}, token=token)
    assert ok["updateClient"] == {"__typename": "Client", "uuid": uuid, "description": "Aula links"}
    assert (await load_client(api.container, uuid)).description == "Aula links"  # type: ignore[union-attr]
    long = await api.data(mutation, {"u": uuid, "d": "x" * 300}, token=token)
    assert long["updateClient"]["__typename"] == "ValidationError"
    missing = await api.data(mutation, {"u": new_uuid(), "d": "x"}, token=token)
    assert missing["updateClient"] == {"__typename": "NotFoundError", "message": "Client nicht gefunden"}
    cleared = await api.data(mutation, {"u": uuid, "d": "   "}, token=token)
    assert cleared["updateClient"]["description"] is None
    assert "client.update" in await audit_actions(api)


async def test_assign_without_broker_keeps_the_change_and_reports_it(api: Api) -> None:
    token = await admin(api)
    gid = await add_group(api.container, "Raum 1")
    uuids = [await add_client(api.container, description=f"c{i}") for i in range(3)]
    mutation = (
        "mutation($u: [String!]!, $g: Int!) { assignClientsToGroup(uuids: $u, groupId: $g) { __typename "
        "... on ClientsAssigned { clients { uuid groupId } notNotified allNotified } ... on Error { message } } }"
    )
    result = (await api.data(mutation, {"u": uuids, "g": gid}, token=token))["assignClientsToGroup"]
    assert [c["groupId"] for c in result["clients"]] == [gid] * 3
    assert sorted(result["notNotified"]) == sorted(uuids) and result["allNotified"] is False
    listed = await api.data("query($g: Int) { clients(groupId: $g) { uuid } }", {"g": gid}, token=token)
    assert len(listed["clients"]) == 3

    # One unknown uuid: nothing changes at all.
    other = await add_group(api.container, "Raum 2")
    partial = (await api.data(mutation, {"u": [uuids[0], new_uuid()], "g": other}, token=token))["assignClientsToGroup"]
    assert partial["__typename"] == "NotFoundError" and "Client nicht gefunden" in partial["message"]
    assert (await load_client(api.container, uuids[0])).group_id == gid  # type: ignore[union-attr]
    no_group = (await api.data(mutation, {"u": uuids, "g": 999}, token=token))["assignClientsToGroup"]
    assert no_group["__typename"] == "NotFoundError"
    empty = (await api.data(mutation, {"u": [], "g": gid}, token=token))["assignClientsToGroup"]
    assert empty["__typename"] == "ValidationError"


async def test_crashed_and_service_failed_views(api: Api) -> None:
    token = await admin(api)
    now = utcnow()
    crashed = await add_client(api.container, description="a", process_status=ProcessStatus.CRASHED)
    stale = await add_client(api.container, description="b", last_alive=now - timedelta(minutes=10))
    await add_client(api.container, description="c")  # healthy
    await add_client(api.container, description="d", is_active=False, last_alive=None)  # inactive: ignored
    data = await api.data("{ crashedClients { crashReason client { uuid isAlive } } }", token=token)
    assert data["crashedClients"] == [
        {"crashReason": "PROCESS_CRASHED", "client": {"uuid": crashed, "isAlive": True}},
        {"crashReason": "HEARTBEAT_STALE", "client": {"uuid": stale, "isAlive": False}},
    ]

    older = await add_client(
        api.container, service_failed_at=now - timedelta(hours=2), service_failed_unit="infoscreen-watchdog.service"
    )
    newer = await add_client(api.container, service_failed_at=now - timedelta(minutes=1), service_failed_unit="x")
    failed = await api.data("{ serviceFailedClients { uuid serviceFailedUnit } }", token=token)
    assert [c["uuid"] for c in failed["serviceFailedClients"]] == [newer, older]

    cleared = await api.data(
        "mutation($u: String!) { clearServiceFailed(uuid: $u) { ... on Client { uuid serviceFailedAt "
        "serviceFailedUnit } } }",
        {"u": older},
        token=token,
    )
    assert cleared["clearServiceFailed"] == {"uuid": older, "serviceFailedAt": None, "serviceFailedUnit": None}
    failed = await api.data("{ serviceFailedClients { uuid } }", token=token)
    assert [c["uuid"] for c in failed["serviceFailedClients"]] == [newer]
    unknown = await api.data(
        'mutation { clearServiceFailed(uuid: "nope") { __typename ... on Error { message } } }', token=token
    )
    assert unknown["clearServiceFailed"] == {"__typename": "NotFoundError", "message": "Client nicht gefunden"}


async def test_delete_client(api: Api) -> None:
    token = await admin(api)
    uuid = await add_client(api.container)
    mutation = "mutation($u: String!) { deleteClient(uuid: $u) { __typename ... on ClientDeleted { uuid } } }"
    assert (await api.data(mutation, {"u": uuid}, token=token))["deleteClient"] == {
        "__typename": "ClientDeleted",
        "uuid": uuid,
    }
    assert await load_client(api.container, uuid) is None
    again = await api.data(mutation, {"u": uuid}, token=token)
    assert again["deleteClient"]["__typename"] == "NotFoundError"


# --- constant statement count -----------------------------------------------------------------------


async def _count_statements(api: Api, query: str, token: str) -> int:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    engine = api.container.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        await api.data(query, token=token)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


@pytest.mark.parametrize(
    "query",
    [
        "{ clients { uuid group { name } } }",
        "{ groups { name clients { uuid } } }",
        "{ clients { uuid latestCommand { commandId } } }",
    ],
)
async def test_lists_cost_a_constant_number_of_statements(api: Api, query: str) -> None:
    token = await admin(api)
    await api.data("{ version }", token=token)  # token touch done, so both counts below see the same work
    groups = [await add_group(api.container, f"Raum {i}") for i in range(5)]
    for i in range(5):
        await add_client(api.container, group_id=groups[i % 5])
    small = await _count_statements(api, query, token)
    async with api.container.db.session() as session:
        from app.domain.clients.models import Client

        session.add_all(Client(uuid=new_uuid(), group_id=groups[i % 5], is_active=True) for i in range(495))
    large = await _count_statements(api, query, token)
    assert large == small <= 4


# --- retained state a display reads -----------------------------------------------------------------


async def test_assignment_and_deletion_reach_the_display(live: Live) -> None:
    api = live.api
    token = await admin(api)
    display = live.display()
    await add_client(live.container, uuid=display.uuid, description="Tafel")
    gid = await add_group(live.container, "Raum 7")
    result = await api.data(
        "mutation($u: [String!]!, $g: Int!) { assignClientsToGroup(uuids: $u, groupId: $g) "
        "{ ... on ClientsAssigned { notNotified } } }",
        {"u": [display.uuid], "g": gid},
        token=token,
    )
    assert result["assignClientsToGroup"]["notNotified"] == []
    display.subscribe("infoscreen/{uuid}/group_id")
    msg = await asyncio.to_thread(display.expect, "infoscreen/{uuid}/group_id")
    assert msg.retain and msg.payload == str(gid).encode()

    # Deleting the group clears the retained assignment: a display connecting now reads nothing.
    deleted = await api.data(
        "mutation($id: Int!) { deleteGroup(id: $id) { ... on GroupDeleted { notNotified } } }", {"id": gid}, token=token
    )
    assert deleted["deleteGroup"]["notNotified"] == []
    fresh = live.display(uuid=display.uuid)
    fresh.subscribe("infoscreen/{uuid}/group_id")
    await asyncio.sleep(0.5)
    assert fresh.inbox.empty(), "the retained group_id survived the group deletion"

    gid2 = await add_group(live.container, "Raum 8")
    await api.data(
        "mutation($u: [String!]!, $g: Int!) { assignClientsToGroup(uuids: $u, groupId: $g) { __typename } }",
        {"u": [display.uuid], "g": gid2},
        token=token,
    )
    await api.data("mutation($u: String!) { deleteClient(uuid: $u) { __typename } }", {"u": display.uuid}, token=token)
    late = live.display(uuid=display.uuid)
    late.subscribe("infoscreen/{uuid}/group_id")
    await asyncio.sleep(0.5)
    assert late.inbox.empty(), "the retained group_id survived the client deletion"
    for d in (display, fresh, late):
        d.close()


async def test_clear_service_failed_clears_the_retained_message(live: Live) -> None:
    api = live.api
    token = await admin(api)
    display = live.display()
    # The display reported a failed unit (retained, as on the wire).
    display.publish("infoscreen/{uuid}/service_failed", {"unit": "infoscreen.service"}, retain=True)
    await add_client(live.container, uuid=display.uuid, service_failed_at=utcnow(), service_failed_unit="infoscreen")
    cleared = await api.data(
        "mutation($u: String!) { clearServiceFailed(uuid: $u) { ... on Client { serviceFailedAt } } }",
        {"u": display.uuid},
        token=token,
    )
    assert cleared["clearServiceFailed"]["serviceFailedAt"] is None
    fresh = live.display(uuid=display.uuid)
    fresh.subscribe("infoscreen/{uuid}/service_failed")
    await asyncio.sleep(0.5)
    assert fresh.inbox.empty(), "the retained service_failed message was not cleared"
    for d in (display, fresh):
        d.close()


async def test_latest_command_is_the_newest_by_creation(api: Api) -> None:
    from app.domain.commands.models import ClientCommand

    token = await admin(api)
    with_commands = await add_client(api.container, description="a")
    without = await add_client(api.container, description="b")
    now = utcnow()
    async with api.container.db.session() as session:
        for minutes, command_id, status in ((10, "old", "completed"), (1, "new", "published"), (5, "mid", "failed")):
            created = now - timedelta(minutes=minutes)
            session.add(
                ClientCommand(
                    command_id=command_id, client_uuid=with_commands, action="reboot_host", status=status,
                    issued_at=created, expires_at=created + timedelta(minutes=4), created_at=created,
                )
            )  # fmt: skip
    data = await api.data("{ clients { uuid latestCommand { commandId status action } } }", token=token)
    latest = {c["uuid"]: c["latestCommand"] for c in data["clients"]}
    assert latest == {
        with_commands: {"commandId": "new", "status": "published", "action": "reboot_host"},
        without: None,
    }


async def test_the_unassigned_pseudo_group_is_named_in_the_callers_language_and_both_names_are_reserved(
    api: Api,
) -> None:
    token = await admin(api)
    uuid = await add_client(api.container, description="Tafel")
    query = {"query": "{ groups { id name clients { uuid } } }", "variables": {}}
    english = await api.client.post(
        "/graphql", json=query, headers={"Authorization": f"Bearer {token}", "Accept-Language": "en-GB,en;q=0.9"}
    )
    assert english.json()["data"]["groups"] == [{"id": None, "name": "Unassigned", "clients": [{"uuid": uuid}]}]
    german = await api.data("{ groups { name } }", token=token)
    assert german["groups"] == [{"name": "Nicht zugeordnet"}]
    for reserved in ("unassigned", "NICHT ZUGEORDNET"):
        result = await api.data(
            "mutation($n: String!) { createGroup(name: $n) { __typename ... on Error { code } } }",
            {"n": reserved},
            token=token,
        )
        assert result["createGroup"]["__typename"] == "ValidationError", result
    assert (await api.data("{ groups(includeUnassigned: false) { id } }", token=token))["groups"] == []
