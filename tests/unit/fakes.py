"""Small, generic fakes for fast use-case tests: an in-memory SQLite Database, a recording event bus that
also notes whether the change was already committed, and a display publisher that records (or fails)."""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from app.domain.bus import DomainEvent
from app.domain.db import Base, Database
from app.domain.enums import Role
from app.domain.ports import DisplayPublisher
from app.domain.users.models import User
from app.domain.users.tokens import Principal

# Called with each event as it is published; returns what the test wants to remember about that moment
# (e.g. whether a fresh session already sees the change, i.e. the commit happened first).
Probe = Callable[[DomainEvent], Awaitable[Any]]


async def memory_database() -> Database:
    """A private in-memory SQLite database with the full schema, shared by the pool's connections (so a
    second session sees only what the first committed), foreign keys on like in production."""
    url = f"sqlite+aiosqlite:///file:unit_{uuidlib.uuid4().hex}?mode=memory&cache=shared&uri=true"
    database = Database.__new__(Database)
    database.url = url
    database.engine = create_async_engine(url, poolclass=AsyncAdaptedQueuePool, pool_size=5)
    event.listen(database.engine.sync_engine, "connect", _foreign_keys_on)
    database.sessionmaker = async_sessionmaker(database.engine, expire_on_commit=False, autoflush=False)
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    return database


def _foreign_keys_on(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


async def add_principal(db: Database, role: Role, username: str | None = None) -> Principal:
    """A stored user (audit rows point at it) and the principal acting for it."""
    name = username or f"{role.value}-{uuidlib.uuid4().hex[:6]}"
    async with db.session() as session:
        user = User(username=name, password_hash="x", role=role)
        session.add(user)
        await session.flush()
        user_id = user.id
    return Principal(user_id, name, role, ip="192.0.2.10")


@dataclass
class RecordingBus:
    """Records published events (and, with a probe, what was true at that moment)."""

    events: list[DomainEvent] = field(default_factory=list)
    observed: list[Any] = field(default_factory=list)
    probe: Probe | None = None

    async def publish(self, event: DomainEvent) -> None:
        self.events.append(event)
        if self.probe is not None:
            self.observed.append(await self.probe(event))

    def topics(self) -> list[str]:
        return [e.topic for e in self.events]


@dataclass
class FakePublisher(DisplayPublisher):
    """Records what would go to displays; `fail` makes every publish raise like an unconfirmed PUBACK."""

    fail: bool = False
    group_assignments: list[tuple[str, int | None]] = field(default_factory=list)
    cleared_service_failed: list[str] = field(default_factory=list)
    commands: list[tuple[str, dict[str, Any], bool]] = field(default_factory=list)
    power_intents: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    event_lists: list[tuple[int, list[dict[str, Any]]]] = field(default_factory=list)

    def _check(self) -> None:
        if self.fail:
            raise RuntimeError("no PUBACK from the broker")

    async def publish_group_assignment(self, client_uuid: str, group_id: int | None) -> None:
        self._check()
        self.group_assignments.append((client_uuid, group_id))

    async def clear_service_failed(self, client_uuid: str) -> None:
        self._check()
        self.cleared_service_failed.append(client_uuid)

    async def publish_command(self, client_uuid: str, payload: dict[str, Any], *, legacy_restart: bool) -> None:
        self._check()
        self.commands.append((client_uuid, payload, legacy_restart))

    async def publish_event_list(self, group_id: int, events: list[dict[str, Any]]) -> None:
        self._check()
        self.event_lists.append((group_id, events))

    async def publish_power_intent(self, group_id: int, payload: dict[str, Any]) -> None:
        self._check()
        self.power_intents.append((group_id, payload))


@dataclass
class FakeDeps:
    """A UseCaseDeps of fakes."""

    db: Database
    bus: RecordingBus = field(default_factory=RecordingBus)
    publisher: FakePublisher | None = field(default_factory=FakePublisher)
