"""School holidays, always scoped to an academic period: manual CRUD and CSV/TXT/iCalendar import.

Writes follow app.domain.periods.holiday_policy; afterwards the holiday skips of the period's events
are regenerated in the same unit of work, and the scheduler is told which groups' event lists changed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import date, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import get_settings
from app.domain.clock import utcnow
from app.domain.enums import Role
from app.domain.errors import ConflictError, NotFoundError, ValidationError
from app.domain.events.changes import HOLIDAYS, announce_change
from app.domain.events.holiday_skips import refresh_holiday_exceptions
from app.domain.events.models import Event
from app.domain.events.ports import ScheduleDeps
from app.domain.periods.holiday_file import (
    MAX_FILE_BYTES,
    MAX_NAME_LENGTH,
    MAX_REGION_LENGTH,
    HolidayRow,
    parse_holiday_file,
)
from app.domain.periods.holiday_ics import looks_like_icalendar, parse_holiday_ics
from app.domain.periods.holiday_policy import Outcome, WritePlan, describe, identity, plan_write
from app.domain.periods.models import AcademicPeriod, SchoolHoliday
from app.domain.periods.service import active_period, get_period
from app.domain.ports import UseCaseDeps
from app.domain.usecase import UnitOfWork, require_role, unit_of_work
from app.domain.users.tokens import Principal

log = logging.getLogger(__name__)


# Holiday writes (manual, import, subscriptions) are for admins and above.
WRITE_ROLE = Role.ADMIN


@dataclass(frozen=True)
class HolidayValues:
    name: str
    start_date: date
    end_date: date
    region: str | None = None


def _clean(values: HolidayValues) -> HolidayValues:
    name = re.sub(r"\s+", " ", values.name or "").strip()
    if not name:
        raise ValidationError("holiday.name_missing", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError("holiday.name_too_long", field="name", max=MAX_NAME_LENGTH)
    region = re.sub(r"\s+", " ", values.region or "").strip() or None
    if region is not None and len(region) > MAX_REGION_LENGTH:
        raise ValidationError("holiday.region_too_long", field="region", max=MAX_REGION_LENGTH)
    if values.start_date > values.end_date:
        raise ValidationError("holiday.start_after_end", field="startDate")
    return HolidayValues(name, values.start_date, values.end_date, region)


def inside_period(period: AcademicPeriod, start: date, end: date) -> bool:
    return period.start_date <= start and end <= period.end_date


def _outside(period: AcademicPeriod) -> ValidationError:
    return ValidationError(
        "holiday.outside_period",
        field="startDate",
        name=period.name,
        start=period.start_date.isoformat(),
        end=period.end_date.isoformat(),
    )


async def writable_period(session: AsyncSession, period_id: int) -> AcademicPeriod:
    period = await get_period(session, period_id)
    if period.is_archived:
        raise ConflictError("holiday.period_archived")
    return period


async def period_holidays(session: AsyncSession, period_id: int) -> list[SchoolHoliday]:
    stmt = (
        select(SchoolHoliday)
        .where(SchoolHoliday.academic_period_id == period_id)
        .order_by(SchoolHoliday.start_date, SchoolHoliday.id)
    )
    return list((await session.scalars(stmt)).all())


# --- reading ----------------------------------------------------------------------------------------


async def list_holidays(session: AsyncSession, academic_period_id: int | None) -> list[SchoolHoliday]:
    """The holidays of a period; None = the legacy unassigned ones (used by events without a period)."""
    stmt = select(SchoolHoliday).order_by(SchoolHoliday.start_date, SchoolHoliday.id)
    if academic_period_id is None:
        stmt = stmt.where(SchoolHoliday.academic_period_id.is_(None))
    else:
        stmt = stmt.where(SchoolHoliday.academic_period_id == academic_period_id)
    return list((await session.scalars(stmt)).all())


async def holidays_of(
    deps: UseCaseDeps, principal: Principal | None, academic_period_id: int | None, *, unassigned: bool = False
) -> list[SchoolHoliday]:
    """A period's holidays (default: the active period's; none when no period is active), or the legacy ones
    without a period (`unassigned`). Login required."""
    require_role(principal, Role.USER)
    async with deps.db.read_session() as session:
        period_id = academic_period_id
        if period_id is None and not unassigned:
            active = await active_period(session)
            if active is None:
                return []
            period_id = active.id
        return await list_holidays(session, None if unassigned else period_id)


async def get_holiday(session: AsyncSession, holiday_id: int) -> SchoolHoliday:
    holiday = await session.get(SchoolHoliday, holiday_id)
    if holiday is None:
        raise NotFoundError("holiday.not_found")
    return holiday


# --- after every change -----------------------------------------------------------------------------


async def refresh_event_skips(session: AsyncSession, period_id: int | None) -> list[int]:
    """Regenerate holiday skips of the period's events; returns the groups whose event lists changed."""
    await refresh_holiday_exceptions(session, academic_period_id=period_id)
    condition = Event.academic_period_id.is_(None) if period_id is None else Event.academic_period_id == period_id
    stmt = select(Event.group_id).where(condition, Event.skip_holidays.is_(True)).distinct()
    return sorted(set((await session.scalars(stmt)).all()))


def announce_holidays_changed(uow: UnitOfWork, group_ids: list[int]) -> None:
    """EVENTS_CHANGED (kind holidays) after the commit; always announced, since every calendar shades
    holidays even when no event of a group skips them."""
    announce_change(uow, group_ids, HOLIDAYS)


# --- manual writes ----------------------------------------------------------------------------------


async def _apply_plan(
    session: AsyncSession, plan: WritePlan, values: HolidayValues, survivor: SchoolHoliday | None
) -> SchoolHoliday:
    """Write a MERGE or INSERT plan; `survivor` is the edited holiday (update) or None (create)."""
    absorbed = list(plan.absorbed)
    if survivor is None and absorbed:
        survivor = absorbed.pop(0)  # type: ignore[assignment]
    assert survivor is not None
    survivor.name = values.name
    survivor.region = values.region
    survivor.start_date = plan.start_date
    survivor.end_date = plan.end_date
    survivor.subscription_id = None  # shaped by hand or by a file now: a subscription refresh keeps it
    for other in absorbed:
        if other is not survivor:
            await session.delete(other)
    return survivor


def _refuse_conflict(plan: WritePlan) -> ConflictError:
    listing = "; ".join(describe(h) for h in plan.others[:5])
    return ConflictError("holiday.overlap", listing=listing)


@dataclass(frozen=True)
class CreateHoliday:
    period_id: int
    values: HolidayValues


async def create_holiday(deps: UseCaseDeps, principal: Principal | None, command: CreateHoliday) -> SchoolHoliday:
    """Add holidays to a period (admin+); same name+region overlaps or neighbours merge."""
    principal = require_role(principal, WRITE_ROLE)
    period_id = command.period_id
    clean = _clean(command.values)
    async with unit_of_work(deps, principal) as uow:
        session = uow.session
        period = await writable_period(session, period_id)
        if not inside_period(period, clean.start_date, clean.end_date):
            raise _outside(period)
        existing = await period_holidays(session, period_id)
        plan = plan_write(clean.name, clean.region, clean.start_date, clean.end_date, existing)
        if plan.outcome is Outcome.CONFLICT:
            raise _refuse_conflict(plan)
        if plan.outcome is Outcome.DUPLICATE:
            raise ConflictError("holiday.duplicate", other=describe(plan.others[0]))
        if plan.outcome is Outcome.MERGE:
            holiday = await _apply_plan(session, plan, clean, None)
        else:
            holiday = SchoolHoliday(
                academic_period_id=period_id, name=clean.name, region=clean.region,
                start_date=clean.start_date, end_date=clean.end_date,
            )  # fmt: skip
            session.add(holiday)
        await session.flush()
        await uow.audit(
            "holiday.create",
            "school_holiday",
            holiday.id,
            {
                "period": period_id,
                "name": clean.name,
                "outcome": str(plan.outcome),
                "start": holiday.start_date.isoformat(),
                "end": holiday.end_date.isoformat(),
            },
        )
        groups = await refresh_event_skips(session, period_id)
        announce_holidays_changed(uow, groups)
    return holiday


@dataclass(frozen=True)
class UpdateHoliday:
    holiday_id: int
    values: HolidayValues


async def update_holiday(deps: UseCaseDeps, principal: Principal | None, command: UpdateHoliday) -> SchoolHoliday:
    """Edit holidays (admin+; same rules as creating them)."""
    principal = require_role(principal, WRITE_ROLE)
    holiday_id = command.holiday_id
    clean = _clean(command.values)
    async with unit_of_work(deps, principal) as uow:
        session = uow.session
        holiday = await get_holiday(session, holiday_id)
        if holiday.academic_period_id is None:
            raise ConflictError("holiday.legacy_delete_only")
        period = await writable_period(session, holiday.academic_period_id)
        if not inside_period(period, clean.start_date, clean.end_date):
            raise _outside(period)
        existing = await period_holidays(session, period.id)
        plan = plan_write(clean.name, clean.region, clean.start_date, clean.end_date, existing, editing_id=holiday_id)
        if plan.outcome is Outcome.CONFLICT:
            raise _refuse_conflict(plan)
        await _apply_plan(session, plan, clean, holiday)
        await session.flush()
        await uow.audit(
            "holiday.update",
            "school_holiday",
            holiday_id,
            {
                "name": clean.name,
                "start": holiday.start_date.isoformat(),
                "end": holiday.end_date.isoformat(),
                "absorbed": [h.id for h in plan.absorbed],
            },
        )
        groups = await refresh_event_skips(session, period.id)
        announce_holidays_changed(uow, groups)
    return holiday


@dataclass(frozen=True)
class DeleteHoliday:
    holiday_id: int


async def delete_holiday(deps: UseCaseDeps, principal: Principal | None, command: DeleteHoliday) -> SchoolHoliday:
    """Delete holidays (admin+)."""
    principal = require_role(principal, WRITE_ROLE)
    holiday_id = command.holiday_id
    async with unit_of_work(deps, principal) as uow:
        session = uow.session
        holiday = await get_holiday(session, holiday_id)
        period_id = holiday.academic_period_id
        if period_id is not None:
            await writable_period(session, period_id)
        await session.delete(holiday)
        await session.flush()
        await uow.audit(
            "holiday.delete",
            "school_holiday",
            holiday_id,
            {"period": period_id, "name": holiday.name},
        )
        groups = await refresh_event_skips(session, period_id)
        announce_holidays_changed(uow, groups)
    return holiday


# --- import -----------------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    inserted: int = 0
    updated: int = 0
    merged: int = 0
    skipped: int = 0
    conflicts: int = 0
    conflict_lines: list[str] = field(default_factory=list)
    skipped_lines: list[str] = field(default_factory=list)
    # Entries that could not be read at all (an iCalendar VEVENT without date, title, ...); also in `skipped`.
    refused: int = 0
    refused_lines: list[str] = field(default_factory=list)
    file_format: str = "csv"

    def refuse(self, lines: list[str]) -> None:
        self.refused += len(lines)
        self.skipped += len(lines)
        self.refused_lines.extend(lines)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def row_text(row: HolidayRow) -> str:
    region = f", {row.region}" if row.region else ""
    return f"Zeile {row.line}: „{row.name}“{region} {row.start_date.isoformat()} – {row.end_date.isoformat()}"


def school_zone(tz: tzinfo | None) -> tzinfo:
    return tz if tz is not None else ZoneInfo(get_settings().school_timezone)


def read_holiday_rows(data: bytes, period: AcademicPeriod, tz: tzinfo, summary: ImportSummary) -> list[HolidayRow]:
    """The rows of a CSV/TXT list or an iCalendar file (detected by content); refused VEVENTs go to `summary`."""
    if looks_like_icalendar(data):
        parsed = parse_holiday_ics(data, (period.start_date, period.end_date), tz)
        summary.file_format = "ics"
        summary.refuse(parsed.refused)
        return parsed.rows
    return parse_holiday_file(data)  # refuses the whole file before anything is written


def _check_size(data: bytes) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError("holiday.file_too_large", field="file")


async def _import_rows(
    session: AsyncSession, period: AcademicPeriod, rows: list[HolidayRow], summary: ImportSummary, source: str | None
) -> None:
    """Write a file's rows into the period by the holiday policy (manual writes' rules, conflicts skipped)."""
    now = utcnow()
    existing = await period_holidays(session, period.id)
    for row in rows:
        if not inside_period(period, row.start_date, row.end_date):
            summary.skipped += 1
            summary.skipped_lines.append(f"{row_text(row)} liegt außerhalb der Periode.")
            continue
        plan = plan_write(row.name, row.region, row.start_date, row.end_date, existing)
        if plan.outcome is Outcome.CONFLICT:
            summary.conflicts += 1
            summary.skipped += 1
            others = "; ".join(describe(h) for h in plan.others[:3])
            summary.conflict_lines.append(f"{row_text(row)} überschneidet sich mit {others}")
            continue
        if plan.outcome is Outcome.DUPLICATE:
            same = plan.others[0]
            if (same.name, same.region) != (row.name, row.region) and identity(same.name, same.region) == identity(
                row.name, row.region
            ):
                # Same holiday spelled differently (case, spaces): take the file's spelling.
                holiday = next(h for h in existing if h.id == same.id)
                holiday.name, holiday.region = row.name, row.region
                holiday.source_file_name, holiday.imported_at = source, now
                holiday.subscription_id = None  # a file import takes it over
                summary.updated += 1
            else:
                summary.skipped += 1
                summary.skipped_lines.append(f"{row_text(row)} ist bereits erfasst.")
            continue
        if plan.outcome is Outcome.MERGE:
            values = HolidayValues(row.name, row.start_date, row.end_date, row.region)
            holiday = await _apply_plan(session, plan, values, None)
            absorbed_ids = {h.id for h in plan.absorbed if h is not holiday}
            existing = [h for h in existing if h.id not in absorbed_ids]
            summary.merged += 1
        else:
            holiday = SchoolHoliday(
                academic_period_id=period.id, name=row.name, region=row.region,
                start_date=row.start_date, end_date=row.end_date,
            )  # fmt: skip
            session.add(holiday)
            existing.append(holiday)
            summary.inserted += 1
        holiday.source_file_name, holiday.imported_at = source, now
        holiday.subscription_id = None
        await session.flush()  # gives new rows their id before the next row is planned


@dataclass(frozen=True)
class ImportHolidays:
    period_id: int
    data: bytes | HolidayUpload  # the file, or the upload it is read from (only once the role is checked)
    file_name: str | None = None


class HolidayUpload(Protocol):
    async def read(self, size: int = -1) -> bytes: ...


async def import_holidays(deps: ScheduleDeps, principal: Principal | None, command: ImportHolidays) -> ImportSummary:
    """Import a CSV/TXT list or an iCalendar file into one period (admin+); conflicting rows and rows outside
    the period are skipped, unreadable VEVENTs refused, each with its line in the summary."""
    principal = require_role(principal, WRITE_ROLE)
    period_id, file_name, tz = command.period_id, command.file_name, deps.settings.tz
    data = command.data if isinstance(command.data, bytes) else await command.data.read(MAX_FILE_BYTES + 1)
    _check_size(data)
    summary = ImportSummary()
    source = (file_name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255] or None
    async with unit_of_work(deps, principal) as uow:
        session = uow.session
        period = await writable_period(session, period_id)
        rows = read_holiday_rows(data, period, school_zone(tz), summary)
        await _import_rows(session, period, rows, summary, source)
        await uow.audit(
            "holiday.import",
            "academic_period",
            period_id,
            {
                "file": source,
                "format": summary.file_format,
                "rows": len(rows),
                "inserted": summary.inserted,
                "updated": summary.updated,
                "merged": summary.merged,
                "skipped": summary.skipped,
                "conflicts": summary.conflicts,
                "refused": summary.refused,
            },
        )
        groups = await refresh_event_skips(session, period_id)
        announce_holidays_changed(uow, groups)
    return summary
