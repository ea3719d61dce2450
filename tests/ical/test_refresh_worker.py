"""The daily refresh as the sweep leader runs it: the `refresh_holiday_subscriptions` actor on a real Dramatiq
worker over Redis, and the subscription and feed use cases on MariaDB as well as SQLite."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import func, select

from app.domain.bus import EVENTS_CHANGED, InMemoryEventBus
from app.domain.calendar_feeds.export import FeedOptions, group_feed
from app.domain.clients.models import ClientGroup
from app.domain.db import Database
from app.domain.enums import AcademicPeriodType, EventType, Role
from app.domain.events.models import Event
from app.domain.periods.holiday_subscriptions import (
    CreateHolidaySubscription,
    RefreshHolidaySubscription,
    RefreshOptions,
    create_subscription,
    refresh_subscription,
)
from app.domain.periods.models import AcademicPeriod, HolidaySubscription, SchoolHoliday
from app.domain.users.models import User
from app.domain.users.tokens import Principal
from app.tasks.sweep_scheduler import SweepScheduler
from tests.commands.test_sweep_actors import run_actor, worker_stack
from tests.ical.feed_server import feed_server
from tests.ical.feeds import WIEN_2025_26, WIEN_EXPECTED
from tests.support.servers import RunningServer

ADMIN = Principal(user_id=1, username="admin", role=Role.ADMIN)


@dataclass
class Deps:
    db: Database
    bus: InMemoryEventBus = field(default_factory=InMemoryEventBus)
    publisher: None = None


async def _period(db: Database) -> int:
    async with db.session() as session:
        period = AcademicPeriod(
            name="SJ 25/26", start_date=date(2025, 9, 1), end_date=date(2026, 7, 3),
            period_type=AcademicPeriodType.SCHULJAHR, is_active=True,
        )  # fmt: skip
        session.add(period)
        await session.flush()
        return period.id


async def _holiday_count(db: Database, subscription_id: int) -> int:
    async with db.read_session() as session:
        stmt = select(func.count()).where(SchoolHoliday.subscription_id == subscription_id)
        return int(await session.scalar(stmt) or 0)


async def test_the_refresh_actor_fetches_due_feeds_on_a_redis_worker(redis_srv: RunningServer, tmp_path: Path) -> None:
    redis_url = f"redis://127.0.0.1:{redis_srv.port}/0"
    async with feed_server(WIEN_2025_26.encode()) as server, worker_stack(tmp_path, redis_url) as (container, broker):
        period = await _period(container.db)
        async with container.db.session() as session:
            subscription = HolidaySubscription(academic_period_id=period, url=server.url)
            session.add(subscription)
            await session.flush()
            sub_id = subscription.id
        changes = container.bus.subscribe(EVENTS_CHANGED)

        await run_actor(broker, "refresh_holiday_subscriptions")
        assert await _holiday_count(container.db, sub_id) == len(WIEN_EXPECTED)
        event = await asyncio.wait_for(changes.__anext__(), 10)  # the worker's change reaches this process
        assert event.data["change"] == "holidays"
        await changes.aclose()

        # Run again at once: nothing is due, the feed is not asked.
        asked = len(server.requests)
        await run_actor(broker, "refresh_holiday_subscriptions")
        assert len(server.requests) == asked


async def test_subscription_and_feed_on_both_engines(any_db: Database) -> None:
    deps = Deps(any_db)
    period = await _period(any_db)
    async with any_db.session() as session:
        session.add(User(id=ADMIN.user_id, username=ADMIN.username, password_hash="x", role=Role.ADMIN))
    async with feed_server(WIEN_2025_26.encode()) as server:
        created = await create_subscription(
            deps, ADMIN, CreateHolidaySubscription(server.url, period, RefreshOptions())
        )
        assert (created.last_status, created.last_http_status) == ("ok", 200)
        assert created.last_summary is not None and created.last_summary["refused"] == 2
        assert await _holiday_count(any_db, created.id) == len(WIEN_EXPECTED)
        again = await refresh_subscription(deps, ADMIN, RefreshHolidaySubscription(created.id, RefreshOptions()))
        assert (again.last_status, again.last_http_status) == ("unchanged", 304)
        server.mode = "error"
        server.body += b"\r\n"
        failed = await refresh_subscription(deps, ADMIN, RefreshHolidaySubscription(created.id, RefreshOptions()))
        assert failed.last_status == "error" and failed.last_success_at == again.last_success_at
        assert await _holiday_count(any_db, created.id) == len(WIEN_EXPECTED)

    async with any_db.session() as session:
        group = ClientGroup(name="Aula")
        session.add(group)
        await session.flush()
        session.add(
            Event(
                group_id=group.id, title="Morgenansage", event_type=EventType.MESSAGE, message_text="Hallo",
                start=datetime(2025, 9, 8, 6, 0, tzinfo=UTC), end=datetime(2025, 9, 8, 6, 30, tzinfo=UTC),
                recurrence_rule="FREQ=WEEKLY;COUNT=5",
            )
        )  # fmt: skip
        await session.flush()
        group_id = group.id
    options = FeedOptions(tz=ZoneInfo("Europe/Vienna"), now=datetime(2025, 9, 1, tzinfo=UTC), past_days=30)
    async with any_db.read_session() as session:
        body = await group_feed(session, group_id, options)
    calendar = icalendar.Calendar.from_ical(body)
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Morgenansage" and event["DTSTART"].dt.hour == 8


async def test_two_refreshes_at_once_write_the_feed_once(any_db: Database) -> None:
    """The refresh button pressed while the daily run fetches the same feed: no holiday is written twice."""
    deps = Deps(any_db)
    period = await _period(any_db)
    async with feed_server(WIEN_2025_26.encode()) as server:
        async with any_db.session() as session:
            subscription = HolidaySubscription(academic_period_id=period, url=server.url)
            session.add(subscription)
            await session.flush()
            sub_id = subscription.id
        results = await asyncio.gather(
            refresh_subscription(deps, None, RefreshHolidaySubscription(sub_id, RefreshOptions())),
            refresh_subscription(deps, None, RefreshHolidaySubscription(sub_id, RefreshOptions())),
        )
        assert len(server.requests) == 2
    assert sorted(r.last_status or "" for r in results)[0] == "ok"
    assert await _holiday_count(any_db, sub_id) == len(WIEN_EXPECTED)


async def test_the_sweep_leader_refreshes_due_feeds_inline_in_one_process(tmp_path: Path) -> None:
    """`infoscreen run` (no Redis): the hourly sweep runs the refresh in the leader's own process."""
    async with worker_stack(tmp_path) as (container, _broker):
        period = await _period(container.db)
        async with feed_server(WIEN_2025_26.encode()) as server:
            async with container.db.session() as session:
                subscription = HolidaySubscription(academic_period_id=period, url=server.url)
                session.add(subscription)
                await session.flush()
                sub_id = subscription.id
            await SweepScheduler(container).run_hourly()
            assert len(server.requests) == 1
        assert await _holiday_count(container.db, sub_id) == len(WIEN_EXPECTED)
