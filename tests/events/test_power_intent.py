"""Power intent Phase 1 canary scenarios (no broker): ids, heartbeats, expiry, merged windows, off state."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from app.domain.power.intent import (
    PAYLOAD_FIELDS,
    compute_basis,
    decide,
    expiry_seconds,
    is_expired,
    merge_window,
)

T0 = datetime(2026, 4, 1, 6, 0, 3, 496000, tzinfo=UTC)
H = timedelta(hours=1)
EIGHT = datetime(2026, 4, 1, 6, 0, tzinfo=UTC)
_ids = (f"id-{n}" for n in itertools.count(1))


def _decide(basis, previous, now, *, heartbeat=True, force=False, poll=15):  # type: ignore[no-untyped-def]
    return decide(
        basis,
        previous,
        now,
        poll_interval_sec=poll,
        multiplier=3,
        min_expiry_seconds=90,
        heartbeat=heartbeat,
        force=force,
        new_id=lambda: next(_ids),
    )


def test_active_event_gives_the_exact_contract_payload() -> None:
    basis = compute_basis(12, [148], [(EIGHT, EIGHT + H)], T0)
    decision = _decide(basis, None, T0)
    assert decision is not None and decision.is_transition
    payload = decision.intent.payload
    assert tuple(payload) == PAYLOAD_FIELDS
    assert payload == {
        "schema_version": "1.0",
        "intent_id": decision.intent.intent_id,
        "group_id": 12,
        "desired_state": "on",
        "reason": "active_event",
        "issued_at": "2026-04-01T06:00:03.496Z",
        "expires_at": "2026-04-01T06:01:33.496Z",
        "poll_interval_sec": 15,
        "active_event_ids": [148],
        "event_window_start": "2026-04-01T06:00:00Z",
        "event_window_end": "2026-04-01T07:00:00Z",
    }


def test_transition_gets_a_new_id_and_heartbeat_keeps_it() -> None:
    on = compute_basis(1, [7], [(EIGHT, EIGHT + H)], T0)
    first = _decide(on, None, T0)
    assert first is not None
    beat = _decide(on, first.intent, T0 + timedelta(seconds=15))
    assert beat is not None and not beat.is_transition and not beat.changed
    assert beat.intent.intent_id == first.intent.intent_id
    assert beat.intent.issued_at == T0 + timedelta(seconds=15)
    assert beat.intent.expires_at == beat.intent.issued_at + timedelta(seconds=90)

    off = compute_basis(1, [], [], EIGHT + H)
    after = _decide(off, beat.intent, EIGHT + H)
    assert after is not None and after.is_transition
    assert after.intent.intent_id != first.intent.intent_id
    back_on = _decide(on, after.intent, T0 + timedelta(minutes=5))
    assert back_on is not None and back_on.intent.intent_id not in (first.intent.intent_id, after.intent.intent_id)


def test_changed_event_set_is_republished_with_the_same_id() -> None:
    one = compute_basis(1, [7], [(EIGHT, EIGHT + H)], T0)
    two = compute_basis(1, [7, 8], [(EIGHT, EIGHT + H), (EIGHT, EIGHT + 2 * H)], T0)
    first = _decide(one, None, T0, heartbeat=False)
    assert first is not None
    second = _decide(two, first.intent, T0 + timedelta(seconds=1), heartbeat=False)
    assert second is not None and second.changed and not second.is_transition
    assert second.intent.intent_id == first.intent.intent_id
    assert second.intent.payload["event_window_end"] == "2026-04-01T08:00:00Z"
    # Without heartbeats an unchanged intent is not republished.
    assert _decide(two, second.intent, T0 + timedelta(seconds=2), heartbeat=False) is None
    # ... unless forced (startup, reconnect), which keeps the id too.
    forced = _decide(two, second.intent, T0 + timedelta(seconds=3), heartbeat=False, force=True)
    assert forced is not None and forced.intent.intent_id == first.intent.intent_id


def test_expiry_math() -> None:
    assert expiry_seconds(15, 3, 90) == 90  # the minimum wins for short polls
    assert expiry_seconds(30, 3, 90) == 90
    assert expiry_seconds(60, 3, 90) == 180
    decision = _decide(compute_basis(1, [], [], T0), None, T0, poll=60)
    assert decision is not None
    intent = decision.intent
    assert intent.expires_at - intent.issued_at == timedelta(seconds=180)
    assert intent.payload["expires_at"] > intent.payload["issued_at"]
    assert not is_expired(intent, T0 + timedelta(seconds=179))
    assert is_expired(intent, T0 + timedelta(seconds=180))


def test_adjacent_and_overlapping_events_merge_into_one_window() -> None:
    now = EIGHT + timedelta(minutes=30)
    # 8–9, 9–10 (adjacent) and 9:30–11 (overlapping): one window 8–11, no OFF blip at 9:00.
    intervals = [(EIGHT, EIGHT + H), (EIGHT + H, EIGHT + 2 * H), (EIGHT + 1.5 * H, EIGHT + 3 * H)]
    assert merge_window(intervals, now) == (EIGHT, EIGHT + 3 * H)
    basis = compute_basis(3, [1], intervals, now)
    assert (basis.window_start, basis.window_end) == (EIGHT, EIGHT + 3 * H)
    # A gap breaks the chain.
    gap = [(EIGHT, EIGHT + H), (EIGHT + H + timedelta(minutes=5), EIGHT + 2 * H)]
    assert merge_window(gap, now) == (EIGHT, EIGHT + H)
    # At the boundary the second event is active: still on, same merged window.
    at_nine = compute_basis(3, [2], intervals, EIGHT + H)
    assert at_nine.desired_state == "on" and at_nine.window_start == EIGHT


def test_no_active_event_is_off_with_null_windows() -> None:
    basis = compute_basis(4, [], [(EIGHT + 2 * H, EIGHT + 3 * H)], EIGHT)
    decision = _decide(basis, None, EIGHT)
    assert decision is not None
    payload = decision.intent.payload
    assert payload["desired_state"] == "off" and payload["reason"] == "no_active_event"
    assert payload["active_event_ids"] == []
    assert payload["event_window_start"] is None and payload["event_window_end"] is None
