"""Commands end to end: GraphQL → real Mosquitto → a paho display that ACKs (or not) → ingest → sweeps.

The `live` stack runs the real ingest (ACKs and heartbeats) and the sweep scheduler (every second, inline:
no Dramatiq broker in this process). Lifecycle timeouts are shortened per test.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import load_settings
from app.container import Container
from app.domain.clients.models import Client
from app.domain.commands import lifecycle, service
from app.domain.commands.lifecycle import CommandTimeouts
from app.domain.enums import Role
from app.domain.models import Base
from app.mqtt.service import MqttService
from tests.commands.contract import validate_ack_payload, validate_command_payload
from tests.commands.factory import make_client
from tests.conftest import Live
from tests.support.api import Api
from tests.support.display import FakeDisplay
from tests.support.servers import mosquitto_server

COMMANDS = "infoscreen/{uuid}/commands"
COMPAT = "infoscreen/{uuid}/command"
LEGACY = "clients/{uuid}/restart"
ACK = "infoscreen/{uuid}/commands/ack"
ACK_COMPAT = "infoscreen/{uuid}/command/ack"

FIELDS = """commandId clientUuid action status reason requestedBy issuedAt expiresAt publishedAt ackedAt
executionStartedAt completedAt failedAt errorCode errorMessage transitions { fromStatus toStatus source }"""
ISSUE = {
    "reboot_host": "restartClient",
    "shutdown_host": "shutdownClient",
    "restart_app": "restartClientApp",
}


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 10.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout}s (last: {value!r})")
        await asyncio.sleep(0.05)


async def display_online(live: Live, **kwargs: Any) -> FakeDisplay:
    """A display that subscribed to its command topics and registered itself with a heartbeat."""
    display = live.display(**kwargs)
    for topic in (COMMANDS, COMPAT, LEGACY):
        await asyncio.to_thread(display.subscribe, topic)
    await heartbeat(display)

    async def registered() -> bool:
        async with live.container.db.read_session() as session:
            return await session.get(Client, display.uuid) is not None

    await eventually(registered, what="client registered by its heartbeat")
    return display


async def heartbeat(display: FakeDisplay) -> None:
    await asyncio.to_thread(display.publish, "infoscreen/{uuid}/heartbeat", {"process_status": "running"})


async def send_ack(display: FakeDisplay, command_id: str, status: str, code: str | None = None,
                   message: str | None = None, *, topic: str = ACK, as_uuid: str | None = None) -> None:  # fmt: skip
    payload = {"command_id": command_id, "status": status, "error_code": code, "error_message": message}
    validate_ack_payload(payload)
    wire_topic = topic.format(uuid=as_uuid or display.uuid)
    info = display.client.publish(wire_topic, json.dumps(payload), qos=1)
    await asyncio.to_thread(info.wait_for_publish, 5)


async def issue(live: Live, token: str, uuid: str, action: str = "reboot_host", reason: str | None = None) -> dict:
    name = ISSUE[action]
    query = (
        f"mutation($u: String!, $r: String) {{ {name}(uuid: $u, reason: $r) "
        f"{{ ... on CommandIssueResult {{ success message command {{ {FIELDS} }} }} }} }}"
    )
    return (await live.api.data(query, {"u": uuid, "r": reason}, token=token))[name]


async def command(live: Live, token: str, command_id: str) -> dict:
    query = f"query($id: String!) {{ clientCommand(commandId: $id) {{ {FIELDS} }} }}"
    return (await live.api.data(query, {"id": command_id}, token=token))["clientCommand"]


async def wait_status(live: Live, token: str, command_id: str, status: str, timeout: float = 10.0) -> dict:
    async def reached() -> dict | None:
        current = await command(live, token, command_id)
        return current if current["status"] == status else None

    return await eventually(reached, timeout, what=f"status {status}")


async def received(display: FakeDisplay, topic: str, timeout: float = 10.0) -> dict:
    return (await asyncio.to_thread(display.expect, topic, timeout)).json()


def nothing_on(display: FakeDisplay, topic: str, wait: float = 0.5) -> bool:
    try:
        display.expect(topic, wait)
    except AssertionError:
        return True
    return False


@pytest.fixture
def fast_lifecycle(monkeypatch: pytest.MonkeyPatch) -> CommandTimeouts:
    timeouts = CommandTimeouts(
        ack=1.0, execution_start_host=1.0, execution_start_app=1.0, execution_stage=0.5, reconnect_ceiling=2.0,
        escalation_cooldown=1.0,
    )  # fmt: skip
    monkeypatch.setattr(lifecycle, "TIMEOUTS", timeouts)
    return timeouts


async def test_accept_start_complete(live: Live) -> None:
    token = await live.api.token_for(Role.ADMIN)
    display = await display_online(live)
    result = await issue(live, token, display.uuid, "restart_app", "  Kiosk hängt  ")
    assert result["success"] is True and result["command"]["status"] == "published"
    payload = await received(display, COMMANDS)
    validate_command_payload(payload)
    assert payload == await received(display, COMPAT)
    cmd = result["command"]
    assert payload["command_id"] == cmd["commandId"] and payload["client_uuid"] == display.uuid
    assert payload["action"] == "restart_app" and payload["reason"] == "Kiosk hängt"
    assert isinstance(payload["requested_by"], int) and payload["requested_by"] == cmd["requestedBy"]
    steps = (("accepted", ACK, "ack_received"), ("execution_started", ACK_COMPAT, "execution_started"),
             ("completed", ACK, "completed"))  # fmt: skip
    for ack_status, topic, stored in steps:
        await send_ack(display, cmd["commandId"], ack_status, topic=topic)
        done = await wait_status(live, token, cmd["commandId"], stored)
    assert done["publishedAt"] <= done["ackedAt"] <= done["executionStartedAt"] <= done["completedAt"]
    assert done["failedAt"] is None and done["errorCode"] is None
    assert [(t["toStatus"], t["source"]) for t in done["transitions"]] == [
        ("queued", "api"), ("publish_in_progress", "api"), ("published", "api"),
        ("ack_received", "ack"), ("execution_started", "ack"), ("completed", "ack"),
    ]  # fmt: skip
    display.close()


async def test_display_reports_failure_with_its_error_code(live: Live) -> None:
    token = await live.api.token_for(Role.ADMIN)
    display = await display_online(live)
    cmd = (await issue(live, token, display.uuid, "shutdown_host"))["command"]
    validate_command_payload(await received(display, COMMANDS))
    await send_ack(display, cmd["commandId"], "accepted")
    await wait_status(live, token, cmd["commandId"], "ack_received")
    await send_ack(display, cmd["commandId"], "failed", "permission_denied_local", "polkit refused shutdown")
    failed = await wait_status(live, token, cmd["commandId"], "failed")
    assert failed["errorCode"] == "permission_denied_local" and failed["errorMessage"] == "polkit refused shutdown"
    assert failed["failedAt"] and failed["ackedAt"] and failed["completedAt"] is None
    display.close()


async def test_silent_display_times_out_then_expires_and_late_answers_are_ignored(
    live: Live, fast_lifecycle: CommandTimeouts, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "COMMAND_EXPIRY_SECONDS", 3)
    token = await live.api.token_for(Role.ADMIN)
    display = await display_online(live)
    cmd = (await issue(live, token, display.uuid, "reboot_host"))["command"]
    timed_out = await wait_status(live, token, cmd["commandId"], "timed_out", timeout=5)
    assert timed_out["errorCode"] == "ack_timeout" and timed_out["failedAt"] is None
    expired = await wait_status(live, token, cmd["commandId"], "expired", timeout=8)
    assert expired["errorCode"] == "expired"
    assert expired["errorMessage"] == "Command expired before terminal state was reached."
    assert expired["failedAt"] >= expired["expiresAt"]
    assert expired["ackedAt"] is None and expired["completedAt"] is None
    # The display finally answers: too late, nothing changes.
    await send_ack(display, cmd["commandId"], "accepted")
    await send_ack(display, cmd["commandId"], "completed")
    await asyncio.sleep(0.8)
    after = await command(live, token, cmd["commandId"])
    assert after["status"] == "expired" and after["transitions"] == expired["transitions"]
    assert [t["toStatus"] for t in after["transitions"]][-2:] == ["timed_out", "expired"]
    display.close()


async def test_duplicate_acks_and_acks_on_another_clients_topic_change_nothing(live: Live) -> None:
    token = await live.api.token_for(Role.ADMIN)
    display = await display_online(live)
    intruder = await display_online(live)
    cmd = (await issue(live, token, display.uuid, "reboot_host"))["command"]
    await send_ack(intruder, cmd["commandId"], "failed", "x", "spoofed", as_uuid=intruder.uuid)
    await send_ack(display, cmd["commandId"], "accepted")
    await send_ack(display, cmd["commandId"], "accepted")
    await send_ack(display, cmd["commandId"], "accepted", topic=ACK_COMPAT)
    acked = await wait_status(live, token, cmd["commandId"], "ack_received")
    await asyncio.sleep(0.8)
    final = await command(live, token, cmd["commandId"])
    assert final["status"] == "ack_received" and final["ackedAt"] == acked["ackedAt"]
    assert [t["toStatus"] for t in final["transitions"]].count("ack_received") == 1
    assert final["errorCode"] is None
    display.close()
    intruder.close()


async def test_reboot_and_come_back_completes_on_the_discovery(live: Live, fast_lifecycle: CommandTimeouts) -> None:
    token = await live.api.token_for(Role.ADMIN)
    display = await display_online(live)
    cmd = (await issue(live, token, display.uuid, "reboot_host", "Bild schwarz"))["command"]
    await received(display, COMMANDS)
    assert (await received(display, LEGACY)) == {"action": "restart"}
    await send_ack(display, cmd["commandId"], "accepted")
    await wait_status(live, token, cmd["commandId"], "ack_received")
    await send_ack(display, cmd["commandId"], "execution_started")
    await wait_status(live, token, cmd["commandId"], "awaiting_reconnect", timeout=5)
    # A heartbeat alone is no proof the host restarted (the reboot may not have happened).
    await heartbeat(display)
    await asyncio.sleep(1.5)  # the sweep runs every second
    assert (await command(live, token, cmd["commandId"]))["status"] == "awaiting_reconnect"
    # The display "reboots": its client starts again and announces itself, never sending a completed ACK.
    await asyncio.to_thread(display.publish, "infoscreen/discovery", {"uuid": display.uuid})
    done = await wait_status(live, token, cmd["commandId"], "completed", timeout=5)
    assert done["completedAt"] >= done["executionStartedAt"]
    assert [(t["toStatus"], t["source"]) for t in done["transitions"]][-3:] == [
        ("awaiting_reconnect", "sweep"), ("recovered", "heartbeat"), ("completed", "heartbeat"),
    ]  # fmt: skip
    display.close()


async def test_reboot_that_never_comes_back_needs_manual_intervention(
    live: Live, fast_lifecycle: CommandTimeouts
) -> None:
    token = await live.api.token_for(Role.ADMIN)
    display = await display_online(live)
    cmd = (await issue(live, token, display.uuid, "reboot_host"))["command"]
    await send_ack(display, cmd["commandId"], "execution_started")
    final = await wait_status(live, token, cmd["commandId"], "manual_intervention_required", timeout=10)
    assert final["errorCode"] == "reconnect_timeout" and final["failedAt"] and final["completedAt"] is None
    assert [t["toStatus"] for t in final["transitions"]][-4:] == [
        "execution_started", "awaiting_reconnect", "timed_out", "manual_intervention_required",
    ]  # fmt: skip
    display.close()


async def test_lockout_blocks_the_fourth_restart_but_never_shutdown(live: Live) -> None:
    token = await live.api.token_for(Role.ADMIN)
    display = await display_online(live)
    for action in ("reboot_host", "restart_app", "reboot_host"):
        assert (await issue(live, token, display.uuid, action))["success"] is True
        await received(display, COMMANDS)
    blocked = await issue(live, token, display.uuid, "restart_app")
    assert blocked["success"] is False
    assert blocked["message"] == "Neustart voruebergehend blockiert (Sicherheits-Lockout)"
    assert blocked["command"]["status"] == "blocked_safety" and blocked["command"]["publishedAt"] is None
    assert await asyncio.to_thread(nothing_on, display, COMMANDS), "a blocked command reached the display"
    shutdown = await issue(live, token, display.uuid, "shutdown_host")
    assert shutdown["success"] is True
    assert (await received(display, COMMANDS))["action"] == "shutdown_host"
    display.close()


async def test_legacy_restart_topic_only_for_reboots(live: Live) -> None:
    token = await live.api.token_for(Role.ADMIN)
    display = await display_online(live)
    for action in ("shutdown_host", "restart_app"):
        await issue(live, token, display.uuid, action)
        validate_command_payload(await received(display, COMMANDS))
    assert await asyncio.to_thread(nothing_on, display, LEGACY)
    await issue(live, token, display.uuid, "reboot_host")
    validate_command_payload(await received(display, COMMANDS))
    assert await received(display, LEGACY) == {"action": "restart"}
    display.close()


async def test_command_updated_subscription_follows_one_command(live: Live) -> None:
    from app.domain.users.tokens import Principal
    from app.graphql.context import GraphQLContext
    from app.graphql.schema import schema

    token = await live.api.token_for(Role.ADMIN)
    display = await display_online(live)
    other = await display_online(live)
    admin = Principal(user_id=1, username="admin-user", role=Role.ADMIN)
    context = GraphQLContext(live.container, principal=admin)
    sub = await schema.subscribe(
        "subscription($u: String) { commandUpdated(clientUuid: $u) { commandId clientUuid status } }",
        variable_values={"u": display.uuid},
        context_value=context,
    )
    seen: list[str] = []

    async def collect() -> None:
        async for result in sub:  # type: ignore[union-attr]
            assert not result.errors, result.errors
            seen.append(result.data["commandUpdated"]["status"])
            if seen[-1] == "ack_received":
                return

    task = asyncio.create_task(collect())
    await asyncio.sleep(0.1)
    await issue(live, token, other.uuid, "shutdown_host")  # another display: filtered out
    cmd = (await issue(live, token, display.uuid, "shutdown_host"))["command"]
    await send_ack(display, cmd["commandId"], "accepted")
    await asyncio.wait_for(task, 10)
    assert seen == ["queued", "publish_in_progress", "published", "ack_received"]
    await sub.aclose()  # type: ignore[union-attr]
    denied = await schema.subscribe(
        "subscription { commandUpdated { status } }",
        context_value=GraphQLContext(live.container, principal=Principal(2, "editor", Role.EDITOR)),
    )
    first = await denied.__anext__()  # type: ignore[union-attr]
    assert first.errors and "Berechtigung" in first.errors[0].message
    display.close()
    other.close()


async def test_publish_failure_when_the_broker_is_down_is_recorded(tmp_path: Path) -> None:
    from app.http import create_http_app
    from app.runtime import load_adapters

    load_adapters()
    with mosquitto_server() as broker:
        settings = load_settings(DATA_DIR=str(tmp_path / "d"), SECRET_KEY="t", MQTT_BROKER_HOST="127.0.0.1",
                                 MQTT_BROKER_PORT=str(broker.port))  # fmt: skip
        settings.data_dir.mkdir(parents=True)
        container = Container.create(settings)
        async with container.db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        mqtt = MqttService(container, ingest=False, scheduler=False)
        await mqtt.start()
        app = create_http_app(container)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            api = Api(container, client)
            token = await api.token_for(Role.ADMIN)
            uuid = await make_client(container.db)
            broker.stop()  # the broker goes away under a connected server

            async def disconnected() -> bool:
                return not mqtt.connection.is_connected

            await eventually(disconnected, what="disconnect noticed")
            live_like = Live(api, mqtt, broker.port)
            result = await issue(live_like, token, uuid, "reboot_host")
        await mqtt.stop()
        await container.close()
    assert result["success"] is False and "nicht gesendet" in result["message"]
    cmd = result["command"]
    assert cmd["status"] == "failed" and cmd["errorCode"] == "mqtt_publish_failed" and cmd["errorMessage"]
    assert cmd["failedAt"] and cmd["publishedAt"] is None
    assert [t["toStatus"] for t in cmd["transitions"]] == ["queued", "publish_in_progress", "failed"]
