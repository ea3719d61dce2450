"""Command ACKs over MQTT reach the commands state machine at once (not batched), on both ACK topics."""

from __future__ import annotations

import asyncio
import uuid as uuidlib
from datetime import timedelta

from sqlalchemy import select

from app.domain.bus import COMMAND_UPDATED
from app.domain.clients.models import Client
from app.domain.clock import utcnow
from app.domain.commands.models import ClientCommand
from tests.conftest import Live
from tests.mqtt.ingest_support import eventually


async def _status(live: Live, command_id: str) -> str | None:
    async with live.container.db.read_session() as session:
        return await session.scalar(select(ClientCommand.status).where(ClientCommand.command_id == command_id))


async def test_acks_on_both_topics_move_the_command(live: Live) -> None:
    display = live.display()
    command_id = str(uuidlib.uuid4())
    now = utcnow()
    async with live.container.db.session() as session:
        session.add(Client(uuid=display.uuid, is_active=True))
        await session.flush()
        session.add(ClientCommand(command_id=command_id, client_uuid=display.uuid, action="restart_app",
                                  status="published", issued_at=now, expires_at=now + timedelta(minutes=4),
                                  published_at=now))  # fmt: skip
    updates = live.container.bus.subscribe(COMMAND_UPDATED)
    ack = {"command_id": command_id, "status": "accepted", "error_code": None, "error_message": None}
    display.publish("infoscreen/{uuid}/commands/ack", ack)
    await eventually(lambda: _is(_status(live, command_id), "ack_received"), what="ack_received")
    event = await asyncio.wait_for(updates.__anext__(), 5)
    assert event.data.get("command_id") == command_id

    display.publish("infoscreen/{uuid}/command/ack", {**ack, "status": "completed"})
    await eventually(lambda: _is(_status(live, command_id), "completed"), what="completed via compat topic")
    await updates.aclose()

    # An ACK from another display's topic is ignored by the state machine.
    other = live.display()
    other.publish("infoscreen/{uuid}/commands/ack", {**ack, "status": "failed"})
    ingest = live.container.extras["ingest"]
    await eventually(lambda: _is_true(sum(v for k, v in ingest.stats.ignored.items() if k.startswith("command_ack"))),
                     what="ignored ack counted")  # fmt: skip
    assert await _status(live, command_id) == "completed"
    display.close()
    other.close()


async def _is(coro, expected: str) -> bool:  # type: ignore[no-untyped-def]
    return (await coro) == expected


async def _is_true(value: int) -> bool:
    await asyncio.sleep(0)
    return value > 0
