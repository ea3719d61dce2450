"""`display_payload_at`: the event list and power intent a group's displays receive at an instant.

Both are computed by the code a scheduler tick runs: `ActiveEventsCalculator.compute` (a fresh calculator,
so no cached plan), `Snapshot.event_list`, and `power.decide_for_group` with the scheduler's settings and
`at` as the publish moment. What cannot be reproduced is the intent's `intent_id`: the scheduler draws a
random UUID at each transition (and keeps it while the state holds), so the preview returns a stable id
derived from the group, state, reason and window instead. `issued_at`/`expires_at` are those of a tick
running exactly at `at` (a heartbeat or transition at that instant).

A Durchsage running at `at` overrides the group exactly as in the scheduler (app.domain.broadcasts: its one
message event is the list, the intent is ON for its window).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.config import Settings
from app.domain.broadcasts.intents import group_intent_decision
from app.domain.broadcasts.override import load_between
from app.domain.broadcasts.rules import BroadcastView, winner, wire_event
from app.domain.clients.models import ClientGroup
from app.domain.clock import as_utc
from app.domain.enums import Role
from app.domain.errors import NotFoundError
from app.domain.events.active import ActiveEventsCalculator, Snapshot
from app.domain.events.ports import ScheduleDeps
from app.domain.power import intent as power
from app.domain.usecase import require_role
from app.domain.users.tokens import Principal

_PREVIEW_NS = uuid.UUID("6f1c2a7e-5d3b-4f0e-9a61-0c2b8e7d4a10")


def wire_json(payload: Any) -> str:
    """The JSON text as the MQTT publisher encodes it (compact separators, UTF-8 kept)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class DisplayPayload:
    group_id: int
    at: datetime
    event_list: list[dict[str, Any]]
    # None when the server does not publish power intents (POWER_INTENT_PUBLISH_ENABLED off).
    power_intent: dict[str, Any] | None


def calculator_for(settings: Settings) -> ActiveEventsCalculator:
    """The calculator the scheduler ticks with (and the preview asks): one configuration, EVENTS_WINDOW_DAYS
    included, so both expand exactly the same occurrences."""
    return ActiveEventsCalculator(
        settings.tz,
        settings.converted_dir,
        settings.public_base_url or "",
        window=timedelta(days=settings.events_window_days),
    )


def timing_for(settings: Settings) -> power.IntentTiming:
    return power.IntentTiming(
        poll_interval_sec=settings.poll_interval_seconds,
        multiplier=settings.power_intent_expiry_multiplier,
        min_expiry_seconds=settings.power_intent_min_expiry_seconds,
        heartbeat=settings.power_intent_heartbeat_enabled,
    )


def payload_from_snapshot(
    settings: Settings, snapshot: Snapshot, group_id: int, broadcast: BroadcastView | None = None
) -> DisplayPayload:
    """The payloads of one group in a computed snapshot (pure); `broadcast` is the Durchsage that wins
    the group at the snapshot's instant, if any."""
    events = [wire_event(broadcast, group_id)] if broadcast is not None else snapshot.event_list(group_id)
    intent: dict[str, Any] | None = None
    if settings.power_intent_publish_enabled and (broadcast is not None or group_id in snapshot.groups):
        # Every id the scheduler could draw is replaced by one derived from the decision's basis.
        first = group_intent_decision(
            group_id, broadcast, snapshot, snapshot.now, None, timing_for(settings), force=True
        )
        if first is not None:
            stable = str(uuid.uuid5(_PREVIEW_NS, first.intent.fingerprint))
            decision = group_intent_decision(
                group_id,
                broadcast,
                snapshot,
                snapshot.now,
                None,
                timing_for(settings),
                force=True,
                new_id=lambda: stable,
            )
            intent = decision.intent.payload if decision is not None else None
    return DisplayPayload(group_id, snapshot.now, events, intent)


async def display_payload_at(
    deps: ScheduleDeps, principal: Principal | None, group_id: int, at: datetime
) -> DisplayPayload:
    """What a display of `group_id` receives at `at` (any logged-in user may look)."""
    require_role(principal, Role.USER)
    instant = as_utc(at) or at
    async with deps.db.read_session() as session:
        if await session.get(ClientGroup, group_id) is None:
            raise NotFoundError("group.not_found", id=group_id)
        snapshot = await calculator_for(deps.settings).compute(session, instant, group_id=group_id)
        broadcasts = await load_between(session, instant, instant + timedelta(microseconds=1))
    return payload_from_snapshot(deps.settings, snapshot, group_id, winner(broadcasts, group_id, instant))
