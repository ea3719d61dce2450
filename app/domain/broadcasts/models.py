"""A Durchsage and its per-display receipts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.clock import utcnow
from app.domain.db import Base, UTCDateTime


class BroadcastSeverity(StrEnum):
    INFO = "INFO"
    WARNING = "WARNING"
    ALARM = "ALARM"


class ReceiptStatus(StrEnum):
    PENDING = "PENDING"
    SHOWN = "SHOWN"
    OFFLINE = "OFFLINE"


class BroadcastEndReason(StrEnum):
    ALL_CLEAR = "ALL_CLEAR"
    EXPIRED = "EXPIRED"


class Broadcast(Base):
    __tablename__ = "broadcasts"
    __table_args__ = (sa.Index("ix_broadcasts_ended_at", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    title: Mapped[str | None] = mapped_column(sa.String(120))
    message: Mapped[str] = mapped_column(sa.Text)
    severity: Mapped[str] = mapped_column(sa.String(16))
    # NULL: every group (also groups created while it runs); else the list of target group ids.
    group_ids: Mapped[list[int] | None] = mapped_column(sa.JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(sa.String(16))
    started_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The starter's name as it was (kept when the user is deleted).
    started_by_name: Mapped[str | None] = mapped_column(sa.String(100))
    ended_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BroadcastReceipt(Base):
    """One target display of a broadcast: PENDING until it reports the broadcast's event id (SHOWN), or
    OFFLINE when it had no heartbeat within the grace (a later report still makes it SHOWN)."""

    __tablename__ = "broadcast_receipts"
    __table_args__ = (
        sa.UniqueConstraint("broadcast_id", "client_uuid"),
        sa.Index("ix_broadcast_receipts_client_status", "client_uuid", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    broadcast_id: Mapped[int] = mapped_column(sa.ForeignKey("broadcasts.id", ondelete="CASCADE"))
    client_uuid: Mapped[str] = mapped_column(sa.ForeignKey("clients.uuid", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(16))
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
