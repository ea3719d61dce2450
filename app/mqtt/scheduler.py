"""The scheduler loop: publishes each group's active events and (when enabled) its TV power intent.

Exactly one scheduler publishes across processes (LeaderLock on Redis; alone without Redis). A tick runs
every POLL_INTERVAL_SECONDS, immediately on start and after every broker (re)connect (full republish),
and promptly when events, groups or conversions change on the event bus. After every (re)connect the
leader also republishes every display's retained `group_id` (`app/mqtt/republish.py`), in its own task
(it touches other topics than a tick, so the two cannot overwrite each other's data).

Publishes go through the connection's outbox, which keeps the broker's in-flight window, so a tick hands
it every publish at once. A group whose publish was not confirmed is retried on its own a few seconds
later (not the whole set).

Event lists (retained `infoscreen/events/{group_id}`) are published only when a group's list changed,
or every REFRESH_SECONDS when > 0 (the `refresh_seconds` setting overrides the environment); an empty
list clears a group that showed something. Power intents (retained QoS 1) follow app.domain.power.intent.

Durchsagen (app.domain.broadcasts): a running broadcast replaces the list of each target group by its one
message event and switches the group's intent ON (the more severe, then the newest wins). The state is in
the database, so a restarted or newly leading scheduler republishes it with its first (forced) tick. Each
tick first runs `sweep_broadcasts` (ends_at expiry, OFFLINE receipts); a broadcast start/end wakes the
scheduler through the bus (and reloads the intents the start/end delivery recorded), and the loop wakes at
the next ends_at.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.container import Container
from app.domain.broadcasts.intents import group_intent_decision
from app.domain.broadcasts.override import load_running
from app.domain.broadcasts.rules import BROADCAST_UPDATED, BroadcastView, next_change, winners, wire_event
from app.domain.broadcasts.service import sweep_broadcasts
from app.domain.bus import CONVERSION_UPDATED, EVENTS_CHANGED, GROUPS_CHANGED, DomainEvent
from app.domain.clock import utcnow
from app.domain.events.active import Snapshot
from app.domain.power import intent as power
from app.domain.power.store import RecordPublishedIntents, load_published_intents, record_published_intents
from app.domain.preview.payload import calculator_for
from app.domain.settings.service import get_refresh_seconds
from app.leader import LeaderLock
from app.mqtt.connection import MqttConnection
from app.mqtt.republish import GroupIdReport, republish_group_ids
from app.mqtt.service import register_scheduler

log = logging.getLogger(__name__)

# The outbox keeps the broker's window; this only bounds how much one tick puts in the queue at once.
_MAX_CONCURRENT_PUBLISHES = 2000
# A tick with unconfirmed publishes retries those groups after this long.
_RETRY_SECONDS = 2.0
# Coalesce a burst of edits (a bulk import) into one tick.
_CHANGE_DEBOUNCE_SECONDS = 0.2


@dataclass
class TickReport:
    groups: int = 0
    event_lists_published: int = 0
    intents_published: int = 0
    publish_failures: int = 0
    duration_ms: float = 0.0
    # Groups whose list this tick replaced by a running broadcast.
    broadcast_groups: int = 0


@dataclass
class _GroupState:
    events: list[dict[str, Any]]
    published_at: datetime


@dataclass
class SchedulerState:
    """What this scheduler last published; reset when it (re)gains leadership."""

    event_lists: dict[int, _GroupState] = field(default_factory=dict)
    intents: dict[int, power.PublishedIntent] = field(default_factory=dict)
    intents_loaded: bool = False
    # Groups whose last publish was not confirmed: sent again on the next tick whatever changed.
    retry_lists: set[int] = field(default_factory=set)
    retry_intents: set[int] = field(default_factory=set)


class Scheduler:
    def __init__(self, container: Container, connection: MqttConnection, *, lock_ttl: float = 10.0) -> None:
        self.container = container
        self.connection = connection
        s = container.settings
        self.poll_interval = s.poll_interval_seconds
        self.calculator = calculator_for(s)
        self.lock = LeaderLock(s.redis_url, "scheduler", ttl_seconds=lock_ttl)
        self.state = SchedulerState()
        self._wake = asyncio.Event()
        self._force = True
        self._reload = True
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncio.Task[None] | None = None
        self._subscription: Any = None
        self.last_report: TickReport | None = None
        self.ticks = 0
        self._republish_group_ids = False
        self._group_ids_task: asyncio.Task[None] | None = None
        self.last_group_ids: GroupIdReport | None = None
        # When the set of running broadcasts next changes (an ends_at): the loop wakes then.
        self._broadcast_change: datetime | None = None
        connection.on_connected(self._on_connected)

    # --- lifecycle --------------------------------------------------------------------------------
    async def start(self) -> None:
        s = self.container.settings
        log.info(
            "event=scheduler_config poll_interval=%s refresh_seconds=%s power_intent_enabled=%s "
            "power_intent_heartbeat=%s power_intent_expiry_multiplier=%s power_intent_min_expiry=%s",
            s.poll_interval_seconds,
            s.refresh_seconds,
            s.power_intent_publish_enabled,
            s.power_intent_heartbeat_enabled,
            s.power_intent_expiry_multiplier,
            s.power_intent_min_expiry_seconds,
        )
        self._stop.clear()
        self._force = self._reload = True
        self.state = SchedulerState()
        self._subscription = self.container.bus.subscribe(
            EVENTS_CHANGED, GROUPS_CHANGED, CONVERSION_UPDATED, BROADCAST_UPDATED
        )
        self._listener = asyncio.create_task(self._listen(), name="scheduler-changes")
        self._task = asyncio.create_task(self._run(), name="scheduler")

    async def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for task in (self._task, self._listener, self._group_ids_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._task = self._listener = self._group_ids_task = None
        if self._subscription is not None:
            await self._subscription.aclose()
            self._subscription = None
        await self.lock.release()

    async def _on_connected(self) -> None:
        # The broker may have lost retained state (restart without persistence): republish everything.
        self._force = True
        self._republish_group_ids = True
        self._wake.set()

    async def _listen(self) -> None:
        assert self._subscription is not None
        subscription = self._subscription
        async for first in subscription:
            await asyncio.sleep(_CHANGE_DEBOUNCE_SECONDS)
            events = [first]
            while not subscription.queue.empty():
                events.append(subscription.queue.get_nowait())
            if self._on_changes(events):
                self._wake.set()

    def _on_changes(self, events: list[DomainEvent]) -> bool:
        """Prepare for a tick after these bus events; False when none of them changes what is published
        (receipt updates of a broadcast)."""
        schedule = [e for e in events if e.topic != BROADCAST_UPDATED]
        broadcasts = [e for e in events if e.topic == BROADCAST_UPDATED and e.data.get("change") != "receipts"]
        if schedule:
            self.calculator.invalidate()
        if broadcasts:
            # The start/end delivery recorded the groups' intents: take their ids over.
            self.state.intents_loaded = False
        return bool(schedule or broadcasts)

    # --- loop -------------------------------------------------------------------------------------
    async def _run(self) -> None:
        renew_every = self.lock.ttl_ms / 3000
        loop = asyncio.get_running_loop()
        next_tick = loop.time()
        while not self._stop.is_set():
            was_leader = self.lock.is_leader
            leading = await self.lock.acquire_or_renew()
            if leading and not was_leader:
                self.state = SchedulerState()  # a takeover: republish everything, reload intents
                self._force = self._reload = True
            due = loop.time() >= next_tick or self._wake.is_set() or self._force
            self._wake.clear()
            if leading and self._republish_group_ids and self.connection.is_connected:
                self._start_group_id_republish()
            if leading and due and self.connection.is_connected:
                retry = False
                try:
                    report = await self.tick(force=self._force, reload=self._reload)
                    retry = report.publish_failures > 0
                except Exception:
                    log.exception("event=scheduler_tick_failed")
                next_tick = loop.time() + (min(_RETRY_SECONDS, self.poll_interval) if retry else self.poll_interval)
                if self._broadcast_change is not None:
                    until = (self._broadcast_change - utcnow()).total_seconds()
                    next_tick = min(next_tick, loop.time() + max(0.05, until))
            timeout = max(0.05, min(renew_every, next_tick - loop.time()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    def _start_group_id_republish(self) -> None:
        """Republish every display's group_id in the background; a newer (re)connect restarts it."""
        self._republish_group_ids = False
        if self._group_ids_task is not None and not self._group_ids_task.done():
            self._group_ids_task.cancel()
        self._group_ids_task = asyncio.create_task(self._republish_ids(), name="scheduler-group-ids")

    async def _republish_ids(self) -> None:
        try:
            self.last_group_ids = await republish_group_ids(self.container.db, self.connection)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("event=group_id_republish_failed")
            self._republish_group_ids = True  # try again on the next loop turn
            await asyncio.sleep(_RETRY_SECONDS)
            self._wake.set()

    async def tick(self, *, force: bool = False, reload: bool | None = None) -> TickReport:
        """Compute every group's state and publish what changed; `force` republishes everything.

        `reload` (default: `force`) drops the calculator's loaded series first. A reconnect forces a
        republish without a reload: the broker lost its copy, the database did not change (edits reach
        the calculator over the bus and its data-version probe anyway)."""
        started = asyncio.get_running_loop().time()
        self._force = self._reload = False
        if force if reload is None else reload:
            self.calculator.invalidate()
        s = self.container.settings
        try:
            await sweep_broadcasts(self.container, None)
        except Exception:
            log.exception("event=broadcast_sweep_failed")
        now = utcnow()
        async with self.container.db.read_session() as session:
            snapshot = await self.calculator.compute(session, now)
            running = await load_running(session, now)
            refresh = await get_refresh_seconds(session, s.refresh_seconds)
            if s.power_intent_publish_enabled and not self.state.intents_loaded:
                await self._load_intents(session)
        overrides = winners(running, snapshot.groups, now)
        self._broadcast_change = next_change(running, now)
        report = TickReport(groups=len(snapshot.groups), broadcast_groups=len(overrides))
        await self._publish_event_lists(snapshot, overrides, now, refresh, force, report)
        if s.power_intent_publish_enabled:
            await self._publish_intents(snapshot, overrides, force, report)
        report.duration_ms = (asyncio.get_running_loop().time() - started) * 1000
        self.last_report = report
        self.ticks += 1
        if report.event_lists_published or report.intents_published or report.publish_failures:
            log.info(
                "event=scheduler_tick groups=%d event_lists=%d intents=%d failures=%d ms=%.1f",
                report.groups,
                report.event_lists_published,
                report.intents_published,
                report.publish_failures,
                report.duration_ms,
            )
        return report

    async def _publish_all(self, jobs: list[tuple[int, Any]], send: Any) -> dict[int, bool]:
        gate = asyncio.Semaphore(_MAX_CONCURRENT_PUBLISHES)

        async def one(group_id: int, payload: Any) -> tuple[int, bool]:
            async with gate:
                try:
                    await send(group_id, payload)
                    return group_id, True
                except Exception as exc:
                    log.warning("event=scheduler_publish_failed group=%s error=%s", group_id, exc)
                    return group_id, False

        return dict(await asyncio.gather(*(one(g, p) for g, p in jobs)))

    async def _publish_event_lists(
        self,
        snapshot: Snapshot,
        overrides: dict[int, BroadcastView],
        now: datetime,
        refresh: int,
        force: bool,
        report: TickReport,
    ) -> None:
        publisher = self.container.publisher
        assert publisher is not None
        states = self.state.event_lists
        retry = self.state.retry_lists
        jobs: list[tuple[int, Any]] = []
        lists: dict[int, list[dict[str, Any]]] = {}
        for group_id in sorted(set(snapshot.groups) | set(states)):
            if group_id in overrides:
                events = [wire_event(overrides[group_id], group_id)]
            else:
                events = snapshot.event_list(group_id) if group_id in snapshot.groups else []
            state = states.get(group_id)
            stale = refresh > 0 and state is not None and now - state.published_at >= timedelta(seconds=refresh)
            # Never published by this scheduler: only a non-empty list needs sending (force clears all).
            changed = bool(events) if state is None else state.events != events
            if force or changed or stale or group_id in retry:
                jobs.append((group_id, events))
                lists[group_id] = events
        results = await self._publish_all(jobs, publisher.publish_event_list)
        for group_id, ok in results.items():
            if not ok:
                retry.add(group_id)
                report.publish_failures += 1
                continue
            retry.discard(group_id)
            report.event_lists_published += 1
            if group_id not in snapshot.groups:
                states.pop(group_id, None)  # a deleted group: cleared once, then forgotten
            else:
                states[group_id] = _GroupState(lists[group_id], now)

    async def _load_intents(self, session: Any) -> None:
        self.state.intents.update(await load_published_intents(session))
        self.state.intents_loaded = True

    async def _publish_intents(
        self, snapshot: Snapshot, overrides: dict[int, BroadcastView], force: bool, report: TickReport
    ) -> None:
        publisher = self.container.publisher
        assert publisher is not None
        s = self.container.settings
        decisions: dict[int, power.IntentDecision] = {}
        now = utcnow()
        timing = power.IntentTiming(
            poll_interval_sec=self.poll_interval,
            multiplier=s.power_intent_expiry_multiplier,
            min_expiry_seconds=s.power_intent_min_expiry_seconds,
            heartbeat=s.power_intent_heartbeat_enabled,
        )
        for group_id in snapshot.groups:
            decision = group_intent_decision(
                group_id,
                overrides.get(group_id),
                snapshot,
                now,
                self.state.intents.get(group_id),
                timing,
                force=force or group_id in self.state.retry_intents,
            )
            if decision is not None:
                decisions[group_id] = decision
        send_at = utcnow()
        jobs = [(g, d.intent.payload) for g, d in sorted(decisions.items()) if not power.is_expired(d.intent, send_at)]
        results = await self._publish_all(jobs, publisher.publish_power_intent)
        persist: list[power.PublishedIntent] = []
        for group_id, ok in results.items():
            if not ok:
                self.state.retry_intents.add(group_id)
                report.publish_failures += 1
                continue
            self.state.retry_intents.discard(group_id)
            report.intents_published += 1
            decision = decisions[group_id]
            self.state.intents[group_id] = decision.intent
            if decision.changed:
                persist.append(decision.intent)
                if decision.is_transition:
                    log.info(
                        "event=power_intent_transition group=%s state=%s reason=%s intent_id=%s",
                        group_id,
                        decision.intent.desired_state,
                        decision.intent.reason,
                        decision.intent.intent_id,
                    )
        for gone in set(self.state.intents) - set(snapshot.groups):
            del self.state.intents[gone]
        self.state.retry_intents &= set(snapshot.groups)
        if persist:
            await record_published_intents(self.container, None, RecordPublishedIntents(persist))


@register_scheduler
def create_scheduler(container: Container, connection: MqttConnection) -> Scheduler:
    scheduler = Scheduler(container, connection, lock_ttl=container.settings.scheduler_lock_ttl)
    container.extras["scheduler"] = scheduler
    return scheduler
