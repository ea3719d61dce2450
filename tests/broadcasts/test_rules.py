"""The pure Durchsage rules: who wins a group, the exact wire event, the 50/90/100 % times and the preview
overlay of schedule segments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain.broadcasts.models import BroadcastSeverity
from app.domain.broadcasts.rules import (
    BroadcastView,
    broadcast_id_for,
    next_change,
    percentile_times,
    winner,
    winners,
    wire_event,
)
from app.domain.power.intent import OFF, ON
from app.domain.preview.schedule import ScheduleSegment, SegmentReason, overlay_broadcasts

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def view(bid: int, severity: str, minute: int, groups: set[int] | None = None, **kw: datetime) -> BroadcastView:
    return BroadcastView(bid, f"B{bid}", "Text", BroadcastSeverity(severity),
                         None if groups is None else frozenset(groups), T0 + timedelta(minutes=minute),
                         kw.get("ends_at"), kw.get("ended_at"))  # fmt: skip


def test_the_more_severe_wins_then_the_newest_and_only_while_running() -> None:
    info_new = view(3, "INFO", 5)
    warning_old = view(1, "WARNING", 0, {1, 2})
    alarm_b = view(2, "ALARM", 1, {2}, ended_at=T0 + timedelta(minutes=20))
    all_three = [info_new, warning_old, alarm_b]
    at = T0 + timedelta(minutes=10)
    assert {g: b.id for g, b in winners(all_three, [1, 2, 3], at).items()} == {1: 1, 2: 2, 3: 3}
    later = T0 + timedelta(minutes=30)  # the ALARM was ended: group 2 falls back to the WARNING
    assert winner(all_three, 2, later).id == 1  # type: ignore[union-attr]
    assert winner(all_three, 3, T0) is None  # not started yet
    newer_warning = view(4, "WARNING", 6, {1})
    assert winner([*all_three, newer_warning], 1, at).id == 4  # type: ignore[union-attr]
    assert next_change(all_three, at) == T0 + timedelta(minutes=20)


def test_the_wire_event_has_exactly_the_message_event_fields() -> None:
    b = view(7, "ALARM", 0, ends_at=T0 + timedelta(hours=1))
    event = wire_event(b, 12)
    assert event == {
        "id": 2_000_000_007, "title": "[ALARM] B7", "start": "2026-12-02T08:00:00Z", "end": "2026-12-02T09:00:00Z",
        "group_id": 12, "event_type": "message", "recurrence_rule": None, "recurrence_end": None,
        "detached_from_event_id": None, "message": {"text": "Text"},
    }  # fmt: skip
    assert broadcast_id_for(2_000_000_007) == 7 and broadcast_id_for(148) is None and broadcast_id_for(None) is None


def test_percentile_times_count_only_online_displays() -> None:
    shown = [T0 + timedelta(seconds=s) for s in (1, 2, 3, 4, 10)]
    assert percentile_times(T0, shown, online=5) == {50: 3.0, 90: 10.0, 100: 10.0}
    assert percentile_times(T0, shown[:2], online=4) == {50: 2.0, 90: None, 100: None}
    assert percentile_times(T0, [], online=0) == {50: None, 90: None, 100: None}


def test_overlay_cuts_segments_at_the_broadcast_and_restores_after_it() -> None:
    idle = ScheduleSegment(T0, T0 + timedelta(hours=2), (), (), OFF, SegmentReason.NO_EVENT)
    b = view(5, "INFO", 30, {1}, ended_at=T0 + timedelta(minutes=45))
    out = overlay_broadcasts([idle], [b], 1)
    assert [(s.start, s.end, s.reason, s.event_ids, s.power_state) for s in out] == [
        (T0, T0 + timedelta(minutes=30), SegmentReason.NO_EVENT, (), OFF),
        (T0 + timedelta(minutes=30), T0 + timedelta(minutes=45), SegmentReason.BROADCAST, (2_000_000_005,), ON),
        (T0 + timedelta(minutes=45), T0 + timedelta(hours=2), SegmentReason.NO_EVENT, (), OFF),
    ]
    assert overlay_broadcasts([idle], [b], 2) == [idle]  # another group is not targeted
