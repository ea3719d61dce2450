"""Per-display broker accounts over Mosquitto's dynamic-security plugin (`MQTT_DYNSEC_ENABLED=true`).

The server sends `{"commands": [...]}` to `$CONTROL/dynamic-security/v1` on its own admin connection and
matches each entry of `$CONTROL/dynamic-security/v1/response` to its request by `correlationData`.

Rights (deny by default, seed-spec §4.12):
- `infoscreen-server` (added to MQTT_USER): publish and subscribe under `infoscreen/#` and `clients/#`.
- `infoscreen-provisioning` (the shared account of brand-new displays): publish `infoscreen/discovery` only;
  per pending display one literal subscription `infoscreen/<uuid>/discovery_ack`. Mosquitto 2.0's
  dynamic-security plugin does not substitute `%c`/`%u` in ACL topics (eclipse-mosquitto/mosquitto#2222,
  added for 2.1 in #3191; verified against 2.0.11 in tests/production), so "its own ack" is enforced as
  "the ack of a uuid that announced itself": a holder of the shared password must know a pending uuid.
- `infoscreen-display-<uuid>` (one role per approved display): publish its own telemetry/ack topics,
  subscribe (and receive) exactly its command/assignment topics and its group's event list and power
  intent. Receiving is denied for everything else, so a subscription left over from an old group stops
  delivering the moment the group changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import uuid as uuid_lib
from typing import Any

from app.config import Settings
from app.container import Container
from app.domain.clients.broker_access import BrokerAccountsError
from app.domain.ports import BrokerAccounts
from app.mqtt.connection import MqttConnection, PublishError

log = logging.getLogger(__name__)

CONTROL_TOPIC = "$CONTROL/dynamic-security/v1"
RESPONSE_TOPIC = "$CONTROL/dynamic-security/v1/response"
SERVER_ROLE = "infoscreen-server"
PROVISIONING_ROLE = "infoscreen-provisioning"

# Higher priority ACLs are checked first; the catch-all receive deny sits below every allow.
_ALLOW_PRIORITY = 10
_DENY_PRIORITY = 0

_ALREADY_EXISTS = ("already exists",)
_NOT_FOUND = ("not found",)
# 2.0 answers removeClientRole/addClientRole on a role the client does not/already hold(s) with "Internal error".
_NOT_HELD = ("not found", "internal error")


def display_role(uuid: str) -> str:
    return f"infoscreen-display-{uuid}"


def display_send_topics(uuid: str) -> list[str]:
    own = f"infoscreen/{uuid}"
    return [
        f"{own}/heartbeat",
        f"{own}/health",
        f"{own}/logs/#",
        f"{own}/dashboard",
        f"{own}/screenshot",
        f"{own}/service_failed",
        f"{own}/commands/ack",
        f"{own}/command/ack",
        "infoscreen/discovery",
    ]


def display_receive_topics(uuid: str) -> list[str]:
    own = f"infoscreen/{uuid}"
    return [f"{own}/commands", f"{own}/command", f"{own}/discovery_ack", f"{own}/group_id", f"clients/{uuid}/restart"]


def group_receive_topics(group_id: int | None) -> list[str]:
    if group_id is None:
        return []
    return [f"infoscreen/events/{group_id}", f"infoscreen/groups/{group_id}/power/intent"]


def _is_group_topic(topic: str) -> bool:
    return topic.startswith(("infoscreen/events/", "infoscreen/groups/"))


def _acl(acltype: str, topic: str, allow: bool = True, priority: int = _ALLOW_PRIORITY) -> dict[str, Any]:
    return {"acltype": acltype, "topic": topic, "allow": allow, "priority": priority}


def _receive_acls(topic: str) -> list[dict[str, Any]]:
    """Subscribing exactly this topic, and having its messages delivered."""
    return [_acl("subscribeLiteral", topic), _acl("publishClientReceive", topic)]


def display_acls(uuid: str, group_id: int | None) -> list[dict[str, Any]]:
    acls = [_acl("publishClientSend", topic) for topic in display_send_topics(uuid)]
    for topic in display_receive_topics(uuid) + group_receive_topics(group_id):
        acls += _receive_acls(topic)
    acls.append(_acl("publishClientReceive", "#", allow=False, priority=_DENY_PRIORITY))
    return acls


class DynsecControl:
    """Request/response over the control topic on a dedicated admin connection."""

    def __init__(self, settings: Settings, *, timeout: float = 10.0) -> None:
        admin = settings.model_copy(
            update={
                "mqtt_client_id": None,
                "mqtt_user": settings.mqtt_dynsec_admin_user or settings.mqtt_user,
                "mqtt_password": settings.mqtt_dynsec_admin_password
                if settings.mqtt_dynsec_admin_user
                else settings.mqtt_password,
            }
        )
        self.connection = MqttConnection(admin, client_id_prefix="infoscreen-dynsec")
        self.connection.set_message_handler(self._on_message)
        self.connection.add_subscription(RESPONSE_TOPIC, qos=1)
        self._timeout = timeout
        self._prefix = uuid_lib.uuid4().hex[:12]
        self._ids = itertools.count(1)
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        # One request at a time: the broker answers a message's commands in order, and a burst of
        # approvals must not interleave half-applied role edits.
        self._lock = asyncio.Lock()

    async def start(self, timeout: float = 30.0) -> None:
        await self.connection.connect(timeout=timeout)

    async def stop(self) -> None:
        for waiter in self._waiting.values():
            if not waiter.done():
                waiter.set_exception(BrokerAccountsError("broker.link_closed"))
        self._waiting.clear()
        await self.connection.disconnect()

    async def _on_message(self, topic: str, payload: bytes, qos: int, retain: bool) -> None:
        if topic != RESPONSE_TOPIC:
            return
        try:
            responses = json.loads(payload).get("responses", [])
        except (ValueError, AttributeError):
            log.warning("event=dynsec_bad_response bytes=%d", len(payload))
            return
        for response in responses if isinstance(responses, list) else []:
            if not isinstance(response, dict):
                continue
            waiter = self._waiting.pop(str(response.get("correlationData")), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(response)

    async def run(self, commands: list[dict[str, Any]], *, tolerate: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """Send the commands in one message; raise on the first error whose text is not tolerated."""
        if not commands:
            return []
        async with self._lock:
            loop = asyncio.get_running_loop()
            ids: list[str] = []
            futures: list[asyncio.Future[dict[str, Any]]] = []
            body = []
            for command in commands:
                key = f"{self._prefix}-{next(self._ids)}"
                ids.append(key)
                futures.append(loop.create_future())
                self._waiting[key] = futures[-1]
                body.append({**command, "correlationData": key})
            try:
                await self.connection.publish(CONTROL_TOPIC, json.dumps({"commands": body}), qos=1)
                async with asyncio.timeout(self._timeout):
                    responses = [await future for future in futures]
            except (PublishError, TimeoutError) as exc:
                raise BrokerAccountsError("broker.not_confirmed", error=str(exc)) from exc
            finally:
                for key in ids:
                    self._waiting.pop(key, None)
        for command, response in zip(commands, responses, strict=True):
            error = response.get("error")
            if error and not any(word in str(error).lower() for word in tolerate):
                log.warning("event=dynsec_refused command=%s error=%s", command.get("command"), error)
                raise BrokerAccountsError("broker.refused", command=command.get("command"), error=error)
        return responses


class DynsecBrokerAccounts(BrokerAccounts):
    def __init__(self, control: DynsecControl) -> None:
        self._control = control

    async def ensure_baseline(self, settings: Settings) -> None:
        """Server and provisioning roles/accounts; safe to run in every process at every start."""
        run = self._control.run
        server_acls = [
            _acl("publishClientSend", "infoscreen/#"),
            _acl("publishClientSend", "clients/#"),
            _acl("subscribePattern", "infoscreen/#"),
            _acl("subscribePattern", "$share/+/infoscreen/#"),
            _acl("publishClientReceive", "infoscreen/#"),
        ]
        await run([{"command": "createRole", "rolename": SERVER_ROLE, "acls": server_acls}], tolerate=_ALREADY_EXISTS)
        server_user = settings.mqtt_user
        if server_user:
            await self._grant_server_role(server_user)
        provisioning_acls = [
            _acl("publishClientSend", "infoscreen/discovery"),
            _acl("publishClientReceive", "#", allow=False, priority=_DENY_PRIORITY),
        ]
        await run(
            [{"command": "createRole", "rolename": PROVISIONING_ROLE, "acls": provisioning_acls}],
            tolerate=_ALREADY_EXISTS,
        )
        user, password = settings.mqtt_provisioning_user, settings.mqtt_provisioning_password
        if user and password:
            created = await run(
                [{"command": "createClient", "username": user, "password": password,
                  "textname": "Neue Displays (Anmeldung)", "roles": [{"rolename": PROVISIONING_ROLE}]}],
                tolerate=_ALREADY_EXISTS,
            )  # fmt: skip
            if created[0].get("error"):
                await run([{"command": "setClientPassword", "username": user, "password": password}])
        log.info("event=dynsec_baseline server_user=%s provisioning_user=%s", server_user, user or "-")

    async def _roles_of(self, username: str) -> list[str] | None:
        answer = await self._control.run([{"command": "getClient", "username": username}], tolerate=_NOT_FOUND)
        if answer[0].get("error"):
            return None
        return [str(r.get("rolename")) for r in answer[0].get("data", {}).get("client", {}).get("roles", [])]

    async def _grant_server_role(self, username: str) -> None:
        roles = await self._roles_of(username)
        if roles is None:
            raise BrokerAccountsError("broker.server_account_missing", username=username)
        if SERVER_ROLE in roles:
            return
        # The broker drops every session of a client whose roles change, this control connection included
        # (when MQTT_USER is the admin), so the answer may never arrive: reconnect and look again.
        with contextlib.suppress(BrokerAccountsError):
            await self._control.run([{"command": "addClientRole", "username": username, "rolename": SERVER_ROLE}])
        await self._control.connection.wait_connected(15)
        if SERVER_ROLE not in (await self._roles_of(username) or []):
            raise BrokerAccountsError("broker.role_not_assigned", role=SERVER_ROLE, username=username)

    async def create_display(self, uuid: str, username: str, password: str, group_id: int | None) -> None:
        role = display_role(uuid)
        run = self._control.run
        created = await run(
            [{"command": "createRole", "rolename": role, "acls": display_acls(uuid, group_id)}],
            tolerate=_ALREADY_EXISTS,
        )
        if created[0].get("error"):
            await self.update_display_group(uuid, group_id)
        client = await run(
            [{"command": "createClient", "username": username, "password": password, "textname": f"Display {uuid}",
              "roles": [{"rolename": role}]}],
            tolerate=_ALREADY_EXISTS,
        )  # fmt: skip
        if client[0].get("error"):  # approved again after a revocation
            await run([{"command": "removeClientRole", "username": username, "rolename": role}],
                      tolerate=_NOT_HELD)  # fmt: skip
            await run(
                [
                    {"command": "addClientRole", "username": username, "rolename": role},
                    {"command": "setClientPassword", "username": username, "password": password},
                    {"command": "enableClient", "username": username},
                ]
            )

    async def update_display_group(self, uuid: str, group_id: int | None) -> None:
        role = display_role(uuid)
        answer = await self._control.run([{"command": "getRole", "rolename": role}], tolerate=_NOT_FOUND)
        if answer[0].get("error"):
            return  # not approved (yet): nothing on the broker to move
        current = answer[0].get("data", {}).get("role", {}).get("acls", [])
        wanted = {(a["acltype"], a["topic"]) for t in group_receive_topics(group_id) for a in _receive_acls(t)}
        have = {(a.get("acltype"), a.get("topic")) for a in current if _is_group_topic(str(a.get("topic")))}
        commands: list[dict[str, Any]] = [
            {"command": "removeRoleACL", "rolename": role, "acltype": acltype, "topic": topic}
            for acltype, topic in sorted(have - wanted)  # type: ignore[type-var]
        ]
        commands += [
            {"command": "addRoleACL", "rolename": role, **_acl(acltype, topic)}
            for acltype, topic in sorted(wanted - have)
        ]
        await self._control.run(commands, tolerate=_ALREADY_EXISTS + _NOT_FOUND)
        log.info("event=dynsec_group_updated uuid=%s group_id=%s changes=%d", uuid, group_id, len(commands))

    async def set_display_password(self, username: str, password: str) -> None:
        await self._control.run([{"command": "setClientPassword", "username": username, "password": password}])

    async def disable_display(self, username: str) -> None:
        await self._control.run([{"command": "disableClient", "username": username}])

    async def delete_display(self, uuid: str, username: str | None) -> None:
        commands: list[dict[str, Any]] = []
        if username:
            commands.append({"command": "deleteClient", "username": username})
        commands.append({"command": "deleteRole", "rolename": display_role(uuid)})
        await self._control.run(commands, tolerate=_NOT_FOUND)
        await self.forget_pending_ack(uuid)

    async def allow_pending_ack(self, uuid: str) -> bool:
        commands = [
            {"command": "addRoleACL", "rolename": PROVISIONING_ROLE, **acl}
            for acl in _receive_acls(f"infoscreen/{uuid}/discovery_ack")
        ]
        answers = await self._control.run(commands, tolerate=_ALREADY_EXISTS)
        return all(answer.get("error") for answer in answers)

    async def forget_pending_ack(self, uuid: str) -> None:
        topic = f"infoscreen/{uuid}/discovery_ack"
        commands = [
            {"command": "removeRoleACL", "rolename": PROVISIONING_ROLE, "acltype": acltype, "topic": topic}
            for acltype in ("subscribeLiteral", "publishClientReceive")
        ]
        await self._control.run(commands, tolerate=_NOT_FOUND)


class DynsecComponent:
    """Started with the MQTT side of `run`, `api` and `mqtt` processes when MQTT_DYNSEC_ENABLED is set."""

    def __init__(self, container: Container) -> None:
        self._settings = container.settings
        self.control = DynsecControl(container.settings)
        self.accounts = DynsecBrokerAccounts(self.control)
        container.broker_accounts = self.accounts
        container.health_checks["dynsec"] = self._check

    async def _check(self) -> tuple[bool, str]:
        ok = self.control.connection.is_connected
        return ok, "dynamic-security control connected" if ok else "dynamic-security control disconnected"

    async def start(self) -> None:
        await self.control.start()
        await self.accounts.ensure_baseline(self._settings)

    async def stop(self) -> None:
        await self.control.stop()
