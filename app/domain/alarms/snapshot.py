"""Reads what the alarm rules need from the database (one evaluation = one snapshot)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.domain.alarms.health_reasons import reasons_of, rule_columns
from app.domain.alarms.models import OPEN_STATES, Alarm, AlarmState, MaintenanceWindow
from app.domain.alarms.rules import DisplayView, FailedCommand, FailedConversion, OpenAlarm, Situation
from app.domain.clients.models import Client, ClientGroup
from app.domain.commands.models import ClientCommand
from app.domain.enums import CommandStatus, ConversionStatus
from app.domain.media.models import Conversion
from app.domain.monitoring.classify import ClientHealth, alive_sql, content_cutoff, health_sql
from app.domain.periods.models import SchoolHoliday
from app.domain.power.intent import OFF
from app.domain.power.models import GroupPowerIntent

# A display's ERROR logs count as "critical" for this long (the classification's log window).
CRITICAL_LOG_WINDOW = timedelta(minutes=30)
# Failed commands and conversions stay alarm conditions for this long (unless superseded or retried).
FAILURE_LOOKBACK = timedelta(hours=24)
FAILED_COMMAND_STATUSES = (CommandStatus.FAILED, CommandStatus.EXPIRED, CommandStatus.TIMED_OUT)
# Whose reasons are read: critical displays, and warning ones (some warning reasons raise alarms too).
ASKED = (ClientHealth.CRITICAL, ClientHealth.WARNING)


async def load_displays(
    session: AsyncSession, now: datetime, grace_seconds: int, content_grace_seconds: float | None = None
) -> list[DisplayView]:
    """Every active display with its classification (the one health rule, evaluated by the database) and,
    for the critical and warning ones, the rule's reasons (app.domain.alarms.health_reasons)."""
    since = now - CRITICAL_LOG_WINDOW
    cutoff = content_cutoff(now, content_grace_seconds)
    health = health_sql(alive_sql(now, grace_seconds), since, cutoff).label("health")
    names = (Client.uuid.label("uuid"), Client.description.label("description"), Client.hostname.label("hostname"),
             Client.group_id.label("group_id"), Client.last_alive.label("last_alive"))  # fmt: skip
    stmt = select(*names, health, *rule_columns()).where(Client.is_active == true())
    views = []
    for row in (await session.execute(stmt)).mappings().all():
        status = ClientHealth(row["health"])
        reasons = reasons_of(row, since, cutoff) if status in ASKED else ()
        name = row["description"] or row["hostname"] or row["uuid"]
        views.append(DisplayView(row["uuid"], name, row["group_id"], status, row["last_alive"], reasons))
    return views


async def load_situation(
    session: AsyncSession, now: datetime, today_local: object, broker_connected: bool | None
) -> Situation:
    holiday = await session.scalar(
        select(exists().where(and_(SchoolHoliday.start_date <= today_local, SchoolHoliday.end_date >= today_local)))
    )
    power_off = await session.scalars(select(GroupPowerIntent.group_id).where(GroupPowerIntent.desired_state == OFF))
    windows = (await session.execute(select(MaintenanceWindow.group_id).where(MaintenanceWindow.until > now))).all()
    return Situation(
        now=now,
        holiday_today=bool(holiday),
        power_off_groups=frozenset(power_off.all()),
        maintenance_global=any(group_id is None for (group_id,) in windows),
        maintenance_groups=frozenset(group_id for (group_id,) in windows if group_id is not None),
        broker_connected=broker_connected,
    )


async def load_failed_commands(session: AsyncSession, now: datetime) -> list[FailedCommand]:
    """Commands that ended failed / expired / timed out lately and were not followed by another of the same
    action for the same display."""
    later = aliased(ClientCommand)
    superseded = exists().where(
        later.client_uuid == ClientCommand.client_uuid,
        later.action == ClientCommand.action,
        later.issued_at > ClientCommand.issued_at,
    )
    stmt = (
        select(ClientCommand, Client.group_id)
        .join(Client, Client.uuid == ClientCommand.client_uuid)
        .where(
            ClientCommand.status.in_([s.value for s in FAILED_COMMAND_STATUSES]),
            ClientCommand.updated_at >= now - FAILURE_LOOKBACK,
            ~superseded,
        )
    )
    return [
        FailedCommand(c.command_id, c.client_uuid, group_id, c.action, c.status, c.error_code)
        for c, group_id in (await session.execute(stmt)).all()
    ]


async def load_failed_conversions(session: AsyncSession, now: datetime) -> list[FailedConversion]:
    stmt = select(Conversion.id, Conversion.source_event_media_id, Conversion.error_code).where(
        Conversion.status == ConversionStatus.FAILED, Conversion.updated_at >= now - FAILURE_LOOKBACK
    )
    return [FailedConversion(i, m, code) for i, m, code in (await session.execute(stmt)).all()]


async def load_open_alarms(session: AsyncSession) -> dict[int, Alarm]:
    rows = await session.scalars(select(Alarm).where(Alarm.state.in_([s.value for s in OPEN_STATES])))
    return {a.id: a for a in rows.all()}


def as_open(alarm: Alarm) -> OpenAlarm:
    return OpenAlarm(alarm.id, alarm.dedupe_key, AlarmState(alarm.state), alarm.first_seen, alarm.clear_since)


async def group_names(session: AsyncSession, ids: set[int | None]) -> dict[int, str]:
    """Names of the given groups (for the messages)."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = await session.execute(select(ClientGroup.id, ClientGroup.name).where(ClientGroup.id.in_(wanted)))
    return {int(group_id): str(name) for group_id, name in rows.all()}
