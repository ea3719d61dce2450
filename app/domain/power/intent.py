"""TV power intent, Phase 1 (seed-spec §4.6): what a group's screens should do, as pure functions.

The payload has exactly these fields: schema_version, intent_id, group_id, desired_state, reason,
issued_at, expires_at, poll_interval_sec, active_event_ids, event_window_start, event_window_end.

- A semantic transition (desired_state or reason changed) gets a new intent_id.
- Anything else keeps the intent_id: a heartbeat refreshes issued_at/expires_at, a changed event set or
  window is republished with the same id.
- expires_at = issued_at + max(multiplier x poll_interval, min_expiry) and is always after issued_at.
- Adjacent or overlapping occurrences are merged into one window, so screens never blink OFF between
  back-to-back events.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.domain.clock import iso_z

SCHEMA_VERSION = "1.0"
ON, OFF = "on", "off"
ACTIVE_EVENT, NO_ACTIVE_EVENT = "active_event", "no_active_event"
PAYLOAD_FIELDS = (
    "schema_version",
    "intent_id",
    "group_id",
    "desired_state",
    "reason",
    "issued_at",
    "expires_at",
    "poll_interval_sec",
    "active_event_ids",
    "event_window_start",
    "event_window_end",
)


@dataclass(frozen=True, slots=True)
class IntentBasis:
    """The semantic content of a group's intent (everything but ids and timestamps)."""

    group_id: int
    desired_state: str
    reason: str
    active_event_ids: tuple[int, ...]
    window_start: datetime | None
    window_end: datetime | None

    @property
    def fingerprint(self) -> str:
        def stamp(value: datetime | None) -> str:
            return "-" if value is None else f"{value.timestamp():.3f}"

        raw = "|".join(
            (
                str(self.group_id),
                self.desired_state,
                self.reason,
                ",".join(map(str, self.active_event_ids)),
                stamp(self.window_start),
                stamp(self.window_end),
            )
        )
        return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class PublishedIntent:
    """The last intent published for a group (persisted so intent_id survives restarts and takeovers)."""

    group_id: int
    intent_id: str
    desired_state: str
    reason: str
    fingerprint: str
    issued_at: datetime
    expires_at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class IntentDecision:
    intent: PublishedIntent
    is_transition: bool
    # True when the semantic content changed (persist it); heartbeats only refresh timestamps.
    changed: bool


def merge_window(intervals: Iterable[tuple[datetime, datetime]], now: datetime) -> tuple[datetime, datetime] | None:
    """The merged coverage interval containing `now`, chaining overlapping and touching intervals."""
    merged: list[list[datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in merged:
        if start <= now < end:
            return start, end
    return None


def compute_basis(
    group_id: int,
    active_event_ids: Iterable[int],
    intervals: Iterable[tuple[datetime, datetime]],
    now: datetime,
) -> IntentBasis:
    """ON with the merged window while any event is active, else OFF with null windows."""
    ids = tuple(sorted(set(active_event_ids)))
    window = merge_window(intervals, now) if ids else None
    if not ids or window is None:
        return IntentBasis(group_id, OFF, NO_ACTIVE_EVENT, (), None, None)
    return IntentBasis(group_id, ON, ACTIVE_EVENT, ids, window[0], window[1])


def expiry_seconds(poll_interval_sec: int, multiplier: int, min_expiry_seconds: int) -> int:
    return max(multiplier * poll_interval_sec, min_expiry_seconds, 1)


def build_payload(
    basis: IntentBasis, intent_id: str, issued_at: datetime, expires_at: datetime, poll_interval_sec: int
) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "intent_id": intent_id,
        "group_id": basis.group_id,
        "desired_state": basis.desired_state,
        "reason": basis.reason,
        "issued_at": iso_z(issued_at),
        "expires_at": iso_z(expires_at),
        "poll_interval_sec": int(poll_interval_sec),
        "active_event_ids": list(basis.active_event_ids),
        "event_window_start": iso_z(basis.window_start),
        "event_window_end": iso_z(basis.window_end),
    }


def decide(
    basis: IntentBasis,
    previous: PublishedIntent | None,
    now: datetime,
    *,
    poll_interval_sec: int,
    multiplier: int,
    min_expiry_seconds: int,
    heartbeat: bool,
    force: bool = False,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> IntentDecision | None:
    """The intent to publish now, or None when nothing needs publishing (no change and no heartbeat)."""
    transition = previous is None or previous.desired_state != basis.desired_state or previous.reason != basis.reason
    changed = transition or previous is None or previous.fingerprint != basis.fingerprint
    if not (changed or heartbeat or force):
        return None
    intent_id = new_id() if transition or previous is None else previous.intent_id
    # Milliseconds on the wire: store what is sent so a republish is byte-identical in its timestamps.
    issued_at = now.replace(microsecond=now.microsecond // 1000 * 1000)
    expires_at = issued_at + timedelta(seconds=expiry_seconds(poll_interval_sec, multiplier, min_expiry_seconds))
    payload = build_payload(basis, intent_id, issued_at, expires_at, poll_interval_sec)
    intent = PublishedIntent(
        group_id=basis.group_id,
        intent_id=intent_id,
        desired_state=basis.desired_state,
        reason=basis.reason,
        fingerprint=basis.fingerprint,
        issued_at=issued_at,
        expires_at=expires_at,
        payload=payload,
    )
    return IntentDecision(intent=intent, is_transition=transition, changed=changed)


def is_expired(intent: PublishedIntent, now: datetime) -> bool:
    """An intent whose expiry has passed must never be (re)published."""
    return intent.expires_at <= now


@dataclass(frozen=True, slots=True)
class IntentTiming:
    """The settings that shape an intent's timestamps and publishing cadence."""

    poll_interval_sec: int
    multiplier: int
    min_expiry_seconds: int
    heartbeat: bool


def decide_for_group(
    group_id: int,
    active_event_ids: Iterable[int],
    upcoming: Iterable[tuple[datetime, datetime]],
    at: datetime,
    previous: PublishedIntent | None,
    now: datetime,
    timing: IntentTiming,
    *,
    force: bool = False,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> IntentDecision | None:
    """What the scheduler publishes for one group: the basis at `at` (the snapshot's instant) decided
    against the previous intent at `now` (the publish moment). The scheduler and the preview both call this."""
    basis = compute_basis(group_id, active_event_ids, upcoming, at)
    return decide(
        basis,
        previous,
        now,
        poll_interval_sec=timing.poll_interval_sec,
        multiplier=timing.multiplier,
        min_expiry_seconds=timing.min_expiry_seconds,
        heartbeat=timing.heartbeat,
        force=force,
        new_id=new_id,
    )
