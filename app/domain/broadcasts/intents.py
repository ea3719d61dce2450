"""The power intent of a group, with a running Durchsage taken into account (pure).

Shared by the scheduler tick, the broadcast delivery and the preview, so the three agree.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from app.domain.broadcasts.rules import BroadcastView, intent_inputs
from app.domain.events.active import Snapshot
from app.domain.power import intent as power


def group_intent_decision(
    group_id: int,
    win: BroadcastView | None,
    snapshot: Snapshot | None,
    now: datetime,
    previous: power.PublishedIntent | None,
    timing: power.IntentTiming,
    *,
    force: bool,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> power.IntentDecision | None:
    """ON for the winning broadcast's window, else the schedule's intent (None: the group is unknown)."""
    if win is not None:
        ids, windows = intent_inputs(win)
        return power.decide_for_group(group_id, ids, windows, now, previous, now, timing, force=force, new_id=new_id)
    schedule = snapshot.groups.get(group_id) if snapshot is not None else None
    if schedule is None or snapshot is None:
        return None
    return power.decide_for_group(
        group_id,
        schedule.active_event_ids,
        schedule.upcoming,
        snapshot.now,
        previous,
        now,
        timing,
        force=force,
        new_id=new_id,
    )
