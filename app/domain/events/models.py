from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.clock import utcnow
from app.domain.db import Base, UTCDateTime
from app.domain.enums import EventType, ExceptionKind, db_enum


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        sa.Index("ix_events_group_window", "group_id", "start", "end"),
        sa.Index("ix_events_recurrence_end", "recurrence_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("client_groups.id", ondelete="CASCADE"))
    academic_period_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("academic_periods.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.Text)
    event_type: Mapped[EventType] = mapped_column(db_enum(EventType, 20))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    # RFC 5545 RRULE (without DTSTART; the event's start is the series anchor).
    recurrence_rule: Mapped[str | None] = mapped_column(sa.Text)
    # Last instant any occurrence can be active (UNTIL/COUNT resolved); NULL = open-ended or single.
    recurrence_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    skip_holidays: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    # Set on a standalone event created by detaching one occurrence of a series.
    detached_from_event_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("events.id", ondelete="SET NULL"), index=True
    )

    # Presentation and video media.
    event_media_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event_media.id", ondelete="SET NULL"), index=True)
    slideshow_interval: Mapped[int | None] = mapped_column(sa.Integer)
    page_progress: Mapped[bool | None] = mapped_column(sa.Boolean)
    auto_progress: Mapped[bool | None] = mapped_column(sa.Boolean)
    # Website (webuntis takes supplement_table_url at creation).
    website_url: Mapped[str | None] = mapped_column(sa.String(2048))
    # Video.
    autoplay: Mapped[bool | None] = mapped_column(sa.Boolean)
    loop: Mapped[bool | None] = mapped_column(sa.Boolean)
    volume: Mapped[float | None] = mapped_column(sa.Float)
    muted: Mapped[bool | None] = mapped_column(sa.Boolean)
    # Message.
    message_text: Mapped[str | None] = mapped_column(sa.Text)

    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class EventException(Base):
    """One excluded occurrence (EXDATE) of a recurring event: holiday skip, deletion or detach."""

    __tablename__ = "event_exceptions"
    __table_args__ = (sa.UniqueConstraint("event_id", "exception_start"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    # The UTC start of the excluded occurrence.
    exception_start: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[ExceptionKind] = mapped_column(db_enum(ExceptionKind, 16))
    detached_event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"))
    holiday_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school_holidays.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
