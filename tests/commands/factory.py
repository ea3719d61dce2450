"""Rows for command tests: a client and commands in any state, written through the real models."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from app.domain.clients.models import Client
from app.domain.clock import utcnow
from app.domain.commands.models import ClientCommand, ClientCommandTransition
from app.domain.db import Database


async def make_client(db: Database, uuid_: str | None = None, **fields: Any) -> str:
    uuid_ = uuid_ or str(uuid.uuid4())
    async with db.session() as session:
        session.add(Client(uuid=uuid_, **fields))
    return uuid_


async def make_command(
    db: Database,
    client_uuid: str,
    *,
    action: str = "reboot_host",
    status: str = "published",
    issued_at: datetime | None = None,
    **fields: Any,
) -> str:
    issued = issued_at or utcnow()
    command_id = str(uuid.uuid4())
    values: dict[str, Any] = {
        "command_id": command_id,
        "client_uuid": client_uuid,
        "action": action,
        "status": status,
        "issued_at": issued,
        "expires_at": issued + timedelta(seconds=240),
        "created_at": issued,
    }
    if status not in ("queued", "publish_in_progress"):
        values["published_at"] = issued
    values.update(fields)
    async with db.session() as session:
        session.add(ClientCommand(**values))
    return command_id


async def load(db: Database, command_id: str) -> ClientCommand:
    async with db.read_session() as session:
        row = (await session.scalars(select(ClientCommand).where(ClientCommand.command_id == command_id))).one()
        return row


async def history(db: Database, command_id: str) -> list[tuple[str | None, str, str]]:
    async with db.read_session() as session:
        rows = await session.scalars(
            select(ClientCommandTransition)
            .where(ClientCommandTransition.command_id == command_id)
            .order_by(ClientCommandTransition.id)
        )
        return [(r.from_status, r.to_status, r.source) for r in rows]
