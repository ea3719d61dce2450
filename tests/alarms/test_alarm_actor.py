"""The evaluation as the sweep leader runs it: once a minute, inline without Redis, on a real Dramatiq worker
over Redis otherwise; its ALARM_UPDATED events reach the server's bus."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from app.container import Container
from app.domain.alarms.models import Alarm
from app.domain.bus import ALARM_UPDATED
from app.domain.clock import utcnow
from app.domain.settings.models import SystemSetting
from app.tasks.sweep_scheduler import SweepScheduler
from tests.commands.factory import make_client, make_command
from tests.commands.test_sweep_actors import worker_stack
from tests.support.servers import RunningServer


async def _failed_command(container: Container) -> str:
    client = await make_client(container.db, description="Aula links", last_alive=utcnow())
    return await make_command(
        container.db, client, status="failed", issued_at=utcnow() - timedelta(minutes=2), error_code="exit_1"
    )


async def _alarms(container: Container) -> list[Alarm]:
    async with container.db.read_session() as session:
        return list((await session.scalars(select(Alarm))).all())


async def test_the_leader_evaluates_inline_once_a_minute(tmp_path: Path) -> None:
    async with worker_stack(tmp_path) as (container, _broker):
        command_id = await _failed_command(container)
        updates = container.bus.subscribe(ALARM_UPDATED)
        scheduler = SweepScheduler(container)
        await scheduler.run_periodic()
        event = await asyncio.wait_for(updates.__anext__(), 10)
        assert (event.data["kind"], event.data["change"]) == ("COMMAND_FAILED", "raised")
        (alarm,) = await _alarms(container)
        assert alarm.details is not None and alarm.details["command_id"] == command_id
        # The next poll within the minute does not evaluate again.
        await scheduler.run_periodic()
        assert scheduler.runs["evaluate_alarms"] == 1
        await updates.aclose()


async def test_the_alarm_actor_runs_on_a_redis_worker(redis_srv: RunningServer, tmp_path: Path) -> None:
    redis_url = f"redis://127.0.0.1:{redis_srv.port}/0"
    async with worker_stack(tmp_path, redis_url) as (container, broker):
        async with container.db.session() as session:  # watch around the clock, raise without delay
            session.add_all(
                SystemSetting(key=key, value=value)
                for key, value in (
                    ("alarm_operating_hours", "00:00-24:00"),
                    ("alarm_operating_days", "1-7"),
                    ("alarm_raise_delay_minutes", "0"),
                )
            )
        silent = await make_client(container.db, description="Foyer", last_alive=utcnow() - timedelta(hours=1))
        await _failed_command(container)
        updates = container.bus.subscribe(ALARM_UPDATED)
        container.extras["dramatiq_broker"] = broker
        await SweepScheduler(container).run_alarms()
        await asyncio.to_thread(broker.join, "sweeps", timeout=30_000)
        seen = {(e.data["kind"], e.data["change"]) for e in [await asyncio.wait_for(updates.__anext__(), 10)
                                                             for _ in range(2)]}  # fmt: skip
        assert seen == {("COMMAND_FAILED", "raised"), ("DISPLAY_OFFLINE", "raised")}
        offline = [a for a in await _alarms(container) if a.kind == "DISPLAY_OFFLINE"]
        assert [(a.client_uuid, a.state) for a in offline] == [(silent, "ACTIVE")]
        await updates.aclose()
