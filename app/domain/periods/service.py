"""Academic periods: the lifecycle active → inactive → archived → deleted, with every rule of seed-spec §7.

- name required, trimmed, unique among non-archived periods; start ≤ end; no overlap within one type;
- archived periods cannot be edited or activated; activating one deactivates all others;
- archive is blocked while the period is active or a recurring series assigned to it still runs;
- restore brings an archived period back as inactive; delete (hard) only for archived, inactive
  periods without linked events.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.clock import utcnow
from app.domain.enums import AcademicPeriodType, Role
from app.domain.errors import BlockedError, ConflictError, NotFoundError, ValidationError
from app.domain.events.models import Event, EventException
from app.domain.events.ports import ScheduleDeps
from app.domain.media.models import EventMedia
from app.domain.periods.models import AcademicPeriod, SchoolHoliday
from app.domain.periods.spillover import has_occurrence_on_or_after
from app.domain.ports import UseCaseDeps
from app.domain.usecase import require_role, unit_of_work
from app.domain.users.tokens import Principal

MAX_NAME_LENGTH = 100
WRITE_ROLE = Role.ADMIN
MAX_DISPLAY_NAME_LENGTH = 50

BLOCKER_ACTIVE = "Die Periode ist aktiv."
BLOCKER_NOT_ARCHIVED = "Nur archivierte Perioden können gelöscht werden."


@dataclass(frozen=True)
class PeriodValues:
    name: str
    display_name: str | None
    start_date: date
    end_date: date
    period_type: AcademicPeriodType


def _clean(values: PeriodValues) -> PeriodValues:
    name = re.sub(r"\s+", " ", values.name or "").strip()
    if not name:
        raise ValidationError("period.name_missing", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError("period.name_too_long", field="name", max=MAX_NAME_LENGTH)
    display = (values.display_name or "").strip() or None
    if display is not None and len(display) > MAX_DISPLAY_NAME_LENGTH:
        raise ValidationError("period.display_name_too_long", field="displayName", max=MAX_DISPLAY_NAME_LENGTH)
    if values.start_date > values.end_date:
        raise ValidationError("period.start_after_end", field="startDate")
    return PeriodValues(name, display, values.start_date, values.end_date, AcademicPeriodType(values.period_type))


def _label(period: AcademicPeriod) -> str:
    return f'"{period.name}" ({period.start_date.isoformat()} – {period.end_date.isoformat()})'


async def _check_name_and_overlap(session: AsyncSession, values: PeriodValues, *, except_id: int | None) -> None:
    """Against the non-archived periods (archived ones are re-checked when restored)."""
    others = select(AcademicPeriod).where(AcademicPeriod.is_archived.is_(False))
    if except_id is not None:
        others = others.where(AcademicPeriod.id != except_id)
    same_name = await session.scalar(others.where(func.lower(AcademicPeriod.name) == values.name.lower()).limit(1))
    if same_name is not None:
        raise ConflictError("period.name_taken", name=values.name)
    overlapping = await session.scalar(
        others.where(
            AcademicPeriod.period_type == values.period_type,
            AcademicPeriod.start_date <= values.end_date,
            AcademicPeriod.end_date >= values.start_date,
        )
        .order_by(AcademicPeriod.start_date)
        .limit(1)
    )
    if overlapping is not None:
        raise ConflictError("period.overlap", other=_label(overlapping))


# --- reading ----------------------------------------------------------------------------------------


async def list_periods(
    session: AsyncSession, *, include_archived: bool = False, archived_only: bool = False
) -> list[AcademicPeriod]:
    stmt = select(AcademicPeriod).order_by(AcademicPeriod.start_date, AcademicPeriod.id)
    if archived_only:
        stmt = stmt.where(AcademicPeriod.is_archived.is_(True))
    elif not include_archived:
        stmt = stmt.where(AcademicPeriod.is_archived.is_(False))
    return list((await session.scalars(stmt)).all())


async def find_period(session: AsyncSession, period_id: int) -> AcademicPeriod | None:
    return await session.get(AcademicPeriod, period_id)


async def get_period(session: AsyncSession, period_id: int) -> AcademicPeriod:
    period = await find_period(session, period_id)
    if period is None:
        raise NotFoundError("period.not_found")
    return period


async def active_period(session: AsyncSession) -> AcademicPeriod | None:
    stmt = select(AcademicPeriod).where(AcademicPeriod.is_active.is_(True)).order_by(AcademicPeriod.id).limit(1)
    return await session.scalar(stmt)


async def period_for_date(session: AsyncSession, day: date) -> AcademicPeriod | None:
    """The non-archived period covering `day`: the active one if it does, else the latest-starting."""
    stmt = (
        select(AcademicPeriod)
        .where(
            AcademicPeriod.is_archived.is_(False),
            AcademicPeriod.start_date <= day,
            AcademicPeriod.end_date >= day,
        )
        .order_by(AcademicPeriod.is_active.desc(), AcademicPeriod.start_date.desc(), AcademicPeriod.id)
        .limit(1)
    )
    return await session.scalar(stmt)


@dataclass(frozen=True)
class PeriodUsage:
    period_id: int
    linked_events: int
    linked_media: int
    linked_holidays: int
    # Recurring series of this period with occurrences today or later.
    active_recurrences: int
    is_active: bool
    is_archived: bool
    archive_blockers: list[str]
    delete_blockers: list[str]

    @property
    def blockers(self) -> list[str]:
        """Every reason the period cannot leave its current state (archive, then delete), once each."""
        return list(dict.fromkeys(self.archive_blockers + self.delete_blockers))


async def count_active_recurrences(
    session: AsyncSession, period_id: int, *, tz: tzinfo, now: datetime | None = None
) -> int:
    now = now or utcnow()
    today = now.astimezone(tz).date()
    series = list(
        (
            await session.scalars(
                select(Event).where(
                    Event.academic_period_id == period_id,
                    Event.recurrence_rule.is_not(None),
                    Event.is_active.is_(True),
                )
            )
        ).all()
    )
    if not series:
        return 0
    excluded: dict[int, list[datetime]] = defaultdict(list)
    rows = await session.execute(
        select(EventException.event_id, EventException.exception_start).where(
            EventException.event_id.in_([e.id for e in series])
        )
    )
    for event_id, start in rows.all():
        excluded[event_id].append(start)
    return sum(
        1
        for e in series
        if e.recurrence_rule
        and has_occurrence_on_or_after(e.recurrence_rule, e.start, e.end, tz, today, now, excluded[e.id])
    )


async def period_usage(
    session: AsyncSession, period_id: int, *, tz: tzinfo, now: datetime | None = None
) -> PeriodUsage:
    period = await get_period(session, period_id)
    events = await session.scalar(select(func.count()).where(Event.academic_period_id == period_id)) or 0
    media = await session.scalar(select(func.count()).where(EventMedia.academic_period_id == period_id)) or 0
    holidays = await session.scalar(select(func.count()).where(SchoolHoliday.academic_period_id == period_id)) or 0
    recurrences = await count_active_recurrences(session, period_id, tz=tz, now=now)
    recurrence_blocker = (
        [f"{recurrences} Serientermin(e) mit laufenden oder zukünftigen Terminen (Wiederholungsüberhang)."]
        if recurrences
        else []
    )
    archive_blockers = ([BLOCKER_ACTIVE] if period.is_active else []) + recurrence_blocker
    delete_blockers = (
        ([] if period.is_archived else [BLOCKER_NOT_ARCHIVED])
        + ([BLOCKER_ACTIVE] if period.is_active else [])
        + ([f"{events} verknüpfte(r) Termin(e)."] if events else [])
        + recurrence_blocker
    )
    return PeriodUsage(
        period_id=period_id,
        linked_events=int(events),
        linked_media=int(media),
        linked_holidays=int(holidays),
        active_recurrences=recurrences,
        is_active=period.is_active,
        is_archived=period.is_archived,
        archive_blockers=archive_blockers,
        delete_blockers=delete_blockers,
    )


# --- queries (adapters call these; reading needs a login) ----------------------------------------------


async def periods(
    deps: UseCaseDeps, principal: Principal | None, *, include_archived: bool = False, archived_only: bool = False
) -> list[AcademicPeriod]:
    require_role(principal, Role.USER)
    async with deps.db.read_session() as session:
        return await list_periods(session, include_archived=include_archived, archived_only=archived_only)


async def period_by_id(deps: UseCaseDeps, principal: Principal | None, period_id: int) -> AcademicPeriod | None:
    require_role(principal, Role.USER)
    async with deps.db.read_session() as session:
        return await find_period(session, period_id)


async def the_active_period(deps: UseCaseDeps, principal: Principal | None) -> AcademicPeriod | None:
    require_role(principal, Role.USER)
    async with deps.db.read_session() as session:
        return await active_period(session)


async def period_covering(deps: UseCaseDeps, principal: Principal | None, day: date) -> AcademicPeriod | None:
    require_role(principal, Role.USER)
    async with deps.db.read_session() as session:
        return await period_for_date(session, day)


async def usage_of_period(deps: ScheduleDeps, principal: Principal | None, period_id: int) -> PeriodUsage:
    require_role(principal, Role.USER)
    async with deps.db.read_session() as session:
        return await period_usage(session, period_id, tz=deps.settings.tz)


# --- lifecycle --------------------------------------------------------------------------------------


def _refuse_archived(period: AcademicPeriod, key: str) -> None:
    if period.is_archived:
        raise ConflictError(key)


@dataclass(frozen=True)
class CreatePeriod:
    values: PeriodValues


async def create_period(deps: UseCaseDeps, principal: Principal | None, command: CreatePeriod) -> AcademicPeriod:
    """A new, inactive period (admin+)."""
    principal = require_role(principal, WRITE_ROLE)
    clean = _clean(command.values)
    async with unit_of_work(deps, principal) as uow:
        session = uow.session
        await _check_name_and_overlap(session, clean, except_id=None)
        period = AcademicPeriod(
            name=clean.name,
            display_name=clean.display_name,
            start_date=clean.start_date,
            end_date=clean.end_date,
            period_type=clean.period_type,
            is_active=False,
        )
        session.add(period)
        await session.flush()
        await uow.audit("period.create", "academic_period", period.id, _details(period))
    return period


@dataclass(frozen=True)
class UpdatePeriod:
    period_id: int
    values: PeriodValues


async def update_period(deps: UseCaseDeps, principal: Principal | None, command: UpdatePeriod) -> AcademicPeriod:
    """Edit a period (admin+); archived periods cannot be edited, holidays must stay inside it."""
    principal = require_role(principal, WRITE_ROLE)
    period_id = command.period_id
    clean = _clean(command.values)
    async with unit_of_work(deps, principal) as uow:
        session = uow.session
        period = await get_period(session, period_id)
        _refuse_archived(period, "period.archived_not_editable")
        await _check_name_and_overlap(session, clean, except_id=period_id)
        # Holidays must stay inside their period: shrinking past one is refused, naming the holidays.
        outside = list(
            (
                await session.scalars(
                    select(SchoolHoliday)
                    .where(
                        SchoolHoliday.academic_period_id == period_id,
                        (SchoolHoliday.start_date < clean.start_date) | (SchoolHoliday.end_date > clean.end_date),
                    )
                    .order_by(SchoolHoliday.start_date)
                )
            ).all()
        )
        if outside:
            raise BlockedError(
                "period.holidays_outside",
                [f"Ferien „{h.name}“ ({h.start_date.isoformat()} – {h.end_date.isoformat()})" for h in outside],
            )
        before = _details(period)
        period.name = clean.name
        period.display_name = clean.display_name
        period.start_date = clean.start_date
        period.end_date = clean.end_date
        period.period_type = clean.period_type
        await session.flush()
        await uow.audit(
            "period.update",
            "academic_period",
            period_id,
            {"before": before, "after": _details(period)},
        )
    return period


@dataclass(frozen=True)
class ActivatePeriod:
    period_id: int


async def activate_period(deps: UseCaseDeps, principal: Principal | None, command: ActivatePeriod) -> AcademicPeriod:
    """Make this the one active period (admin+)."""
    principal = require_role(principal, WRITE_ROLE)
    period_id = command.period_id
    async with unit_of_work(deps, principal) as uow:
        session = uow.session
        period = await get_period(session, period_id)
        _refuse_archived(period, "period.archived_not_activatable")
        await session.execute(
            update(AcademicPeriod)
            .where(AcademicPeriod.is_active.is_(True), AcademicPeriod.id != period_id)
            .values(is_active=False, updated_at=utcnow())
        )
        period.is_active = True
        await session.flush()
        await uow.audit("period.activate", "academic_period", period_id, None)
    return period


@dataclass(frozen=True)
class ArchivePeriod:
    period_id: int


async def archive_period(deps: ScheduleDeps, principal: Principal | None, command: ArchivePeriod) -> AcademicPeriod:
    """Soft-delete (admin+); blocked while active or while a recurring series still runs."""
    principal = require_role(principal, WRITE_ROLE)
    period_id = command.period_id
    tz = deps.settings.tz
    async with unit_of_work(deps, principal) as uow:
        session = uow.session
        period = await get_period(session, period_id)
        if period.is_archived:
            return period
        usage = await period_usage(session, period_id, tz=tz)
        if usage.archive_blockers:
            raise BlockedError("period.archive_blocked", usage.archive_blockers)
        period.is_archived = True
        period.archived_at = utcnow()
        period.archived_by = principal.user_id
        await session.flush()
        await uow.audit("period.archive", "academic_period", period_id, None)
    return period


@dataclass(frozen=True)
class RestorePeriod:
    period_id: int


async def restore_period(deps: UseCaseDeps, principal: Principal | None, command: RestorePeriod) -> AcademicPeriod:
    """Bring an archived period back, inactive (admin+)."""
    principal = require_role(principal, WRITE_ROLE)
    period_id = command.period_id
    async with unit_of_work(deps, principal) as uow:
        session = uow.session
        period = await get_period(session, period_id)
        if not period.is_archived:
            raise ConflictError("period.not_archived")
        values = PeriodValues(period.name, period.display_name, period.start_date, period.end_date, period.period_type)
        await _check_name_and_overlap(session, values, except_id=period_id)
        period.is_archived = False
        period.is_active = False
        period.archived_at = None
        period.archived_by = None
        await session.flush()
        await uow.audit("period.restore", "academic_period", period_id, None)
    return period


@dataclass(frozen=True)
class DeletePeriod:
    period_id: int


async def delete_period(deps: ScheduleDeps, principal: Principal | None, command: DeletePeriod) -> AcademicPeriod:
    """Delete an archived, inactive period without linked events, for good (admin+)."""
    principal = require_role(principal, WRITE_ROLE)
    period_id = command.period_id
    tz = deps.settings.tz
    async with unit_of_work(deps, principal) as uow:
        session = uow.session
        period = await get_period(session, period_id)
        usage = await period_usage(session, period_id, tz=tz)
        if usage.delete_blockers:
            raise BlockedError("period.delete_blocked", usage.delete_blockers)
        details = _details(period)
        await session.delete(period)
        await session.flush()
        await uow.audit("period.delete", "academic_period", period_id, details)
    return period


def _details(period: AcademicPeriod) -> dict[str, object]:
    return {
        "name": period.name,
        "display_name": period.display_name,
        "start_date": period.start_date.isoformat(),
        "end_date": period.end_date.isoformat(),
        "period_type": str(period.period_type),
    }
