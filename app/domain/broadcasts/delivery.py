"""Publishing a broadcast change at once: the affected groups' retained event lists and power intents.

Called as an `after_commit` step of `start_broadcast` / `end_broadcast` / `sweep_broadcasts` through the
`DisplayPublisher` port (the reliable outbox of this process's broker link). It computes the groups' state
from the database exactly as a scheduler tick does (running broadcasts override the schedule, the rest is
the `ActiveEventsCalculator` snapshot), publishes every list and intent at once, and records the intents
so the scheduler keeps their ids. The scheduler is woken by the BROADCAST_UPDATED event as well and
converges on the same state, so a publish lost here is repeated by the next tick.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.domain.broadcasts.intents import group_intent_decision
from app.domain.broadcasts.override import load_running
from app.domain.broadcasts.rules import winners, wire_event
from app.domain.clients.models import ClientGroup
from app.domain.clock import utcnow
from app.domain.ports import SettingsDeps
from app.domain.power import intent as power
from app.domain.power.store import RecordPublishedIntents, load_published_intents, record_published_intents
from app.domain.preview.payload import calculator_for, timing_for

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    groups: int = 0
    overridden: int = 0
    lists_published: int = 0
    intents_published: int = 0
    failures: int = 0
    seconds: float = 0.0
    # Phases: reading/computing, publishing (confirmed), recording the intents.
    compute_seconds: float = 0.0
    publish_seconds: float = 0.0
    persist_seconds: float = 0.0


async def deliver_groups(deps: SettingsDeps, group_ids: set[int] | None, now: datetime | None = None) -> DeliveryReport:
    """Publish the state of `group_ids` (None: every group) at `now` (default: this instant; the sweep passes
    the instant it judged ends_at by, so what it restores is the state of that instant); never raises."""
    started = time.perf_counter()
    report = DeliveryReport()
    publisher = deps.publisher
    if publisher is None:
        log.warning("event=broadcast_delivery_skipped reason=no_broker_link")
        return report
    settings = deps.settings
    publish_intents = settings.power_intent_publish_enabled
    fixed = now

    def clock() -> datetime:  # an intent is judged expired by the time it would go out
        return fixed if fixed is not None else utcnow()

    now = clock()
    async with deps.db.read_session() as session:
        running = await load_running(session, now)
        existing = set((await session.scalars(sa.select(ClientGroup.id))).all())
        targets = sorted(existing if group_ids is None else existing & group_ids)
        win = winners(running, targets, now)
        normal = [g for g in targets if g not in win]
        snapshot = await calculator_for(settings).compute(session, now) if normal else None
    report.groups, report.overridden = len(targets), len(win)
    lists: dict[int, list[dict[str, Any]]] = {g: [wire_event(b, g)] for g, b in win.items()}
    for g in normal:
        assert snapshot is not None
        lists[g] = snapshot.event_list(g) if g in snapshot.groups else []

    async def send(kind: str, group_id: int, call: Any) -> tuple[str, int, bool]:
        try:
            await call
            return kind, group_id, True
        except Exception as exc:
            log.warning("event=broadcast_publish_failed kind=%s group=%s error=%s", kind, group_id, exc)
            return kind, group_id, False

    # The lists first (what displays show), confirmed, before the intents are decided: deciding a thousand
    # intents in this loop meanwhile would hold up the acknowledgements the outbox waits for.
    computed = time.perf_counter()
    report.compute_seconds = computed - started
    results = await asyncio.gather(*(send("list", g, publisher.publish_event_list(g, ev)) for g, ev in lists.items()))
    decisions: dict[int, power.IntentDecision] = {}
    if publish_intents:
        async with deps.db.read_session() as session:
            previous = await load_published_intents(session)
        timing = timing_for(settings)
        for g in targets:
            decision = group_intent_decision(g, win.get(g), snapshot, now, previous.get(g), timing, force=True)
            if decision is not None and not power.is_expired(decision.intent, clock()):
                decisions[g] = decision
    results += await asyncio.gather(
        *(send("intent", g, publisher.publish_power_intent(g, d.intent.payload)) for g, d in decisions.items())
    )
    persist: list[power.PublishedIntent] = []
    for kind, group_id, ok in results:
        if not ok:
            report.failures += 1
        elif kind == "list":
            report.lists_published += 1
        else:
            report.intents_published += 1
            if decisions[group_id].changed:
                persist.append(decisions[group_id].intent)
    published = time.perf_counter()
    report.publish_seconds = published - computed
    if persist:
        await record_published_intents(deps, None, RecordPublishedIntents(persist))
    report.seconds = time.perf_counter() - started
    report.persist_seconds = report.seconds - (published - started)
    log.info(
        "event=broadcast_delivery groups=%d overridden=%d lists=%d intents=%d failures=%d seconds=%.3f "
        "compute=%.3f publish=%.3f persist=%.3f",
        report.groups, report.overridden, report.lists_published, report.intents_published, report.failures,
        report.seconds, report.compute_seconds, report.publish_seconds, report.persist_seconds,
    )  # fmt: skip
    return report
