"""Small setup helpers for the iCalendar tests (rows written directly; the behaviour under test goes via HTTP)."""

from __future__ import annotations

from datetime import date

from app.container import Container
from app.domain.clients.models import ClientGroup
from app.domain.enums import AcademicPeriodType
from app.domain.periods.models import AcademicPeriod, SchoolHoliday


async def add_group(container: Container, name: str) -> int:
    async with container.db.session() as session:
        group = ClientGroup(name=name)
        session.add(group)
        await session.flush()
        return group.id


async def add_period(container: Container, start: date, end: date, name: str = "SJ 26/27") -> int:
    async with container.db.session() as session:
        period = AcademicPeriod(
            name=name, start_date=start, end_date=end, period_type=AcademicPeriodType.SCHULJAHR, is_active=True
        )
        session.add(period)
        await session.flush()
        return period.id


async def add_holiday(container: Container, period_id: int, start: date, end: date, name: str) -> int:
    async with container.db.session() as session:
        holiday = SchoolHoliday(academic_period_id=period_id, name=name, start_date=start, end_date=end)
        session.add(holiday)
        await session.flush()
        return holiday.id
