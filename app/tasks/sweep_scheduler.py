"""Drives the periodic sweeps: exactly one process across replicas (LeaderLock "sweeps") triggers them.

Every POLL_INTERVAL_SECONDS the leader runs the command sweep (and crash recovery when enabled); hourly the
retention sweep, the holiday-subscription refresh (each feed daily) and a re-enqueue of
conversions left pending. With a Redis broker the work is sent to the
Dramatiq actors (any `infoscreen worker` runs it); with the in-process StubBroker it runs right here, on
this process' own database, bus and broker link.

The leader also reacts to discoveries at once (CLIENT_UPDATED with reason "discovery"): a rebooting display
that comes back and announces itself is marked recovered/completed within seconds instead of at the next
poll (docs/commands.md, "When a reboot counts as done").
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import Awaitable, Callable

import dramatiq
from dramatiq.errors import ActorNotFound

from app.container import Container
from app.domain.alarms.evaluate import EvaluateAlarms
from app.domain.alarms.notify import run_alarm_cycle
from app.domain.bus import CLIENT_UPDATED, Subscription
from app.domain.clock import utcnow
from app.domain.commands import sweeps as command_sweeps
from app.domain.monitoring.content_match import refresh_content_plans
from app.domain.monitoring.retention import purge_client_logs, purge_screenshots
from app.domain.playback.retention import purge_playback
from app.leader import LeaderLock
from app.mqtt.connection import MqttConnection
from app.mqtt.service import register_scheduler
from app.tasks import holiday_refresh
from app.tasks.broker import is_stub

log = logging.getLogger(__name__)

LOCK_NAME = "sweeps"
LOCK_TTL_SECONDS = 10.0
RETENTION_EVERY_SECONDS = 3600.0
ALARMS_ACTOR, ALARMS_EVERY_SECONDS = "evaluate_alarms", 60.0  # app.tasks.alarms


class SweepScheduler:
    def __init__(self, container: Container, connection: MqttConnection | None = None) -> None:
        self.container = container
        settings = container.settings
        self.poll_seconds = float(settings.poll_interval_seconds)
        self.lock = LeaderLock(settings.redis_url, LOCK_NAME, ttl_seconds=LOCK_TTL_SECONDS)
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._heartbeats: Subscription | None = None
        self.runs: dict[str, int] = {}
        self.connection = connection
        self._next_alarms = 0.0

    async def start(self) -> None:
        self._stop.clear()
        # Subscribe before anything runs, so no heartbeat published from now on is missed.
        self._heartbeats = self.container.bus.subscribe(CLIENT_UPDATED)
        self._tasks = [
            asyncio.create_task(self._loop(), name="sweep-scheduler"),
            asyncio.create_task(self._react_to_heartbeats(), name="sweep-heartbeats"),
        ]
        log.info("event=sweep_scheduler_started poll_interval=%s crash_recovery_enabled=%s",
                 self.poll_seconds, self.container.settings.crash_recovery_enabled)  # fmt: skip

    async def stop(self) -> None:
        self._stop.set()
        if self._heartbeats is not None:
            await self._heartbeats.aclose()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        await self.lock.release()

    # --- periodic ------------------------------------------------------------------------------------
    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        next_sweep = next_retention = 0.0
        tick = max(0.2, min(self.poll_seconds, LOCK_TTL_SECONDS / 3))
        while not self._stop.is_set():
            if await self.lock.acquire_or_renew():
                now = loop.time()
                if now >= next_sweep:
                    next_sweep = now + self.poll_seconds
                    await self.run_periodic()
                if now >= next_retention:
                    next_retention = now + RETENTION_EVERY_SECONDS
                    await self.run_hourly()
            else:
                # Whoever leads next sweeps at once.
                next_sweep = next_retention = 0.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), tick)

    async def run_periodic(self) -> None:
        c = self.container
        await self._dispatch("sweep_commands", lambda: command_sweeps.sweep_commands(c.db, c.bus))
        if c.settings.crash_recovery_enabled:
            await self._dispatch(
                "crash_recovery_scan",
                lambda: command_sweeps.crash_recovery_scan(c.db, c.bus, c.publisher, c.settings),
            )
        await self._dispatch("refresh_content_plans", lambda: refresh_content_plans(c, utcnow()))
        await self.run_alarms()

    async def run_alarms(self) -> None:
        """The alarm evaluation and its notifications, at most once a minute (app.domain.alarms)."""
        now = asyncio.get_running_loop().time()
        if now < self._next_alarms:
            return
        self._next_alarms = now + ALARMS_EVERY_SECONDS
        link = self.connection.is_connected if self.connection is not None else None
        command = EvaluateAlarms(utcnow(), broker_connected=link)
        await self._dispatch(ALARMS_ACTOR, lambda: run_alarm_cycle(self.container, command), link)

    async def run_hourly(self) -> None:
        s = self.container.settings

        async def retention() -> None:
            await purge_client_logs(self.container.db, s.client_log_retention_days)
            await purge_screenshots(s.screenshot_dir, s.screenshot_retention_days)
            await purge_playback(self.container.db, s.playback_retention_days)

        await self._dispatch("retention_sweep", retention)
        # Holiday subscriptions: only those due (HOLIDAY_FEED_REFRESH_HOURS) are fetched.
        await self._dispatch(holiday_refresh.ACTOR_NAME, lambda: holiday_refresh.refresh_due(self.container, s))
        await self._requeue_conversions()

    def _broker(self) -> dramatiq.Broker | None:
        broker = self.container.extras.get("dramatiq_broker")
        return broker if isinstance(broker, dramatiq.Broker) else None

    async def _dispatch(self, actor_name: str, inline: Callable[[], Awaitable[object]], *args: object) -> None:
        """Send to the actor when a Redis broker (and so some worker) is there; otherwise run here."""
        self.runs[actor_name] = self.runs.get(actor_name, 0) + 1
        broker = self._broker()
        try:
            if broker is not None and not is_stub(broker):
                actor = broker.get_actor(actor_name)
                await asyncio.to_thread(actor.send, *args)
                return
            await inline()
        except ActorNotFound:
            log.warning("event=sweep_actor_missing actor=%s; running inline", actor_name)
            await self._run_inline(actor_name, inline)
        except Exception as exc:
            log.error("event=%s_error error=%s", actor_name, exc)

    async def _run_inline(self, actor_name: str, inline: Callable[[], Awaitable[object]]) -> None:
        try:
            await inline()
        except Exception as exc:
            log.error("event=%s_error error=%s", actor_name, exc)

    async def _requeue_conversions(self) -> None:
        """Hook owned by the media area: call its `requeue_pending_conversions` actor when it exists."""
        broker = self._broker()
        if broker is None:
            return
        try:
            module = importlib.import_module("app.tasks.conversions")
        except ImportError:
            return
        actor = getattr(module, "requeue_pending_conversions", None)
        if not isinstance(actor, dramatiq.Actor):
            return
        if is_stub(broker) and "worker" not in self.container.health_checks:
            return  # nothing in this process would consume it
        try:
            await asyncio.to_thread(actor.send)
        except Exception as exc:
            log.warning("event=conversion_requeue_enqueue_failed error=%s", exc)

    # --- heartbeats ----------------------------------------------------------------------------------
    async def _react_to_heartbeats(self) -> None:
        assert self._heartbeats is not None
        c = self.container
        async for event in self._heartbeats:
            if event.data.get("reason") != "discovery" or not self.lock.is_leader:
                continue
            uuid = event.data.get("uuid")
            if not isinstance(uuid, str) or not uuid:
                continue
            try:
                await command_sweeps.detect_reconnect(c.db, c.bus, uuid)
            except Exception as exc:
                log.error("event=command_reconnect_check_error client=%s error=%s", uuid[:64], exc)


@register_scheduler
def create_sweep_scheduler(container: Container, connection: MqttConnection) -> SweepScheduler:
    return SweepScheduler(container, connection)
