"""Per-display broker accounts on a real Mosquitto with dynamic security, driven through GraphQL.

The display side is paho over MQTT 5, so refusals are visible as SUBACK/PUBACK reason codes. paho calls
block, and the server runs in this test's event loop, so they go through a thread.
"""

from __future__ import annotations

import asyncio
import uuid as uuidlib
from typing import Any

from sqlalchemy import select

from app.domain.audit.models import AuditLogEntry
from app.domain.clients.models import Client
from app.domain.enums import Role
from tests.production.conftest import Secure
from tests.production.support import GRANTED_QOS1, NOT_AUTHORIZED, SecureDisplay

APPROVE = """mutation($uuid: String!) { approveClient(uuid: $uuid) {
  __typename ... on ClientCredentials { username password client { uuid brokerAccess brokerUsername } }
  ... on Error { message } } }"""
ROTATE = """mutation($uuid: String!) { rotateClientCredentials(uuid: $uuid) {
  __typename ... on ClientCredentials { username password } ... on Error { message } } }"""
REVOKE = """mutation($uuid: String!) { revokeClientAccess(uuid: $uuid) {
  __typename ... on Client { uuid brokerAccess } ... on Error { message } } }"""
CREATE_GROUP = "mutation($n: String!) { createGroup(name: $n) { ... on ClientGroup { id } } }"
ASSIGN = """mutation($u: [String!]!, $g: Int!) { assignClientsToGroup(uuids: $u, groupId: $g) {
  ... on ClientsAssigned { notNotified } ... on Error { message } } }"""
CLIENT = "query($uuid: String!) { client(uuid: $uuid) { uuid brokerAccess lastAlive } }"

run = asyncio.to_thread


def discovery(uuid: str) -> dict[str, Any]:
    return {"uuid": uuid, "hostname": f"pi-{uuid[:4]}", "ip": "10.0.0.9"}


async def discovered(secure: Secure, uuid: str) -> None:
    admin = await secure.api.token_for(Role.ADMIN)

    async def known() -> bool:
        data = await secure.api.data(CLIENT, {"uuid": uuid}, token=admin)
        return data["client"] is not None

    for _ in range(100):
        if await known():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{uuid} was not discovered")


async def announce(secure: Secure, uuid: str | None = None) -> tuple[str, SecureDisplay]:
    """A brand-new display announces itself with the shared provisioning login."""
    key, display = await run(secure.provisioning_display, uuid)
    assert display.accepted
    assert await run(display.publish, "infoscreen/discovery", discovery(key)) == 0
    await discovered(secure, key)
    return key, display


async def approve(secure: Secure, uuid: str) -> tuple[str, str]:
    admin = await secure.api.token_for(Role.ADMIN)
    result = (await secure.api.data(APPROVE, {"uuid": uuid}, token=admin))["approveClient"]
    assert result["__typename"] == "ClientCredentials", result
    assert result["client"]["brokerAccess"] == "APPROVED"
    return result["username"], result["password"]


async def approved_display(secure: Secure, uuid: str | None = None) -> tuple[str, SecureDisplay]:
    key, provisioning = await announce(secure, uuid)
    await run(provisioning.close)
    username, password = await approve(secure, key)
    display = await run(secure.display, key, username, password)
    assert display.accepted, display.connack
    return key, display


async def test_unapproved_display_may_only_announce_itself_and_read_its_own_ack(secure: Secure) -> None:
    other, other_display = await approved_display(secure)
    uuid, display = await announce(secure)

    # Its own ack becomes readable once the server saw the discovery (no %c substitution in 2.0 dynsec).
    assert await run(display.subscribe_eventually, f"infoscreen/{uuid}/discovery_ack") == GRANTED_QOS1
    for topic in (
        "infoscreen/+/discovery_ack",
        f"infoscreen/{other}/discovery_ack",
        f"infoscreen/{uuid}/commands",
        f"infoscreen/{other}/commands",
        f"infoscreen/{uuid}/group_id",
        "infoscreen/events/1",
        "infoscreen/groups/1/power/intent",
        "infoscreen/#",
        "#",
    ):
        assert await run(display.subscribe, topic) == NOT_AUTHORIZED, topic

    # Nothing but discovery may be published with the shared login.
    assert await run(display.publish, f"infoscreen/{uuid}/heartbeat", {"ts": 1}) == NOT_AUTHORIZED
    assert await run(display.publish, f"infoscreen/{other}/commands/ack", {"command_id": "x"}) == NOT_AUTHORIZED

    # Announcing again is acknowledged on its own topic.
    assert await run(display.publish, "infoscreen/discovery", discovery(uuid)) == 0
    ack = await run(display.expect, f"infoscreen/{uuid}/discovery_ack")
    assert ack.json()["uuid"] == uuid and "broker_password" not in ack.json()

    admin = await secure.api.token_for(Role.ADMIN)
    client = (await secure.api.data(CLIENT, {"uuid": uuid}, token=admin))["client"]
    assert client["brokerAccess"] == "PENDING" and client["lastAlive"] is None
    await run(display.close)
    await run(other_display.close)


async def test_approved_display_gets_exactly_its_topics(secure: Secure) -> None:
    other, other_display = await approved_display(secure)
    uuid, display = await approved_display(secure)

    for topic in (
        f"infoscreen/{uuid}/commands",
        f"infoscreen/{uuid}/command",
        f"infoscreen/{uuid}/discovery_ack",
        f"infoscreen/{uuid}/group_id",
        f"clients/{uuid}/restart",
    ):
        assert await run(display.subscribe, topic) == GRANTED_QOS1, topic
    for topic in (
        f"infoscreen/{other}/commands",
        f"infoscreen/{other}/command",
        "infoscreen/+/commands",
        f"infoscreen/{uuid}/heartbeat",
        "infoscreen/events/1",
        "#",
    ):
        assert await run(display.subscribe, topic) == NOT_AUTHORIZED, topic

    # Own telemetry lands; another display's topics and the server's topics are refused.
    assert await run(display.publish, f"infoscreen/{uuid}/heartbeat", {"process_status": "running"}) == 0
    assert await run(display.publish, f"infoscreen/{uuid}/logs/info", {"message": "hallo"}) == 0
    assert await run(display.publish, f"infoscreen/{other}/heartbeat", {}) == NOT_AUTHORIZED
    assert await run(display.publish, f"infoscreen/{other}/commands/ack", {"command_id": "x"}) == NOT_AUTHORIZED
    assert await run(display.publish, f"infoscreen/{other}/commands", {"action": "reboot_host"}) == NOT_AUTHORIZED
    assert await run(other_display.subscribe, f"infoscreen/{other}/commands") == GRANTED_QOS1
    assert await run(other_display.nothing_on, f"infoscreen/{other}/commands", 0.5)

    admin = await secure.api.token_for(Role.ADMIN)

    async def alive(key: str) -> bool:
        return (await secure.api.data(CLIENT, {"uuid": key}, token=admin))["client"]["lastAlive"] is not None

    for _ in range(50):
        if await alive(uuid):
            break
        await asyncio.sleep(0.1)
    assert await alive(uuid)
    assert not await alive(other)  # the forged heartbeat never reached the server

    # The password is handed out once and stored nowhere.
    async with secure.container.db.read_session() as session:
        row = await session.get(Client, uuid)
        assert row is not None and row.broker_username == f"infoscreen-client-{uuid.replace('-', '')[:8]}"
        entries = (await session.scalars(select(AuditLogEntry).where(AuditLogEntry.object_id == uuid))).all()
        assert [e.action for e in entries] == ["client.broker_approve"]
    await run(display.close)
    await run(other_display.close)


async def test_group_change_moves_event_and_power_rights(secure: Secure) -> None:
    admin = await secure.api.token_for(Role.ADMIN)
    first = (await secure.api.data(CREATE_GROUP, {"n": "Aula"}, token=admin))["createGroup"]["id"]
    second = (await secure.api.data(CREATE_GROUP, {"n": "Bibliothek"}, token=admin))["createGroup"]["id"]
    uuid, display = await approved_display(secure)
    assert await run(display.subscribe, f"infoscreen/events/{first}") == NOT_AUTHORIZED

    result = await secure.api.data(ASSIGN, {"u": [uuid], "g": first}, token=admin)
    assert result["assignClientsToGroup"]["notNotified"] == []
    assert await run(display.subscribe, f"infoscreen/events/{first}") == GRANTED_QOS1
    assert await run(display.subscribe, f"infoscreen/groups/{first}/power/intent") == GRANTED_QOS1
    assert await run(display.subscribe, f"infoscreen/events/{second}") == NOT_AUTHORIZED

    await secure.api.data(ASSIGN, {"u": [uuid], "g": second}, token=admin)
    assert await run(display.subscribe, f"infoscreen/events/{second}") == GRANTED_QOS1
    assert await run(display.subscribe, f"infoscreen/groups/{second}/power/intent") == GRANTED_QOS1
    assert await run(display.subscribe, f"infoscreen/events/{first}") == NOT_AUTHORIZED

    # The subscription left over from the old group no longer delivers; the new group's does.
    server = await run(secure.server_side)
    assert await run(server.publish, f"infoscreen/events/{first}", [{"id": 1}]) == 0
    assert await run(display.nothing_on, f"infoscreen/events/{first}", 0.7)
    assert await run(server.publish, f"infoscreen/events/{second}", [{"id": 2}]) == 0
    assert (await run(display.expect, f"infoscreen/events/{second}")).json() == [{"id": 2}]
    await run(server.close)
    await run(display.close)


async def test_revoke_disables_exactly_that_account_and_rotation_replaces_the_password(secure: Secure) -> None:
    admin = await secure.api.token_for(Role.ADMIN)
    revoked_uuid, revoked = await approved_display(secure)
    kept_uuid, kept = await approved_display(secure)
    revoked_login = (f"infoscreen-client-{revoked_uuid.replace('-', '')[:8]}",)

    result = (await secure.api.data(REVOKE, {"uuid": revoked_uuid}, token=admin))["revokeClientAccess"]
    assert result == {"__typename": "Client", "uuid": revoked_uuid, "brokerAccess": "REVOKED"}
    assert await run(revoked.wait_disconnected, 10), "the broker kept the revoked session"
    assert await run(kept.publish, f"infoscreen/{kept_uuid}/heartbeat", {}) == 0
    assert await run(kept.subscribe, f"infoscreen/{kept_uuid}/commands") == GRANTED_QOS1

    # Rotation: the old password stops working, the new one works.
    rotated = (await secure.api.data(ROTATE, {"uuid": kept_uuid}, token=admin))["rotateClientCredentials"]
    assert rotated["__typename"] == "ClientCredentials" and len(rotated["password"]) >= 24
    username = rotated["username"]
    assert username != revoked_login[0]
    fresh = await run(secure.display, kept_uuid, username, rotated["password"])
    assert fresh.accepted
    again = (await secure.api.data(ROTATE, {"uuid": revoked_uuid}, token=admin))["rotateClientCredentials"]
    assert again["__typename"] == "ConflictError"

    # Approving the revoked display again gives it a new working password.
    username, password = await approve(secure, revoked_uuid)
    back = await run(secure.display, revoked_uuid, username, password)
    assert back.accepted

    async with secure.container.db.read_session() as session:
        actions = (
            await session.scalars(
                select(AuditLogEntry.action)
                .where(AuditLogEntry.object_id.in_([revoked_uuid, kept_uuid]))
                .order_by(AuditLogEntry.id)
            )
        ).all()
    assert actions == [
        "client.broker_approve", "client.broker_approve", "client.broker_revoke", "client.broker_rotate",
        "client.broker_approve",
    ]  # fmt: skip
    for display in (kept, fresh, back):
        await run(display.close)


async def test_auto_approval_sends_credentials_once_in_the_discovery_ack(secure: Secure) -> None:
    admin = await secure.api.token_for(Role.ADMIN, "auto-admin")
    done = await secure.api.data(
        'mutation { setSystemSetting(key: "broker_auto_approve", value: "true") { __typename } }', token=admin
    )
    assert done["setSystemSetting"]["__typename"] != "ValidationError"
    uuid, display = await announce(secure)
    assert await run(display.subscribe_eventually, f"infoscreen/{uuid}/discovery_ack") == GRANTED_QOS1
    assert await run(display.publish, "infoscreen/discovery", discovery(uuid)) == 0
    ack = (await run(display.expect, f"infoscreen/{uuid}/discovery_ack")).json()
    if "broker_username" not in ack:
        # The first announcement's plain ack may land right after the subscription was granted.
        ack = (await run(display.expect, f"infoscreen/{uuid}/discovery_ack")).json()
    assert ack["broker_username"].startswith("infoscreen-client-") and len(ack["broker_password"]) >= 24
    await run(display.close)

    own = await run(secure.display, uuid, ack["broker_username"], ack["broker_password"])
    assert own.accepted
    assert await run(own.subscribe, f"infoscreen/{uuid}/commands") == GRANTED_QOS1
    # The shared login lost the right to this ack topic with the approval.
    _, snoop = await run(secure.provisioning_display, str(uuidlib.uuid4()))
    assert await run(snoop.subscribe, f"infoscreen/{uuid}/discovery_ack") == NOT_AUTHORIZED
    for client in (own, snoop):
        await run(client.close)


async def test_broker_mutations_need_dynsec_and_an_admin(api: Any) -> None:
    from app.domain.clients.models import Client as ClientModel

    key = str(uuidlib.uuid4())
    async with api.container.db.session() as session:
        session.add(ClientModel(uuid=key))
    admin = await api.token_for(Role.ADMIN)
    result = (await api.data(APPROVE, {"uuid": key}, token=admin))["approveClient"]
    assert result["__typename"] == "ValidationError" and "MQTT_DYNSEC_ENABLED" in result["message"]
    user = await api.token_for(Role.USER)
    assert (await api.data(REVOKE, {"uuid": key}, token=user))["revokeClientAccess"]["__typename"] == "ForbiddenError"
    client = (await api.data(CLIENT, {"uuid": key}, token=admin))["client"]
    assert client["brokerAccess"] == "PENDING"
