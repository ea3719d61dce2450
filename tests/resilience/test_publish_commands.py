"""Commands: success is judged on the primary topic; commands that never left the server time out by stage.

The compat copy fails for real: the broker's ACL denies `infoscreen/+/command`, so Mosquitto answers
that publish with PUBACK reason 0x87 (not authorized) while the primary `/commands` goes through."""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import queue
import time
from datetime import timedelta
from pathlib import Path

from app.domain.clock import utcnow
from app.domain.commands import service
from app.domain.commands.acks import handle_ack
from app.domain.commands.sweeps import sweep_commands
from app.domain.db import Database
from tests.commands.factory import history, load, make_client, make_command
from tests.resilience.publish_support import server_stack
from tests.support.display import FakeDisplay
from tests.support.servers import mosquitto_server


async def _status(db: Database, command_id: str, wanted: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        status = (await load(db, command_id)).status
        if status == wanted or time.monotonic() > deadline:
            return status
        await asyncio.sleep(0.05)


async def test_a_refused_compat_copy_does_not_fail_the_command(tmp_path: Path) -> None:
    acl = tmp_path / "acl"
    acl.write_text("topic readwrite #\ntopic deny infoscreen/+/command\n")
    # As root Mosquitto would switch to the `mosquitto` user, which cannot read the private test directory.
    user = pwd.getpwuid(os.getuid()).pw_name
    with mosquitto_server(f"user {user}\nacl_file {acl}\n") as broker:
        async with server_stack(tmp_path, broker.port) as stack:
            await stack.service.start()
            container = stack.container
            uuid = await make_client(container.db)
            display = FakeDisplay(broker.port, uuid=uuid).connect()
            for topic in ("infoscreen/{uuid}/commands", "infoscreen/{uuid}/command", "clients/{uuid}/restart"):
                display.subscribe(topic)
            result = await service.issue_command(container, None, service.IssueCommand(uuid, "reboot_host", "Test"))
            assert result.success, result.message
            assert result.command is not None and result.command.status == "published"
            publisher = container.publisher
            assert publisher.copy_failures["compat"] == 1  # type: ignore[attr-defined]
            assert stack.service.connection.stats.publish.refused == 1
            _ok, health = await container.health_checks["mqtt"]()
            assert "refused=1" in health and "command_copy_failures=1" in health
            primary = await asyncio.to_thread(display.expect, "infoscreen/{uuid}/commands")
            command_id = primary.json()["command_id"]
            assert command_id == result.command.command_id
            # The legacy copy (an operator's reboot) is still sent; the compat copy never reached the display.
            assert (await asyncio.to_thread(display.expect, "clients/{uuid}/restart")).json() == {"action": "restart"}
            seen: list[str] = []
            while True:
                try:
                    seen.append(display.inbox.get(timeout=0.5).topic)
                except queue.Empty:
                    break
            assert f"infoscreen/{uuid}/command" not in seen
            # The display's ACKs count: the command moves on instead of being stuck as `failed`.
            ack = {"command_id": command_id, "status": "accepted", "error_code": None, "error_message": None}
            info = display.client.publish(f"infoscreen/{uuid}/commands/ack", json.dumps(ack), qos=1)
            await asyncio.to_thread(info.wait_for_publish, 5)
            assert await _status(container.db, command_id, "ack_received") == "ack_received"
            display.close()


async def test_commands_that_never_left_the_server_time_out_by_stage(any_db: Database) -> None:
    db = any_db
    uuid = await make_client(db)
    long_ago = utcnow() - timedelta(seconds=30)
    stuck_queued = await make_command(db, uuid, status="queued", issued_at=long_ago)
    stuck_publishing = await make_command(
        db, uuid, status="publish_in_progress", issued_at=long_ago, updated_at=long_ago
    )
    just_queued = await make_command(db, uuid, status="queued")
    await sweep_commands(db, None)
    queued_row = await load(db, stuck_queued)
    publishing_row = await load(db, stuck_publishing)
    assert (queued_row.status, queued_row.error_code) == ("timed_out", "queue_timeout")
    assert (publishing_row.status, publishing_row.error_code) == ("timed_out", "publish_timeout")
    assert (await load(db, just_queued)).status == "queued"  # its 5 s are not over
    # 30 s, not the 240 s of expires_at: the operator sees the stuck command at once.
    assert queued_row.expires_at > utcnow()
    # The publish did leave before the process stopped: the display's ACK still moves the command on.
    outcome = await handle_ack(db, None, uuid, {"command_id": stuck_publishing, "status": "accepted"})
    assert outcome.applied, outcome
    moved = await load(db, stuck_publishing)
    assert moved.status == "ack_received" and moved.error_code is None
    assert [step[1] for step in await history(db, stuck_publishing)][-2:] == ["timed_out", "ack_received"]
