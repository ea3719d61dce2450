from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.clock import utcnow
from app.domain.db import Base, UTCDateTime
from app.domain.enums import AcademicPeriodType, db_enum


class AcademicPeriod(Base):
    __tablename__ = "academic_periods"
    __table_args__ = (sa.Index("ix_academic_periods_dates", "start_date", "end_date"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    # Unique among non-archived periods: enforced by the domain (MariaDB has no partial unique index).
    name: Mapped[str] = mapped_column(sa.String(100), index=True)
    display_name: Mapped[str | None] = mapped_column(sa.String(50))
    start_date: Mapped[date] = mapped_column(sa.Date)
    end_date: Mapped[date] = mapped_column(sa.Date)
    period_type: Mapped[AcademicPeriodType] = mapped_column(db_enum(AcademicPeriodType, 16))
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    is_archived: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SchoolHoliday(Base):
    __tablename__ = "school_holidays"
    __table_args__ = (sa.Index("ix_school_holidays_period_dates", "academic_period_id", "start_date", "end_date"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    # NULL = a legacy "unassigned" holiday, used only by events without a period.
    academic_period_id: Mapped[int | None] = mapped_column(sa.ForeignKey("academic_periods.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(150))
    region: Mapped[str | None] = mapped_column(sa.String(100))
    start_date: Mapped[date] = mapped_column(sa.Date)
    end_date: Mapped[date] = mapped_column(sa.Date)
    source_file_name: Mapped[str | None] = mapped_column(sa.String(255))
    # Set when the holiday came from a subscription: a refresh replaces exactly these rows (manual and
    # file-imported holidays have NULL and are never touched by a refresh).
    subscription_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("holiday_subscriptions.id", ondelete="CASCADE"), index=True
    )
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class HolidaySubscription(Base):
    """An iCalendar URL whose holidays are imported into one period and refreshed by the sweep leader."""

    __tablename__ = "holiday_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    academic_period_id: Mapped[int] = mapped_column(
        sa.ForeignKey("academic_periods.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(sa.String(2048))
    # HTTP validators of the last successful response, sent back as If-None-Match / If-Modified-Since.
    etag: Mapped[str | None] = mapped_column(sa.String(255))
    last_modified: Mapped[str | None] = mapped_column(sa.String(64))
    # "ok" (imported), "unchanged" (304 or the same content) or "error"; NULL before the first refresh.
    last_status: Mapped[str | None] = mapped_column(sa.String(16))
    last_http_status: Mapped[int | None] = mapped_column(sa.Integer)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last import summary (counts and lines), shown with the subscription.
    last_summary: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
