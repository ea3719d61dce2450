"""Small fakes for unit tests of use cases: a recording bus, a recording display publisher, an in-memory
SQLite `Database` with the full schema, and deps that bundle them (what `UseCaseDeps` asks for)."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SADeprecationWarning

from app import messages  # noqa: F401  (installs the German/English texts of error keys)
from app.config import Settings, load_settings
from app.domain.audit.models import AuditLogEntry
from app.domain.bus import DomainEvent
from app.domain.db import Database
from app.domain.enums import Role
from app.domain.models import Base
from app.domain.users.models import User
from app.domain.users.tokens import Principal


class RecordingBus:
    """Records every published event; `on_publish` (optional) runs first, e.g. to look at the database."""

    def __init__(self, on_publish: Callable[[DomainEvent], Awaitable[None]] | None = None) -> None:
        self.published: list[DomainEvent] = []
        self.on_publish = on_publish

    async def publish(self, event: DomainEvent) -> None:
        if self.on_publish is not None:
            await self.on_publish(event)
        self.published.append(event)

    def topics(self) -> list[str]:
        return [e.topic for e in self.published]

    async def close(self) -> None:
        return None


class FakePublisher:
    """A DisplayPublisher that records what would go to displays."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    async def publish_group_assignment(self, client_uuid: str, group_id: int | None) -> None:
        self.calls.append(("group_assignment", (client_uuid, group_id)))

    async def clear_service_failed(self, client_uuid: str) -> None:
        self.calls.append(("clear_service_failed", (client_uuid,)))

    async def publish_command(self, client_uuid: str, payload: dict[str, Any], *, legacy_restart: bool) -> None:
        self.calls.append(("command", (client_uuid, payload, legacy_restart)))

    async def publish_event_list(self, group_id: int, events: list[dict[str, Any]]) -> None:
        self.calls.append(("event_list", (group_id, events)))

    async def publish_power_intent(self, group_id: int, payload: dict[str, Any]) -> None:
        self.calls.append(("power_intent", (group_id, payload)))


async def memory_database() -> Database:
    """A private in-memory SQLite database (shared between this Database's connections) with the schema."""
    url = f"sqlite+aiosqlite:///file:unit-{uuid.uuid4().hex}?mode=memory&cache=shared&uri=true"
    with warnings.catch_warnings():
        # SQLAlchemy picks one shared connection for `mode=memory` (what we want) and says it may stop doing so;
        # with `cache=shared` the database lives as long as any connection, so either pool keeps it.
        warnings.simplefilter("ignore", SADeprecationWarning)
        database = Database(url)
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    return database


def unit_settings(data_dir: Path) -> Settings:
    return load_settings(DATA_DIR=str(data_dir), DEFAULT_SUPERADMIN_PASSWORD="unit-pass", SECRET_KEY="unit-secret")


@dataclass
class FakeDeps:
    """`UseCaseDeps` (+ settings and an optional conversion queue) over fakes."""

    db: Database
    settings: Settings
    bus: RecordingBus = field(default_factory=RecordingBus)
    publisher: FakePublisher | None = field(default_factory=FakePublisher)
    conversion_queue: Any = None


async def add_user(db: Database, role: Role, username: str | None = None) -> Principal:
    """A stored user with `role` and the principal acting for it."""
    name = username or f"{role.value}-{uuid.uuid4().hex[:6]}"
    async with db.session() as session:
        user = User(username=name, password_hash="x", role=role, is_active=True)
        session.add(user)
        await session.flush()
        user_id = user.id
    return Principal(user_id=user_id, username=name, role=role, ip="192.0.2.7")


async def audit_rows(db: Database, action: str | None = None) -> list[AuditLogEntry]:
    """The committed audit trail (optionally of one action), oldest first."""
    async with db.read_session() as session:
        stmt = select(AuditLogEntry).order_by(AuditLogEntry.id)
        if action is not None:
            stmt = stmt.where(AuditLogEntry.action == action)
        return list((await session.scalars(stmt)).all())
