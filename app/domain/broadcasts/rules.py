"""The pure rules of a Durchsage: severity order, the winner per group, the wire event and its id.

Event id: a broadcast is delivered as an event of type `message` whose id is `EVENT_ID_BASE + broadcast.id`
(2,000,000,001, 2,000,000,002, ...). Normal events take ids from the `events` table's auto-increment, which a
school never drives anywhere near two billion, and the value still fits a signed 32-bit INT (the displays'
`current_event_id`), so a display's report names the broadcast unambiguously.

Overlap: while several broadcasts target one group, the more severe wins (ALARM > WARNING > INFO); on equal
severity the newest (later `started_at`, then higher id). Ending one restores the next in that order, or the
group's normal schedule when none is left.

Payload (the seed's message-event fields, the MQTT contract is frozen): `id`, `title`, `start`, `end`,
`group_id`, `event_type: "message"`, `recurrence_rule/recurrence_end/detached_from_event_id: null`,
`message: {"text": ...}`. The severity travels in the title as a bracketed prefix (`[ALARM] Evakuierung`),
so a display without special handling shows it as part of the text; an open-ended broadcast carries
`end = start + OPEN_END` (it is taken off the list by the all-clear, not by that time).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.domain.broadcasts.models import BroadcastSeverity
from app.domain.clock import iso_z

# Domain-bus topic (app.domain.bus) of every broadcast change: data {"id", "change": started|ended|receipts}.
BROADCAST_UPDATED = "broadcast.updated"

EVENT_ID_BASE = 2_000_000_000
OPEN_END = timedelta(days=365)
SEVERITY_RANK = {BroadcastSeverity.INFO: 0, BroadcastSeverity.WARNING: 1, BroadcastSeverity.ALARM: 2}
MAX_MESSAGE = 2000
MAX_TITLE = 120


def event_id_for(broadcast_id: int) -> int:
    return EVENT_ID_BASE + broadcast_id


def broadcast_id_for(event_id: int | None) -> int | None:
    """The broadcast an event id belongs to (None for a normal event id)."""
    if event_id is None or event_id <= EVENT_ID_BASE:
        return None
    return event_id - EVENT_ID_BASE


@dataclass(frozen=True, slots=True)
class BroadcastView:
    """A broadcast as the override needs it (plain data, detached from the session)."""

    id: int
    title: str | None
    message: str
    severity: BroadcastSeverity
    # None = every group.
    group_ids: frozenset[int] | None
    started_at: datetime
    ends_at: datetime | None
    ended_at: datetime | None

    @property
    def event_id(self) -> int:
        return event_id_for(self.id)

    @property
    def stop(self) -> datetime | None:
        """When it stops being shown (the all-clear or ends_at, whichever is first); None = open."""
        stops = [t for t in (self.ends_at, self.ended_at) if t is not None]
        return min(stops) if stops else None

    @property
    def wire_end(self) -> datetime:
        return self.ends_at if self.ends_at is not None else self.started_at + OPEN_END

    def targets(self, group_id: int) -> bool:
        return self.group_ids is None or group_id in self.group_ids

    def active_at(self, at: datetime) -> bool:
        stop = self.stop
        return self.started_at <= at and (stop is None or at < stop)

    def wire_title(self) -> str:
        return f"[{self.severity.value}] {self.title or 'Durchsage'}"


def precedence(b: BroadcastView) -> tuple[int, datetime, int]:
    """Higher wins: severity, then the newest start, then the higher id."""
    return (SEVERITY_RANK[b.severity], b.started_at, b.id)


def winner(broadcasts: Iterable[BroadcastView], group_id: int, at: datetime) -> BroadcastView | None:
    candidates = [b for b in broadcasts if b.targets(group_id) and b.active_at(at)]
    return max(candidates, key=precedence) if candidates else None


def winners(broadcasts: Iterable[BroadcastView], group_ids: Iterable[int], at: datetime) -> dict[int, BroadcastView]:
    active = [b for b in broadcasts if b.active_at(at)]
    out: dict[int, BroadcastView] = {}
    if not active:
        return out
    for group_id in group_ids:
        found = winner(active, group_id, at)
        if found is not None:
            out[group_id] = found
    return out


def wire_event(b: BroadcastView, group_id: int) -> dict[str, Any]:
    """The one event of a group's list while `b` overrides it."""
    return {
        "id": b.event_id,
        "title": b.wire_title(),
        "start": iso_z(b.started_at),
        "end": iso_z(b.wire_end),
        "group_id": group_id,
        "event_type": "message",
        "recurrence_rule": None,
        "recurrence_end": None,
        "detached_from_event_id": None,
        "message": {"text": b.message},
    }


def intent_inputs(b: BroadcastView) -> tuple[list[int], list[tuple[datetime, datetime]]]:
    """What `power.decide_for_group` gets for an overridden group: ON for the broadcast's window."""
    return [b.event_id], [(b.started_at, b.wire_end)]


def next_change(broadcasts: Iterable[BroadcastView], now: datetime) -> datetime | None:
    """The soonest future instant at which the set of active broadcasts changes (an ends_at or a start)."""
    times = [t for b in broadcasts for t in (b.started_at, b.stop) if t is not None and t > now]
    return min(times) if times else None


def percentile_times(started_at: datetime, shown: list[datetime], online: int) -> dict[int, float | None]:
    """Seconds from the start until 50/90/100 % of the online displays confirmed (None: not reached)."""
    out: dict[int, float | None] = {}
    ordered = sorted(shown)
    for pct in (50, 90, 100):
        need = -(-online * pct // 100)  # ceil
        if online <= 0 or need > len(ordered):
            out[pct] = None
        else:
            out[pct] = max(0.0, (ordered[max(need, 1) - 1] - started_at).total_seconds())
    return out
