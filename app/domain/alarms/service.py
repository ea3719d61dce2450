"""The people's side of alarms: list them, acknowledge one (with a note), set a maintenance window.

Admin+ throughout; acknowledging and maintenance windows are audited and announce ALARM_UPDATED.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.alarms.evaluate import alarm_event
from app.domain.alarms.models import RAISED_STATES, Alarm, AlarmKind, AlarmState, MaintenanceWindow
from app.domain.clients.models import ClientGroup
from app.domain.clock import as_utc, utcnow
from app.domain.enums import Role
from app.domain.errors import ConflictError, NotFoundError, ValidationError
from app.domain.ports import UseCaseDeps
from app.domain.usecase import require_role, unit_of_work
from app.domain.users.tokens import Principal

READ_ROLE = WRITE_ROLE = Role.ADMIN
MAX_NOTE = 500
DEFAULT_LIMIT, MAX_LIMIT = 100, 500
LISTED_STATES = (AlarmState.ACTIVE, AlarmState.ACKNOWLEDGED, AlarmState.CLEARED)


async def alarms_list(
    deps: UseCaseDeps,
    principal: Principal | None,
    state: AlarmState | None = None,
    group_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
    kind: AlarmKind | None = None,
) -> list[Alarm]:
    """Raised alarms (never the internal PENDING ones), newest first; open ones when no state is asked for
    come first (ACTIVE, then ACKNOWLEDGED, then CLEARED)."""
    require_role(principal, READ_ROLE)
    if (limit is not None and limit < 0) or offset < 0:
        raise ValidationError("alarm.bad_page", field="limit")
    states = [state] if state is not None and state is not AlarmState.PENDING else list(LISTED_STATES)
    stmt = select(Alarm).where(Alarm.state.in_([s.value for s in states]))
    if group_id is not None:
        stmt = stmt.where(Alarm.group_id == group_id)
    if kind is not None:
        stmt = stmt.where(Alarm.kind == kind.value)
    open_first = case({s.value: i for i, s in enumerate(LISTED_STATES)}, value=Alarm.state, else_=len(LISTED_STATES))
    page = min(limit if limit is not None else DEFAULT_LIMIT, MAX_LIMIT)
    stmt = stmt.order_by(open_first, Alarm.last_seen.desc(), Alarm.id.desc()).limit(page).offset(offset)
    async with deps.db.read_session() as session:
        return list((await session.scalars(stmt)).all())


async def open_alarm_counts(deps: UseCaseDeps, principal: Principal | None) -> dict[AlarmState, int]:
    """How many alarms are ACTIVE and ACKNOWLEDGED now (the header badge counts the ACTIVE ones)."""
    require_role(principal, READ_ROLE)
    stmt = (
        select(Alarm.state, func.count()).where(Alarm.state.in_([s.value for s in RAISED_STATES])).group_by(Alarm.state)
    )
    async with deps.db.read_session() as session:
        counts = {AlarmState(state): int(count) for state, count in (await session.execute(stmt)).all()}
    return {state: counts.get(state, 0) for state in RAISED_STATES}


async def alarm_by_id(deps: UseCaseDeps, principal: Principal | None, alarm_id: int) -> Alarm:
    require_role(principal, READ_ROLE)
    async with deps.db.read_session() as session:
        alarm = await session.get(Alarm, alarm_id)
    if alarm is None or alarm.state == AlarmState.PENDING:
        raise NotFoundError("alarm.not_found")
    return alarm


@dataclass(frozen=True, slots=True)
class AcknowledgeAlarm:
    alarm_id: int
    note: str | None = None


async def acknowledge_alarm(deps: UseCaseDeps, principal: Principal | None, command: AcknowledgeAlarm) -> Alarm:
    actor = require_role(principal, WRITE_ROLE)
    note = (command.note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise ValidationError("alarm.note_too_long", field="note", maximum=MAX_NOTE)
    async with unit_of_work(deps, principal) as uow:
        alarm = await uow.session.get(Alarm, command.alarm_id)
        if alarm is None or alarm.state == AlarmState.PENDING:
            raise NotFoundError("alarm.not_found")
        if alarm.state != AlarmState.ACTIVE:
            raise ConflictError("alarm.not_active", state=alarm.state)
        alarm.state = AlarmState.ACKNOWLEDGED.value
        alarm.acknowledged_by, alarm.acknowledged_at, alarm.acknowledged_note = actor.user_id, utcnow(), note
        await uow.audit("alarm.acknowledge", "alarm", alarm.id, {"kind": alarm.kind, "note": note})
        uow.announce(alarm_event(alarm, "acknowledged"))
    return alarm


@dataclass(frozen=True, slots=True)
class SetMaintenanceWindow:
    group_id: int | None
    until: datetime


async def set_maintenance_window(
    deps: UseCaseDeps, principal: Principal | None, command: SetMaintenanceWindow
) -> MaintenanceWindow:
    """`Wartung bis …` for a group (or every display when `group_id` is None); replaces that scope's window.
    A time in the past ends the maintenance now."""
    actor = require_role(principal, WRITE_ROLE)
    until = as_utc(command.until)
    if until is None:
        raise ValidationError("alarm.bad_until", field="until")
    async with unit_of_work(deps, principal) as uow:
        if command.group_id is not None and await uow.session.get(ClientGroup, command.group_id) is None:
            raise NotFoundError("alarm.group_not_found", field="groupId")
        scope = (
            MaintenanceWindow.group_id.is_(None)
            if command.group_id is None
            else MaintenanceWindow.group_id == command.group_id
        )
        await uow.session.execute(delete(MaintenanceWindow).where(scope))
        window = MaintenanceWindow(group_id=command.group_id, until=until, created_by=actor.user_id)
        uow.session.add(window)
        await uow.session.flush()
        await uow.audit("alarm.maintenance", "maintenance_window", window.id,
                        {"group_id": command.group_id, "until": until.isoformat()})  # fmt: skip
    return window


async def active_maintenance_windows(session: AsyncSession, now: datetime) -> list[MaintenanceWindow]:
    return list((await session.scalars(select(MaintenanceWindow).where(MaintenanceWindow.until > now))).all())


async def maintenance_windows(deps: UseCaseDeps, principal: Principal | None) -> list[MaintenanceWindow]:
    require_role(principal, READ_ROLE)
    async with deps.db.read_session() as session:
        return await active_maintenance_windows(session, utcnow())
