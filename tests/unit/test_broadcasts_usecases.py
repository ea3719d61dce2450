"""Durchsage use cases on fakes: who may, what is audited, what reaches the displays and the bus, and when."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.domain.broadcasts import service
from app.domain.broadcasts.models import Broadcast, BroadcastReceipt
from app.domain.broadcasts.rules import BROADCAST_UPDATED
from app.domain.bus import DomainEvent
from app.domain.clients.models import Client, ClientGroup
from app.domain.clock import utcnow
from app.domain.enums import Role
from app.domain.errors import AuthenticationError, ForbiddenError, ValidationError
from tests.unit.fakes import FakeDeps, RecordingBus, add_user, audit_rows, memory_database, unit_settings


@pytest.fixture
async def deps(tmp_path: Path) -> AsyncIterator[FakeDeps]:
    database = await memory_database()
    yield FakeDeps(database, unit_settings(tmp_path))
    await database.dispose()


async def _school(deps: FakeDeps) -> list[int]:
    async with deps.db.session() as session:
        groups = [ClientGroup(name="Aula"), ClientGroup(name="Mensa")]
        session.add_all(groups)
        await session.flush()
        session.add_all(
            [
                Client(uuid="00000000-0000-4000-8000-000000000001", group_id=groups[0].id, last_alive=utcnow()),
                Client(uuid="00000000-0000-4000-8000-000000000002", group_id=groups[1].id, last_alive=None),
            ]
        )
        return [g.id for g in groups]


async def test_editor_and_anonymous_are_refused_and_nothing_is_written(deps: FakeDeps) -> None:
    await _school(deps)
    editor = await add_user(deps.db, Role.EDITOR)
    with pytest.raises(ForbiddenError):
        await service.start_broadcast(deps, editor, service.StartBroadcast("Hallo"))
    with pytest.raises(AuthenticationError):
        await service.start_broadcast(deps, None, service.StartBroadcast("Hallo"))
    async with deps.db.read_session() as session:
        assert (await session.scalars(select(Broadcast))).all() == []
    assert deps.bus.published == [] and deps.publisher is not None and deps.publisher.calls == []


async def test_start_is_audited_published_after_commit_then_announced(deps: FakeDeps) -> None:
    groups = await _school(deps)
    seen_at_publish: list[int] = []

    async def probe(event: DomainEvent) -> None:
        # The event goes out after the commit and after the displays got the lists.
        async with deps.db.read_session() as session:
            seen_at_publish.append(len((await session.scalars(select(BroadcastReceipt))).all()))
        assert deps.publisher is not None and any(c[0] == "event_list" for c in deps.publisher.calls)

    deps.bus = RecordingBus(on_publish=probe)
    admin = await add_user(deps.db, Role.ADMIN, "hausmeister")
    broadcast = await service.start_broadcast(deps, admin, service.StartBroadcast("Feueralarm", "alarm"))
    assert broadcast.severity == "ALARM" and broadcast.started_by_name == "hausmeister"
    assert deps.bus.topics() == [BROADCAST_UPDATED] and seen_at_publish == [2]
    assert deps.publisher is not None
    lists = {args[0]: args[1] for kind, args in deps.publisher.calls if kind == "event_list"}
    assert set(lists) == set(groups)
    assert all([e["id"] for e in events] == [2_000_000_000 + broadcast.id] for events in lists.values())
    rows = await audit_rows(deps.db, "broadcast.start")
    assert len(rows) == 1 and rows[0].ip == "192.0.2.7" and rows[0].details["targets"] == 2
    async with deps.db.read_session() as session:
        statuses = sorted((await session.scalars(select(BroadcastReceipt.status))).all())
    assert statuses == ["OFFLINE", "PENDING"]  # the display that never sent a heartbeat is OFFLINE


async def test_a_refused_start_announces_nothing(deps: FakeDeps) -> None:
    await _school(deps)
    admin = await add_user(deps.db, Role.ADMIN)
    with pytest.raises(ValidationError) as refused:
        await service.start_broadcast(deps, admin, service.StartBroadcast("x", "LOUD"))
    assert refused.value.key == "broadcast.severity_invalid"
    assert refused.value.text("en") == "Unknown severity: LOUD."
    assert deps.bus.published == [] and await audit_rows(deps.db, "broadcast.start") == []


async def test_end_restores_the_groups_and_is_audited(deps: FakeDeps) -> None:
    groups = await _school(deps)
    admin = await add_user(deps.db, Role.ADMIN)
    broadcast = await service.start_broadcast(
        deps, admin, service.StartBroadcast("Gewitter", "WARNING", group_ids=(groups[0],))
    )
    assert deps.publisher is not None
    deps.publisher.calls.clear()
    await service.end_broadcast(deps, admin, service.EndBroadcast(broadcast.id))
    lists = {args[0]: args[1] for kind, args in deps.publisher.calls if kind == "event_list"}
    assert lists == {groups[0]: []}  # only the target group, back to its (empty) schedule
    assert [r.action for r in await audit_rows(deps.db)][-2:] == ["broadcast.start", "broadcast.end"]
