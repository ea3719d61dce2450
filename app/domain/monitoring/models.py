from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.clock import utcnow
from app.domain.db import Base, BigIntPK, UTCDateTime
from app.domain.enums import LogLevel, db_enum


class ClientLog(Base):
    __tablename__ = "client_logs"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    client_uuid: Mapped[str] = mapped_column(sa.ForeignKey("clients.uuid", ondelete="CASCADE"))
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    level: Mapped[LogLevel] = mapped_column(db_enum(LogLevel, 10))
    message: Mapped[str] = mapped_column(sa.Text)
    context: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Identity of a log from the wire (migration 0004): redeliveries are stored once (log_ingest).
    content_hash: Mapped[str | None] = mapped_column(sa.String(32))


# The seeds' three indexes, newest-first as the monitoring queries read them. The level index (recent errors,
# the overview's ERROR/WARN totals) also carries client_uuid since migration 0002, so per-display questions
# by level are answered from the index alone.
sa.Index("ix_client_logs_client_timestamp", ClientLog.client_uuid, ClientLog.timestamp.desc())
sa.Index("ix_client_logs_level_timestamp_client", ClientLog.level, ClientLog.timestamp.desc(), ClientLog.client_uuid)
sa.Index("ix_client_logs_created_at", ClientLog.created_at.desc())
# Per display and level (migration 0003): a page's level counts, its newest ERROR, and recomputing the
# problem marks (app.domain.monitoring.problem_marks) read this index alone.
sa.Index("ix_client_logs_client_level_timestamp", ClientLog.client_uuid, ClientLog.level, ClientLog.timestamp)
# Idempotent ingest (migration 0004): a display's log with the same content is stored once. Leading with the
# hash serves the ingest's lookup by hash; NULL hashes (logs not from the wire) never collide.
sa.Index("uq_client_logs_content_client", ClientLog.content_hash, ClientLog.client_uuid, unique=True)


class GroupContentPlan(Base):
    """What a group's displays should show now (migration 0011): the event ids of the published event list
    and whether the group's power intent is off, as the last content-plan refresh computed them
    (app.domain.monitoring.content_match)."""

    __tablename__ = "group_content_plans"

    group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("client_groups.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    planned_off: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupContentPlanEvent(Base):
    """One event id of a group's plan (the ids of its published event list)."""

    __tablename__ = "group_content_plan_events"

    group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("group_content_plans.group_id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    event_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
