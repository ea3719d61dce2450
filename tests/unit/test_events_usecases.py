"""Event use cases on fakes: the role is checked in the domain, every write leaves an audit row, and
EVENTS_CHANGED is published once, after the commit, never for a failed write; failures name a key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.domain.bus import EVENTS_CHANGED, DomainEvent
from app.domain.clients.models import ClientGroup
from app.domain.enums import EventType, Role
from app.domain.errors import AuthenticationError, ConflictError, ForbiddenError, ValidationError
from app.domain.events import changes
from app.domain.events import service as events
from app.domain.events.models import Event, EventException
from app.domain.users.tokens import Principal
from tests.unit.fakes import FakeDeps, RecordingBus, add_user, audit_rows, memory_database, unit_settings

START = datetime(2031, 3, 3, 8, 0, tzinfo=UTC)  # a Monday


class CommittedCheck:
    """Publishes nothing itself: at each publish it looks, in a fresh session, whether the event row is there."""

    def __init__(self, deps: FakeDeps) -> None:
        self.deps = deps
        self.seen: list[bool] = []

    async def __call__(self, event: DomainEvent) -> None:
        event_id = event.data.get("event_id")
        async with self.deps.db.read_session() as session:
            self.seen.append(event_id is not None and await session.get(Event, event_id) is not None)


@pytest.fixture
async def deps(tmp_path: Path) -> AsyncIterator[FakeDeps]:
    db = await memory_database()
    yield FakeDeps(db=db, settings=unit_settings(tmp_path))
    await db.dispose()


async def _group(deps: FakeDeps, name: str) -> int:
    async with deps.db.session() as session:
        group = ClientGroup(name=name)
        session.add(group)
        await session.flush()
        return group.id


def _message(group_id: int, **extra: object) -> events.EventValues:
    values: dict[str, object] = {
        "group_id": group_id,
        "title": "Aushang",
        "event_type": EventType.MESSAGE,
        "start": START,
        "end": START + timedelta(hours=1),
        "message_text": "Heute Sporttag",
    }
    values.update(extra)
    return values  # type: ignore[return-value]


async def _event_count(deps: FakeDeps) -> int:
    async with deps.db.read_session() as session:
        return len((await session.scalars(Event.__table__.select())).all())


async def test_a_user_may_not_create_events_and_nothing_is_written_or_announced(deps: FakeDeps) -> None:
    group = await _group(deps, "Foyer")
    user = await add_user(deps.db, Role.USER)
    with pytest.raises(ForbiddenError) as refused:
        await events.create_event(deps, user, events.CreateEvent(_message(group)))
    assert refused.value.key == "auth.forbidden"
    assert refused.value.text("en") == "You are not allowed to do this."
    with pytest.raises(AuthenticationError):
        await events.delete_event(deps, None, events.DeleteEvent(1))
    assert await _event_count(deps) == 0
    assert await audit_rows(deps.db) == []
    assert deps.bus.published == []


async def test_create_writes_the_audit_row_and_announces_after_the_commit(deps: FakeDeps) -> None:
    group = await _group(deps, "Foyer")
    editor = await add_user(deps.db, Role.EDITOR, "lehrerin")
    check = CommittedCheck(deps)
    deps.bus = RecordingBus(check)
    created = await events.create_event(deps, editor, events.CreateEvent(_message(group)))

    assert created.event.title == "Aushang" and created.exdates == []
    [row] = await audit_rows(deps.db, "event.create")
    assert (row.actor_username, row.object_id, row.ip) == ("lehrerin", str(created.event.id), "192.0.2.7")
    assert deps.bus.published == [
        DomainEvent(EVENTS_CHANGED, {"group_ids": [group], "event_id": created.event.id, "change": changes.CREATED})
    ]
    assert check.seen == [True]  # the subscriber could already read the new event


async def test_a_refused_change_is_rolled_back_and_not_announced(deps: FakeDeps) -> None:
    group = await _group(deps, "Foyer")
    editor = await add_user(deps.db, Role.EDITOR)
    bad = _message(group, end=START - timedelta(minutes=5))
    with pytest.raises(ValidationError) as refused:
        await events.create_event(deps, editor, events.CreateEvent(bad))
    assert (refused.value.key, refused.value.field) == ("event.end_before_start", "end")
    assert refused.value.message == "Das Ende muss nach dem Beginn liegen."
    assert refused.value.text("en") == "The end must be after the start."

    created = await events.create_event(deps, editor, events.CreateEvent(_message(group)))
    deps.bus.published.clear()
    with pytest.raises(ValidationError) as too_long:
        await events.update_event(deps, editor, events.UpdateEvent(created.event.id, {"title": "x" * 300}))
    assert too_long.value.key == "event.title_too_long"
    assert too_long.value.message == "Der Titel darf höchstens 255 Zeichen lang sein."
    assert deps.bus.published == []
    assert len(await audit_rows(deps.db, "event.update")) == 0
    found = await events.find_event(deps, editor, created.event.id)
    assert found is not None and found.event.title == "Aushang"


async def test_moving_an_event_announces_both_groups_once(deps: FakeDeps) -> None:
    foyer, mensa = await _group(deps, "Foyer"), await _group(deps, "Mensa")
    editor = await add_user(deps.db, Role.EDITOR)
    created = await events.create_event(deps, editor, events.CreateEvent(_message(foyer)))
    deps.bus.published.clear()
    moved = await events.update_event(deps, editor, events.UpdateEvent(created.event.id, {"group_id": mensa}))
    assert moved.event.group_id == mensa
    assert [e.data for e in deps.bus.published] == [
        {"group_ids": sorted([foyer, mensa]), "event_id": created.event.id, "change": changes.UPDATED}
    ]
    assert len(await audit_rows(deps.db, "event.update")) == 1


async def test_occurrences_delete_and_detach_are_audited_and_announced(deps: FakeDeps) -> None:
    group = await _group(deps, "Foyer")
    editor = await add_user(deps.db, Role.EDITOR)
    daily = _message(group, recurrence_rule="FREQ=DAILY;COUNT=5")
    series = await events.create_event(deps, editor, events.CreateEvent(daily))
    master_id = series.event.id
    deps.bus.published.clear()

    second = START + timedelta(days=1)
    master = await events.delete_occurrence(deps, editor, events.DeleteOccurrence(master_id, second))
    assert master.exdates == ["20310304T080000Z"]
    third = START + timedelta(days=2)
    detached = await events.detach_occurrence(
        deps, editor, events.DetachOccurrence(master_id, third, {"title": "Sonderausgabe"})
    )
    assert detached.event.detached_from_event_id == master_id and detached.event.title == "Sonderausgabe"
    assert [e.data["change"] for e in deps.bus.published] == [changes.OCCURRENCE_DELETED, changes.OCCURRENCE_DETACHED]
    assert [r.action for r in await audit_rows(deps.db) if r.action.startswith("event.")] == [
        "event.create", "event.delete_occurrence", "event.detach_occurrence",
    ]  # fmt: skip

    with pytest.raises(ConflictError) as again:
        await events.detach_occurrence(deps, editor, events.DetachOccurrence(master_id, third, {}))
    assert again.value.key == "event.already_detached"
    assert len(deps.bus.published) == 2
    async with deps.db.read_session() as session:
        kinds = (await session.scalars(EventException.__table__.select())).all()
    assert len(kinds) == 2


async def test_deleting_a_missing_event_says_false_and_announces_nothing(deps: FakeDeps) -> None:
    group = await _group(deps, "Foyer")
    editor: Principal = await add_user(deps.db, Role.EDITOR)
    assert await events.delete_event(deps, editor, events.DeleteEvent(999)) is False
    created = await events.create_event(deps, editor, events.CreateEvent(_message(group)))
    deps.bus.published.clear()
    assert await events.delete_event(deps, editor, events.DeleteEvent(created.event.id)) is True
    assert [e.data for e in deps.bus.published] == [
        {"group_ids": [group], "event_id": created.event.id, "change": changes.DELETED}
    ]
    assert [r.object_id for r in await audit_rows(deps.db, "event.delete")] == [str(created.event.id)]
