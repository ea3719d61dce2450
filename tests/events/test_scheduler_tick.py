"""One scheduler tick at a time: publish on change only, clear emptied or deleted groups, forced refresh."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete

from app.config import load_settings
from app.container import Container
from app.domain.clients.models import ClientGroup
from app.domain.clock import utcnow
from app.domain.enums import EventType
from app.domain.events.models import Event
from app.domain.models import Base
from app.mqtt.scheduler import Scheduler
from tests.events.recording import ConnectedLink, RecordingPublisher
from tests.events.seed import set_setting


async def test_tick_publishes_changes_clears_and_refreshes(tmp_path: Path) -> None:
    container = Container.create(load_settings(DATA_DIR=str(tmp_path), SECRET_KEY="x"))
    async with container.db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    publisher = RecordingPublisher()
    container.publisher = publisher  # type: ignore[assignment]
    scheduler = Scheduler(container, ConnectedLink())  # type: ignore[arg-type]
    now = utcnow()
    async with container.db.session() as s:
        busy, idle = ClientGroup(name="Busy"), ClientGroup(name="Idle")
        s.add_all([busy, idle])
        await s.flush()
        event = Event(
            group_id=busy.id,
            title="A",
            event_type=EventType.MESSAGE,
            message_text="x",
            start=now - timedelta(minutes=1),
            end=now + timedelta(hours=1),
        )
        s.add(event)
        await s.flush()
        busy_id, idle_id, event_id = busy.id, idle.id, event.id
    try:
        # Start: every group, empty ones too, so stale retained lists from before a restart are cleared.
        report = await scheduler.tick(force=True)
        assert report.event_lists_published == 2
        assert {g: [e["id"] for e in ev] for g, ev in publisher.event_lists} == {busy_id: [event_id], idle_id: []}

        publisher.event_lists.clear()
        assert (await scheduler.tick()).event_lists_published == 0  # nothing changed

        async with container.db.session() as s:
            row = await s.get(Event, event_id)
            assert row is not None
            row.title = "B"
        await scheduler.tick()
        assert [(g, ev[0]["title"]) for g, ev in publisher.event_lists] == [(busy_id, "B")]

        # REFRESH via the system setting: every group is republished although unchanged.
        publisher.event_lists.clear()
        await set_setting(container, "refresh_seconds", "1")
        await asyncio.sleep(1.1)
        await scheduler.tick()
        assert sorted(g for g, _ in publisher.event_lists) == [busy_id, idle_id]
        await set_setting(container, "refresh_seconds", "0")

        # The event is deleted: the group is cleared once with [].
        publisher.event_lists.clear()
        async with container.db.session() as s:
            await s.execute(delete(Event).where(Event.id == event_id))
        await scheduler.tick()
        await scheduler.tick()
        assert publisher.event_lists == [(busy_id, [])]

        # A deleted group that showed something is cleared once, then forgotten.
        async with container.db.session() as s:
            s.add(
                Event(
                    group_id=idle_id,
                    title="C",
                    event_type=EventType.MESSAGE,
                    message_text="y",
                    start=now - timedelta(minutes=1),
                    end=now + timedelta(hours=1),
                )
            )
        await scheduler.tick()
        publisher.event_lists.clear()
        async with container.db.session() as s:
            await s.execute(delete(ClientGroup).where(ClientGroup.id == idle_id))
        await scheduler.tick()
        await scheduler.tick()
        assert publisher.event_lists == [(idle_id, [])]
    finally:
        await container.close()
