"""Alarms as state (raised, acknowledged, cleared) and the maintenance windows that silence them.

One row per condition while it lasts: `dedupe_key` names the condition (`offline:<uuid>`, `fleet`,
`command:<command_id>`, ...) and at most one row per key is open (PENDING, ACTIVE or ACKNOWLEDGED) — the
evaluation (app.domain.alarms.evaluate) runs under the sweep leader lock and keeps it so. PENDING is internal:
a condition seen but still within the raise delay; it is never listed and deleted if the condition ends first.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.clock import utcnow
from app.domain.db import Base, UTCDateTime


class AlarmKind(StrEnum):
    DISPLAY_OFFLINE = "DISPLAY_OFFLINE"
    DISPLAY_CRITICAL = "DISPLAY_CRITICAL"
    COMMAND_FAILED = "COMMAND_FAILED"
    CONVERSION_FAILED = "CONVERSION_FAILED"
    FLEET_OUTAGE = "FLEET_OUTAGE"


class AlarmSeverity(StrEnum):
    CRITICAL = "CRITICAL"
    MAJOR = "MAJOR"
    MINOR = "MINOR"


class AlarmState(StrEnum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    CLEARED = "CLEARED"


OPEN_STATES = (AlarmState.PENDING, AlarmState.ACTIVE, AlarmState.ACKNOWLEDGED)
RAISED_STATES = (AlarmState.ACTIVE, AlarmState.ACKNOWLEDGED)


class Alarm(Base):
    __tablename__ = "alarms"
    __table_args__ = (sa.Index("ix_alarms_state_last_seen", "state", "last_seen"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(sa.String(191), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    severity: Mapped[str] = mapped_column(sa.String(16))
    state: Mapped[str] = mapped_column(sa.String(16))
    client_uuid: Mapped[str | None] = mapped_column(sa.ForeignKey("clients.uuid", ondelete="SET NULL"), index=True)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("client_groups.id", ondelete="SET NULL"), index=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    raised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Hysteresis: when the condition was last seen to end (None while it holds).
    clear_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_note: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MaintenanceWindow(Base):
    """`Wartung bis …`: no display alarms for the group (or all displays when `group_id` is NULL) until `until`."""

    __tablename__ = "maintenance_windows"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("client_groups.id", ondelete="CASCADE"), index=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
