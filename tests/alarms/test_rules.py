"""The alarm rules as pure functions, on fixed clocks (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.alarms.models import AlarmKind, AlarmState
from app.domain.alarms.rules import (
    AlarmPolicy,
    DisplayView,
    OpenAlarm,
    Situation,
    display_conditions,
    parse_days,
    parse_hours,
    plan_changes,
    policy_from_settings,
    silenced_by,
)
from app.domain.monitoring.classify import ClientHealth

VIENNA = ZoneInfo("Europe/Vienna")
WED_10 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # Wednesday 10:00 in Vienna
POLICY = AlarmPolicy(tz=VIENNA)


def display(n: int, health: ClientHealth, group: int | None = 1, lost_at: datetime | None = WED_10) -> DisplayView:
    return DisplayView(f"uuid-{n}", f"Display {n}", group, health, lost_at)


def test_settings_parse_with_fallback_for_garbage() -> None:
    assert parse_hours("07:30-16:00") == (time(7, 30), time(16, 0))
    assert parse_hours("00:00-24:00") == (time(0, 0), None)
    assert parse_days("1-3,6") == frozenset({1, 2, 3, 6})
    with pytest.raises(ValueError):
        parse_hours("17:00-07:00")
    policy = policy_from_settings(
        {"alarm_operating_hours": "nonsense", "alarm_operating_days": "1-9", "alarm_raise_delay_minutes": "x",
         "alarm_group_operating_hours": "4=06:00-22:00;bad;5=oops"},
        VIENNA,
    )  # fmt: skip
    assert (policy.hours.start, policy.hours.end, policy.hours.days) == (time(7), time(17), frozenset(range(1, 6)))
    assert policy.raise_delay == timedelta(minutes=10)
    assert set(policy.group_hours) == {4} and policy.group_hours[4].end == time(22)


def test_silence_reasons() -> None:
    assert silenced_by(1, POLICY, Situation(WED_10)) is None
    assert silenced_by(1, POLICY, Situation(WED_10, holiday_today=True)) == "holiday"
    assert silenced_by(1, POLICY, Situation(WED_10, power_off_groups=frozenset({1}))) == "power_off"
    assert silenced_by(2, POLICY, Situation(WED_10, power_off_groups=frozenset({1}))) is None
    assert silenced_by(1, POLICY, Situation(WED_10, maintenance_global=True)) == "maintenance"
    assert silenced_by(1, POLICY, Situation(WED_10, maintenance_groups=frozenset({1}))) == "maintenance"
    evening = WED_10.replace(hour=17)  # 18:00 in Vienna
    saturday = WED_10 + timedelta(days=3)
    assert silenced_by(1, POLICY, Situation(evening)) == "outside_hours"
    assert silenced_by(1, POLICY, Situation(saturday)) == "outside_hours"
    late_group = policy_from_settings({"alarm_group_operating_hours": "1=06:00-22:00"}, VIENNA)
    assert silenced_by(1, late_group, Situation(evening)) is None
    assert silenced_by(2, late_group, Situation(evening)) == "outside_hours"


def test_offline_and_critical_displays_become_conditions() -> None:
    displays = [display(1, ClientHealth.OFFLINE), display(2, ClientHealth.CRITICAL), display(3, ClientHealth.WARNING)]
    conditions = display_conditions(displays, POLICY, Situation(WED_10))
    assert [(c.key, c.kind) for c in conditions] == [
        ("offline:uuid-1", AlarmKind.DISPLAY_OFFLINE),
        ("critical:uuid-2", AlarmKind.DISPLAY_CRITICAL),
    ]
    assert display_conditions(displays, POLICY, Situation(WED_10, holiday_today=True)) == []


def test_mass_loss_is_one_fleet_outage_naming_the_broker() -> None:
    lost = [display(n, ClientHealth.OFFLINE, group=n % 5, lost_at=WED_10 - timedelta(seconds=n)) for n in range(50)]
    fine = [display(100 + n, ClientHealth.HEALTHY) for n in range(10)]
    conditions = display_conditions(lost + fine, POLICY, Situation(WED_10, broker_connected=False))
    assert [c.kind for c in conditions] == [AlarmKind.FLEET_OUTAGE]
    assert conditions[0].details == {"lost": 50, "watched": 60, "cause": "broker_unreachable"}
    assert display_conditions(lost + fine, POLICY, Situation(WED_10))[0].details["cause"] == "network_or_power"


def test_scattered_losses_are_no_fleet_outage() -> None:
    # 30 of 40 offline, but lost an hour apart each: individual alarms, not an outage.
    lost = [display(n, ClientHealth.OFFLINE, lost_at=WED_10 - timedelta(hours=n)) for n in range(30)]
    fine = [display(100 + n, ClientHealth.HEALTHY) for n in range(10)]
    kinds = {c.kind for c in display_conditions(lost + fine, POLICY, Situation(WED_10))}
    assert kinds == {AlarmKind.DISPLAY_OFFLINE}
    # Too few for an outage (below the minimum count) even when lost together.
    few = [display(n, ClientHealth.OFFLINE) for n in range(10)]
    assert {c.kind for c in display_conditions(few, POLICY, Situation(WED_10))} == {AlarmKind.DISPLAY_OFFLINE}


def _run(timeline: list[bool], policy: AlarmPolicy = POLICY) -> list[tuple[int, str]]:
    """Feeds one display's offline/online per minute through plan_changes; returns (minute, change)."""
    alarm: OpenAlarm | None = None
    changes: list[tuple[int, str]] = []
    condition = display_conditions([display(1, ClientHealth.OFFLINE)], policy, Situation(WED_10))[0]
    for minute, offline in enumerate(timeline):
        now = WED_10 + timedelta(minutes=minute)
        plan = plan_changes([alarm] if alarm else [], [condition] if offline else [], now, policy)
        for cond, state in plan.create:
            alarm = OpenAlarm(1, cond.key, state, now, None)
            if state is AlarmState.ACTIVE:
                changes.append((minute, "raised"))
        if alarm is None:
            continue
        if plan.hold:
            alarm = OpenAlarm(1, alarm.key, alarm.state, alarm.first_seen, None)
        if plan.raise_:
            alarm = OpenAlarm(1, alarm.key, AlarmState.ACTIVE, alarm.first_seen, None)
            changes.append((minute, "raised"))
        if plan.clearing:
            alarm = OpenAlarm(1, alarm.key, alarm.state, alarm.first_seen, now)
        if plan.clear:
            changes.append((minute, "cleared"))
            alarm = None
        if plan.drop:
            alarm = None
    return changes


def test_delay_and_hysteresis() -> None:
    # Offline for 15 minutes, then back for good: raised after the 10-minute delay, cleared 5 minutes after.
    assert _run([True] * 15 + [False] * 10) == [(10, "raised"), (20, "cleared")]
    # A short outage never raises.
    assert _run([True] * 9 + [False] * 20) == []


def test_a_flapping_display_raises_one_alarm() -> None:
    flapping = ([True] * 3 + [False] * 2) * 12  # an hour of three minutes off, two on
    # Last off at minute 57, back from 58: cleared five minutes later, once.
    assert _run(flapping + [False] * 10) == [(10, "raised"), (63, "cleared")]
