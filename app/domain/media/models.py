from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.clock import utcnow
from app.domain.db import Base, UTCDateTime
from app.domain.enums import ConversionStatus, MediaType, db_enum


class EventMedia(Base):
    __tablename__ = "event_media"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    academic_period_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("academic_periods.id", ondelete="SET NULL"), index=True
    )
    media_type: Mapped[MediaType] = mapped_column(db_enum(MediaType, 16), index=True)
    file_name: Mapped[str] = mapped_column(sa.String(255))
    # Relative to MEDIA_ROOT, derived from the id, never from the uploaded name.
    file_path: Mapped[str | None] = mapped_column(sa.String(512))
    url: Mapped[str | None] = mapped_column(sa.String(2048))
    mime_type: Mapped[str | None] = mapped_column(sa.String(100))
    size: Mapped[int | None] = mapped_column(sa.BigInteger)
    sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    # "<academic_period_id or 0>:<sha256>" of an uploaded file; unique, so two concurrent uploads of the same
    # content for the same period cannot both be stored. NULL for websites (and, after migration 0006, for
    # copies an old database already held: only the oldest of each keeps the key).
    duplicate_key: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    # Unguessable part of the public stream/file URLs used by displays.
    access_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    duration: Mapped[float | None] = mapped_column(sa.Float)
    width: Mapped[int | None] = mapped_column(sa.Integer)
    height: Mapped[int | None] = mapped_column(sa.Integer)
    bitrate: Mapped[int | None] = mapped_column(sa.Integer)
    uploaded_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Conversion(Base):
    __tablename__ = "conversions"
    __table_args__ = (
        sa.UniqueConstraint("source_event_media_id", "target_format", "file_hash"),
        sa.Index("ix_conversions_source_event_media_id_target_format", "source_event_media_id", "target_format"),
        sa.Index("ix_conversions_status_target_format", "status", "target_format"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    source_event_media_id: Mapped[int] = mapped_column(sa.ForeignKey("event_media.id", ondelete="CASCADE"))
    target_format: Mapped[str] = mapped_column(sa.String(16))
    target_path: Mapped[str | None] = mapped_column(sa.String(512))
    status: Mapped[ConversionStatus] = mapped_column(db_enum(ConversionStatus, 16), default=ConversionStatus.PENDING)
    file_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    page_count: Mapped[int | None] = mapped_column(sa.Integer)
    thumbnail_path: Mapped[str | None] = mapped_column(sa.String(512))
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    # Why it failed, for the dashboard's own (German/English) text: `converter_memory`, `archive_ratio`, ...
    error_code: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
