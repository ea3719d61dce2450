from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.clock import utcnow
from app.domain.db import Base, UTCDateTime, UTCTimestamp
from app.domain.enums import BrokerAccess, ProcessStatus, ScreenHealthStatus, db_enum


class ClientGroup(Base):
    """A room group ("Raumgruppe"); clients without one are shown as "Nicht zugeordnet"."""

    __tablename__ = "client_groups"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    description: Mapped[str | None] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    display_order: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    clients: Mapped[list[Client]] = relationship(back_populates="group", lazy="raise")


class Client(Base):
    __tablename__ = "clients"
    __table_args__ = (sa.Index("ix_clients_last_alive", "last_alive"),)

    uuid: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    description: Mapped[str | None] = mapped_column(sa.String(255))
    hostname: Mapped[str | None] = mapped_column(sa.String(255))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    mac_address: Mapped[str | None] = mapped_column(sa.String(64))
    model: Mapped[str | None] = mapped_column(sa.String(255))
    os_version: Mapped[str | None] = mapped_column(sa.String(255))
    software_version: Mapped[str | None] = mapped_column(sa.String(100))
    # Whatever else the discovery payload carried (bounded by the ingest validator).
    hardware_info: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("client_groups.id", ondelete="SET NULL"), index=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_discovery_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_alive: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())

    # Monitoring (migration c1d2e3f4g5h6).
    current_event_id: Mapped[int | None] = mapped_column(sa.Integer)
    current_process: Mapped[str | None] = mapped_column(sa.String(100))
    process_status: Mapped[ProcessStatus | None] = mapped_column(db_enum(ProcessStatus, 20))
    process_pid: Mapped[int | None] = mapped_column(sa.Integer)
    last_screenshot_analyzed: Mapped[datetime | None] = mapped_column(UTCDateTime)
    screen_health_status: Mapped[ScreenHealthStatus | None] = mapped_column(
        db_enum(ScreenHealthStatus, 20), server_default="UNKNOWN"
    )
    last_screenshot_hash: Mapped[str | None] = mapped_column(sa.String(32))
    last_health_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # service_failed and broker connection (migration b1c2d3e4f5a6).
    service_failed_at: Mapped[datetime | None] = mapped_column(UTCTimestamp)
    service_failed_unit: Mapped[str | None] = mapped_column(sa.String(128))
    mqtt_reconnect_count: Mapped[int | None] = mapped_column(sa.Integer)
    mqtt_last_disconnect_at: Mapped[datetime | None] = mapped_column(UTCTimestamp)

    # Timestamp of the newest ERROR / WARN log this display sent (migration 0003), kept by log ingest and the
    # retention sweep: "did it log an ERROR in the last N hours" is then a column test, not a log scan.
    last_error_log_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_warn_log_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Soll/Ist (migration 0011, app.domain.monitoring.content_match): since when the display reports an event
    # other than its group's plan (None while it matches), and whether its group's power is off by plan.
    content_mismatch_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    planned_off: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    # Wiedergabeprotokoll (app.domain.playback.intervals): start of the display's open playback interval (None: none).
    playback_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Per-display broker identity (dynamic-security); the password itself is never stored.
    broker_access: Mapped[BrokerAccess] = mapped_column(
        db_enum(BrokerAccess, 16), default=BrokerAccess.PENDING, server_default=BrokerAccess.PENDING.value
    )
    broker_username: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    broker_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    broker_approved_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    group: Mapped[ClientGroup | None] = relationship(back_populates="clients", lazy="raise")
