"""Seeding groups, media, periods and holidays straight into the database (owned by other areas' APIs)."""

from __future__ import annotations

import secrets
from datetime import date

from app.container import Container
from app.domain.clients.models import ClientGroup
from app.domain.enums import AcademicPeriodType, ConversionStatus, MediaType
from app.domain.media.models import Conversion, EventMedia
from app.domain.periods.models import AcademicPeriod, SchoolHoliday
from app.domain.settings.models import SystemSetting


async def add_group(container: Container, name: str) -> int:
    async with container.db.session() as session:
        group = ClientGroup(name=name)
        session.add(group)
        await session.flush()
        return group.id


async def add_media(
    container: Container,
    media_type: MediaType,
    file_name: str,
    *,
    size: int = 1234,
    converted: bool = False,
    **fields: object,
) -> int:
    """An uploaded file; `converted=True` adds a READY PDF conversion (for office documents)."""
    async with container.db.session() as session:
        media = EventMedia(
            media_type=media_type,
            file_name=file_name,
            file_path=f"uploads/{secrets.token_hex(4)}",
            size=size,
            sha256="ab" * 32,
            access_token=secrets.token_urlsafe(16),
            **fields,
        )
        session.add(media)
        await session.flush()
        if converted:
            session.add(
                Conversion(
                    source_event_media_id=media.id,
                    target_format="pdf",
                    target_path=f"{media.id}-{media.access_token}/{'cd' * 32}.pdf",
                    status=ConversionStatus.READY,
                    file_hash="ab" * 32,
                    page_count=3,
                )
            )
        return media.id


async def add_period(container: Container, start: date, end: date, name: str = "SJ") -> int:
    async with container.db.session() as session:
        period = AcademicPeriod(name=name, start_date=start, end_date=end, period_type=AcademicPeriodType.SCHULJAHR)
        session.add(period)
        await session.flush()
        return period.id


async def add_holiday(container: Container, period_id: int | None, start: date, end: date, name: str = "Ferien") -> int:
    async with container.db.session() as session:
        holiday = SchoolHoliday(academic_period_id=period_id, name=name, start_date=start, end_date=end)
        session.add(holiday)
        await session.flush()
        return holiday.id


async def set_setting(container: Container, key: str, value: str) -> None:
    async with container.db.session() as session:
        row = await session.get(SystemSetting, key)
        if row is None:
            session.add(SystemSetting(key=key, value=value))
        else:
            row.value = value
