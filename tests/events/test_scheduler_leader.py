"""Exactly one scheduler publishes across processes (Redis leader lock); a successor takes over at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from app.config import load_settings
from app.container import Container
from app.domain.clients.models import ClientGroup
from app.domain.clock import utcnow
from app.domain.enums import EventType
from app.domain.events.models import Event
from app.domain.models import Base
from app.mqtt.scheduler import Scheduler
from tests.events.recording import ConnectedLink, RecordingPublisher
from tests.support.servers import RunningServer


async def _wait(predicate: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def test_only_the_lock_holder_publishes_and_a_successor_takes_over(
    tmp_path: Path, redis_srv: RunningServer
) -> None:
    settings = load_settings(
        DATA_DIR=str(tmp_path),
        SECRET_KEY="x",
        REDIS_URL=f"redis://127.0.0.1:{redis_srv.port}/7",  # own db: no other lock holders
        POLL_INTERVAL_SECONDS="1",
    )
    containers = [Container.create(settings) for _ in range(2)]
    async with containers[0].db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with containers[0].db.session() as s:
        group = ClientGroup(name="Aula")
        s.add(group)
        await s.flush()
        now = utcnow()
        s.add(
            Event(
                group_id=group.id,
                title="Jetzt",
                event_type=EventType.MESSAGE,
                message_text="x",
                start=now - timedelta(minutes=1),
                end=now + timedelta(hours=1),
            )
        )
    publishers = [RecordingPublisher(), RecordingPublisher()]
    schedulers = []
    for container, publisher in zip(containers, publishers, strict=True):
        container.publisher = publisher  # type: ignore[assignment]
        schedulers.append(Scheduler(container, ConnectedLink(), lock_ttl=1.5))  # type: ignore[arg-type]
    try:
        for scheduler in schedulers:
            await scheduler.start()
        await _wait(lambda: any(p.event_lists for p in publishers))
        await asyncio.sleep(2.0)  # several polls and lock renewals
        leader = 0 if publishers[0].event_lists else 1
        follower = 1 - leader
        assert publishers[follower].event_lists == []
        assert [g for g, _ in publishers[leader].event_lists] == [group.id]  # published once: unchanged since

        await schedulers[leader].stop()  # releases the lock
        await _wait(lambda: bool(publishers[follower].event_lists), timeout=5.0)
        ((gid, events),) = publishers[follower].event_lists
        assert gid == group.id and events[0]["title"] == "Jetzt"
    finally:
        for scheduler in schedulers:
            await scheduler.stop()
        for container in containers:
            await container.close()
