"""Seeding displays, groups and logs straight into the test database (what ingest would have written)."""

from __future__ import annotations

import uuid as uuidlib
from datetime import timedelta
from typing import Any

from app.container import Container
from app.domain.clients.models import Client, ClientGroup
from app.domain.clock import utcnow


def new_uuid() -> str:
    return str(uuidlib.uuid4())


async def add_group(container: Container, name: str, display_order: int = 0) -> int:
    async with container.db.session() as session:
        group = ClientGroup(name=name, display_order=display_order)
        session.add(group)
        await session.flush()
        return group.id


async def add_client(container: Container, **fields: Any) -> str:
    """A display that heartbeated a few seconds ago unless `last_alive` says otherwise."""
    values: dict[str, Any] = {
        "uuid": new_uuid(),
        "hostname": "pi",
        "ip": "10.0.0.1",
        "is_active": True,
        "last_alive": utcnow() - timedelta(seconds=5),
    }
    values.update(fields)
    async with container.db.session() as session:
        session.add(Client(**values))
    return str(values["uuid"])


async def load_client(container: Container, uuid: str) -> Client | None:
    async with container.db.session() as session:
        return await session.get(Client, uuid)
