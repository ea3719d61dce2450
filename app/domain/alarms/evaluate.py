"""`evaluate_alarms`: the system's periodic write that raises, updates and clears alarm rows.

Runs every minute under the sweep leader lock (app.tasks.alarms), so one process evaluates at a time and
`dedupe_key` stays unique among open rows. Each visible change (raised, cleared) is announced as one
ALARM_UPDATED event after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.alarms.models import RAISED_STATES, Alarm, AlarmState
from app.domain.alarms.outbox import enqueue_notifications
from app.domain.alarms.rules import (
    AlarmPolicy,
    Condition,
    Plan,
    display_conditions,
    failure_conditions,
    plan_changes,
    policy_from_settings,
)
from app.domain.alarms.snapshot import (
    as_open,
    load_displays,
    load_failed_commands,
    load_failed_conversions,
    load_open_alarms,
    load_situation,
)
from app.domain.bus import ALARM_UPDATED, DomainEvent
from app.domain.clock import as_utc
from app.domain.enums import Role
from app.domain.ports import SettingsDeps
from app.domain.settings.catalog import CATALOG
from app.domain.settings.service import get_values
from app.domain.usecase import UnitOfWork, require_role, unit_of_work
from app.domain.users.tokens import Principal

ALARM_SETTING_KEYS = [key for key in CATALOG if key.startswith("alarm_")]


@dataclass(frozen=True, slots=True)
class EvaluateAlarms:
    now: datetime
    # This process's MQTT link to the broker, when it has one (names a fleet outage's likely cause).
    broker_connected: bool | None = None


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    raised: int
    cleared: int
    pending: int
    open: int


def alarm_event(alarm: Alarm, change: str) -> DomainEvent:
    return DomainEvent(
        ALARM_UPDATED,
        {"id": alarm.id, "kind": alarm.kind, "state": alarm.state, "change": change, "group_id": alarm.group_id,
         "client_uuid": alarm.client_uuid},
    )  # fmt: skip


def _new_alarm(condition: Condition, state: AlarmState, now: datetime) -> Alarm:
    return Alarm(
        dedupe_key=condition.key,
        kind=condition.kind.value,
        severity=condition.severity.value,
        state=state.value,
        client_uuid=condition.client_uuid,
        group_id=condition.group_id,
        details=condition.details,
        first_seen=now,
        last_seen=now,
        raised_at=now if state is AlarmState.ACTIVE else None,
    )


async def _apply(uow: UnitOfWork, plan: Plan, rows: dict[int, Alarm], now: datetime) -> EvaluationReport:
    for alarm_id, condition in plan.hold:
        alarm = rows[alarm_id]
        alarm.last_seen, alarm.clear_since, alarm.details = now, None, condition.details
    for alarm_id in plan.clearing:
        rows[alarm_id].clear_since = now
    changed: list[tuple[Alarm, str]] = []
    for alarm_id in plan.raise_:
        alarm = rows[alarm_id]
        alarm.state, alarm.raised_at = AlarmState.ACTIVE.value, now
        changed.append((alarm, "raised"))
    for alarm_id in plan.clear:
        alarm = rows[alarm_id]
        alarm.state, alarm.cleared_at = AlarmState.CLEARED.value, now
        changed.append((alarm, "cleared"))
    for alarm_id in plan.drop:
        await uow.session.delete(rows.pop(alarm_id))
    created = [_new_alarm(condition, state, now) for condition, state in plan.create]
    uow.session.add_all(created)
    await uow.session.flush()
    changed += [(alarm, "raised") for alarm in created if alarm.state == AlarmState.ACTIVE]
    await enqueue_notifications(uow.session, changed, now)
    for alarm, change in changed:
        uow.announce(alarm_event(alarm, change))
    states = [a.state for a in rows.values() if a.state != AlarmState.CLEARED] + [a.state for a in created]
    return EvaluationReport(
        raised=sum(1 for _, change in changed if change == "raised"),
        cleared=len(plan.clear),
        pending=states.count(AlarmState.PENDING.value),
        open=sum(1 for s in states if s in RAISED_STATES),
    )


async def evaluate_alarms(deps: SettingsDeps, principal: Principal | None, command: EvaluateAlarms) -> EvaluationReport:
    """Raise, keep and clear the alarm rows for what holds at `command.now` (system write; an admin may run it)."""
    if principal is not None:
        require_role(principal, Role.ADMIN)
    settings = deps.settings
    now = as_utc(command.now) or command.now
    async with unit_of_work(deps, principal) as uow:
        session = uow.session
        policy: AlarmPolicy = policy_from_settings(await get_values(session, ALARM_SETTING_KEYS), settings.tz)
        today = now.astimezone(settings.tz).date()
        situation = await load_situation(session, now, today, command.broker_connected)
        displays = await load_displays(
            session, now, settings.heartbeat_grace_seconds, settings.content_mismatch_grace_seconds
        )
        conditions = display_conditions(displays, policy, situation)
        conditions += failure_conditions(
            await load_failed_commands(session, now), await load_failed_conversions(session, now)
        )
        rows = await load_open_alarms(session)
        plan = plan_changes([as_open(a) for a in rows.values()], conditions, now, policy)
        return await _apply(uow, plan, rows, now)
