"""Which alarm conditions hold now, and what that means for the open alarms — pure functions, no I/O.

- A display's health is the one classification (app.domain.monitoring.classify): OFFLINE raises
  DISPLAY_OFFLINE, CRITICAL raises DISPLAY_CRITICAL naming the rule's reasons (`details.reasons`: crashed
  player, failed service, black/frozen screen, ... — whatever the rule reports), and so does a WARNING whose
  reasons include one of `alarm_warning_reasons` (default: content_mismatch), naming those.
- Display alarms are silenced on a school holiday, outside the operating hours (global, or the group's own),
  while the group's power intent is off by plan, and during a maintenance window (global or the group's).
- Many displays lost together (at least `fleet_min` and `fleet_percent` % of the watched ones, their last
  heartbeats within `fleet_window`) make one FLEET_OUTAGE naming the likely cause instead of one
  DISPLAY_OFFLINE each.
- A condition is first PENDING; it is raised once it held for `raise_delay` (failed commands and conversions
  at once). An alarm clears only after its condition stayed away for `clear_after` (hysteresis), so a
  flapping display keeps one alarm instead of raising twenty.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from app.domain.alarms.models import AlarmKind, AlarmSeverity, AlarmState
from app.domain.monitoring.classify import ClientHealth

log = logging.getLogger(__name__)

ALL_DAY = (time(0, 0), None)
FLEET_KEY = "fleet"


# --- policy (from the system settings) ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OperatingHours:
    """Local wall-clock hours on ISO weekdays (1 = Monday); `end` None means midnight (24:00)."""

    start: time = time(7, 0)
    end: time | None = time(17, 0)
    days: frozenset[int] = frozenset({1, 2, 3, 4, 5})

    def covers(self, local: datetime) -> bool:
        if local.isoweekday() not in self.days:
            return False
        moment = local.time().replace(tzinfo=None)
        return self.start <= moment and (self.end is None or moment < self.end)


def parse_hours(text: str) -> tuple[time, time | None]:
    """ "07:00-17:00" (end "24:00" = midnight). Raises ValueError on anything else."""
    start_text, _, end_text = text.strip().partition("-")
    start = time.fromisoformat(start_text.strip())
    end_text = end_text.strip()
    end = None if end_text == "24:00" else time.fromisoformat(end_text)
    if end is not None and end <= start:
        raise ValueError(f"end before start: {text!r}")
    return start, end


def parse_days(text: str) -> frozenset[int]:
    """ "1-5", "1,3,5" or "1-3,6" (ISO weekdays). Raises ValueError on anything else."""
    days: set[int] = set()
    for part in text.replace(" ", "").split(","):
        first, _, last = part.partition("-")
        low, high = int(first), int(last or first)
        if not 1 <= low <= high <= 7:
            raise ValueError(f"bad weekday range: {part!r}")
        days.update(range(low, high + 1))
    return frozenset(days)


def parse_group_hours(text: str, days: frozenset[int]) -> dict[int, OperatingHours]:
    """ "12=06:00-22:00;15=00:00-24:00" -> per group id. Malformed entries are logged and skipped."""
    result: dict[int, OperatingHours] = {}
    for entry in filter(None, (e.strip() for e in text.split(";"))):
        try:
            group_text, _, hours_text = entry.partition("=")
            start, end = parse_hours(hours_text)
            result[int(group_text)] = OperatingHours(start, end, days)
        except ValueError:
            log.warning("event=alarm_group_hours_ignored entry=%r", entry[:100])
    return result


@dataclass(frozen=True, slots=True)
class AlarmPolicy:
    tz: tzinfo
    hours: OperatingHours = OperatingHours()
    group_hours: Mapping[int, OperatingHours] = field(default_factory=dict)
    raise_delay: timedelta = timedelta(minutes=10)
    clear_after: timedelta = timedelta(minutes=5)
    fleet_min: int = 20
    fleet_percent: int = 50
    fleet_window: timedelta = timedelta(minutes=10)
    # Reasons of a WARNING display that raise DISPLAY_CRITICAL too (health rule reason values).
    warning_reasons: frozenset[str] = frozenset({"content_mismatch"})


def parse_reasons(text: str) -> frozenset[str]:
    """ "content_mismatch, screen_unknown" -> the reason values; "none" -> no reason."""
    values = {part.strip().lower() for part in text.split(",") if part.strip()}
    return frozenset() if values <= {"none"} else frozenset(values - {"none"})


def _int(values: Mapping[str, str], key: str, default: int) -> int:
    try:
        return int(values.get(key) or default)
    except ValueError:
        log.warning("event=alarm_setting_ignored key=%s", key)
        return default


def policy_from_settings(values: Mapping[str, str], tz: tzinfo) -> AlarmPolicy:
    """The policy from the `alarm_*` system settings; a malformed value falls back to its default (logged)."""
    try:
        days = parse_days(values.get("alarm_operating_days") or "1-5")
    except ValueError:
        log.warning("event=alarm_setting_ignored key=alarm_operating_days")
        days = frozenset({1, 2, 3, 4, 5})
    try:
        start, end = parse_hours(values.get("alarm_operating_hours") or "07:00-17:00")
    except ValueError:
        log.warning("event=alarm_setting_ignored key=alarm_operating_hours")
        start, end = time(7, 0), time(17, 0)
    return AlarmPolicy(
        tz=tz,
        hours=OperatingHours(start, end, days),
        group_hours=parse_group_hours(values.get("alarm_group_operating_hours") or "", days),
        raise_delay=timedelta(minutes=_int(values, "alarm_raise_delay_minutes", 10)),
        clear_after=timedelta(minutes=_int(values, "alarm_clear_minutes", 5)),
        fleet_min=_int(values, "alarm_fleet_min_displays", 20),
        fleet_percent=_int(values, "alarm_fleet_min_percent", 50),
        fleet_window=timedelta(minutes=_int(values, "alarm_fleet_window_minutes", 10)),
        warning_reasons=parse_reasons(values.get("alarm_warning_reasons") or "content_mismatch"),
    )


# --- what is true now ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DisplayView:
    uuid: str
    name: str
    group_id: int | None
    health: ClientHealth
    last_alive: datetime | None
    # CRITICAL: the health rule's reasons (HealthReason values, e.g. "process_crashed", "screen_black").
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Situation:
    now: datetime
    holiday_today: bool = False
    power_off_groups: frozenset[int] = frozenset()
    maintenance_global: bool = False
    maintenance_groups: frozenset[int] = frozenset()
    # This server's own MQTT link (None: not known in this process).
    broker_connected: bool | None = None


@dataclass(frozen=True, slots=True)
class Condition:
    key: str
    kind: AlarmKind
    severity: AlarmSeverity
    client_uuid: str | None = None
    group_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    immediate: bool = False  # raised without the delay (failed commands and conversions)


def silenced_by(group_id: int | None, policy: AlarmPolicy, situation: Situation) -> str | None:
    """Why display alarms of a display in `group_id` are silenced now, or None."""
    if situation.maintenance_global or (group_id is not None and group_id in situation.maintenance_groups):
        return "maintenance"
    if situation.holiday_today:
        return "holiday"
    if group_id is not None and group_id in situation.power_off_groups:
        return "power_off"
    hours = policy.group_hours.get(group_id, policy.hours) if group_id is not None else policy.hours
    if not hours.covers(situation.now.astimezone(policy.tz)):
        return "outside_hours"
    return None


def _fleet_lost(offline: Sequence[DisplayView], watched: int, policy: AlarmPolicy) -> list[DisplayView]:
    """The displays lost together (last heartbeats within the window of the latest loss) if they are many."""
    seen = [d for d in offline if d.last_alive is not None]
    if not seen:
        return []
    latest = max(d.last_alive for d in seen if d.last_alive is not None)
    together = [d for d in seen if d.last_alive is not None and d.last_alive >= latest - policy.fleet_window]
    if len(together) >= policy.fleet_min and len(together) * 100 >= policy.fleet_percent * watched:
        return together
    return []


def fleet_cause(situation: Situation) -> str:
    if situation.broker_connected is False:
        return "broker_unreachable"
    return "network_or_power"


def alarm_reasons(display: DisplayView, policy: AlarmPolicy) -> list[str] | None:
    """The reasons a DISPLAY_CRITICAL names for this display, or None when it raises none: every reason of a
    CRITICAL display; of a WARNING one only those in `policy.warning_reasons` (e.g. content_mismatch)."""
    if display.health is ClientHealth.CRITICAL:
        return list(display.reasons)
    if display.health is ClientHealth.WARNING:
        chosen = [r for r in display.reasons if r in policy.warning_reasons]
        return chosen or None
    return None


def display_conditions(displays: Iterable[DisplayView], policy: AlarmPolicy, situation: Situation) -> list[Condition]:
    """DISPLAY_OFFLINE / DISPLAY_CRITICAL per watched display, or one FLEET_OUTAGE for a mass loss."""
    watched = [d for d in displays if silenced_by(d.group_id, policy, situation) is None]
    offline = [d for d in watched if d.health is ClientHealth.OFFLINE]
    lost = _fleet_lost(offline, len(watched), policy)
    lost_ids = {d.uuid for d in lost}
    conditions: list[Condition] = []
    if lost:
        conditions.append(
            Condition(
                FLEET_KEY,
                AlarmKind.FLEET_OUTAGE,
                AlarmSeverity.CRITICAL,
                details={"lost": len(lost), "watched": len(watched), "cause": fleet_cause(situation)},
            )
        )
    for d in watched:
        if d.health is ClientHealth.OFFLINE and d.uuid not in lost_ids:
            conditions.append(
                Condition(
                    f"offline:{d.uuid}",
                    AlarmKind.DISPLAY_OFFLINE,
                    AlarmSeverity.MAJOR,
                    d.uuid,
                    d.group_id,
                    {"name": d.name},
                )
            )
        elif (reasons := alarm_reasons(d, policy)) is not None:
            conditions.append(
                Condition(
                    f"critical:{d.uuid}",
                    AlarmKind.DISPLAY_CRITICAL,
                    AlarmSeverity.MAJOR,
                    d.uuid,
                    d.group_id,
                    {"name": d.name, "reasons": reasons},
                )
            )
    return conditions


@dataclass(frozen=True, slots=True)
class FailedCommand:
    command_id: str
    client_uuid: str
    group_id: int | None
    action: str
    status: str
    error_code: str | None


@dataclass(frozen=True, slots=True)
class FailedConversion:
    conversion_id: int
    media_id: int
    error_code: str | None


def failure_conditions(commands: Iterable[FailedCommand], conversions: Iterable[FailedConversion]) -> list[Condition]:
    result = [
        Condition(
            f"command:{c.command_id}",
            AlarmKind.COMMAND_FAILED,
            AlarmSeverity.MINOR,
            c.client_uuid,
            c.group_id,
            {"command_id": c.command_id, "action": c.action, "status": c.status, "error_code": c.error_code},
            immediate=True,
        )
        for c in commands
    ]
    result += [
        Condition(
            f"conversion:{c.conversion_id}",
            AlarmKind.CONVERSION_FAILED,
            AlarmSeverity.MINOR,
            details={"conversion_id": c.conversion_id, "media_id": c.media_id, "error_code": c.error_code},
            immediate=True,
        )
        for c in conversions
    ]
    return result


# --- what changes ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OpenAlarm:
    id: int
    key: str
    state: AlarmState
    first_seen: datetime
    clear_since: datetime | None


@dataclass(slots=True)
class Plan:
    create: list[tuple[Condition, AlarmState]] = field(default_factory=list)
    hold: list[tuple[int, Condition]] = field(default_factory=list)  # still holds: last_seen, details
    raise_: list[int] = field(default_factory=list)  # PENDING -> ACTIVE (also in `hold`)
    clearing: list[int] = field(default_factory=list)  # condition just ended: start the hysteresis
    clear: list[int] = field(default_factory=list)  # raised alarm whose condition stayed away: CLEARED
    drop: list[int] = field(default_factory=list)  # pending that never got raised: deleted


def plan_changes(
    open_alarms: Iterable[OpenAlarm], conditions: Iterable[Condition], now: datetime, policy: AlarmPolicy
) -> Plan:
    holding = {c.key: c for c in conditions}
    plan = Plan()
    for alarm in open_alarms:
        condition = holding.pop(alarm.key, None)
        if condition is not None:
            plan.hold.append((alarm.id, condition))
            due = condition.immediate or now - alarm.first_seen >= policy.raise_delay
            if alarm.state is AlarmState.PENDING and due:
                plan.raise_.append(alarm.id)
        elif alarm.clear_since is None:
            plan.clearing.append(alarm.id)
        elif now - alarm.clear_since >= policy.clear_after:
            (plan.drop if alarm.state is AlarmState.PENDING else plan.clear).append(alarm.id)
    for condition in holding.values():
        due = condition.immediate or policy.raise_delay <= timedelta(0)
        plan.create.append((condition, AlarmState.ACTIVE if due else AlarmState.PENDING))
    return plan
