"""Default Austrian school years and the boot-time activation of the period covering today."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.enums import AcademicPeriodType
from app.domain.periods.models import AcademicPeriod

log = logging.getLogger(__name__)

DEFAULT_SCHOOL_YEARS: tuple[tuple[str, str, date, date], ...] = (
    ("Schuljahr 2024/25", "SJ 24/25", date(2024, 9, 2), date(2025, 7, 4)),
    ("Schuljahr 2025/26", "SJ 25/26", date(2025, 9, 1), date(2026, 7, 3)),
    ("Schuljahr 2026/27", "SJ 26/27", date(2026, 9, 7), date(2027, 7, 2)),
)


async def seed_default_periods(session: AsyncSession) -> int:
    """Create the default school years when the table is empty; returns how many were created."""
    count = await session.scalar(select(func.count()).select_from(AcademicPeriod))
    if count:
        return 0
    for name, display, start, end in DEFAULT_SCHOOL_YEARS:
        session.add(
            AcademicPeriod(
                name=name,
                display_name=display,
                start_date=start,
                end_date=end,
                period_type=AcademicPeriodType.SCHULJAHR,
                is_active=False,
            )
        )
    await session.flush()
    return len(DEFAULT_SCHOOL_YEARS)


async def activate_period_for_date(session: AsyncSession, today: date) -> AcademicPeriod | None:
    """Deactivate all periods, then activate the newest non-archived one covering `today`."""
    await session.execute(update(AcademicPeriod).where(AcademicPeriod.is_active.is_(True)).values(is_active=False))
    period = await session.scalar(
        select(AcademicPeriod)
        .where(
            AcademicPeriod.is_archived.is_(False),
            AcademicPeriod.start_date <= today,
            AcademicPeriod.end_date >= today,
        )
        .order_by(AcademicPeriod.start_date.desc())
        .limit(1)
    )
    if period is None:
        log.warning("No academic period covers today (%s). All periods remain inactive.", today.isoformat())
        return None
    period.is_active = True
    await session.flush()
    return period
