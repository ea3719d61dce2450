from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.clock import utcnow
from app.domain.db import Base, UTCTimestamp


class ClientCommand(Base):
    """Exactly the seed migration aa12bb34cc56; action/status are plain strings, not DB enums."""

    __tablename__ = "client_commands"
    __table_args__ = (sa.Index("ix_client_commands_client_status_created", "client_uuid", "status", "created_at"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    command_id: Mapped[str] = mapped_column(sa.String(36), unique=True, index=True)
    client_uuid: Mapped[str] = mapped_column(
        sa.String(36), sa.ForeignKey("clients.uuid", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(32), index=True)
    status: Mapped[str] = mapped_column(sa.String(40), index=True)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    requested_by: Mapped[int | None] = mapped_column(
        sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    issued_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    expires_at: Mapped[datetime] = mapped_column(UTCTimestamp)
    published_at: Mapped[datetime | None] = mapped_column(UTCTimestamp)
    acked_at: Mapped[datetime | None] = mapped_column(UTCTimestamp)
    execution_started_at: Mapped[datetime | None] = mapped_column(UTCTimestamp)
    completed_at: Mapped[datetime | None] = mapped_column(UTCTimestamp)
    failed_at: Mapped[datetime | None] = mapped_column(UTCTimestamp)
    error_code: Mapped[str | None] = mapped_column(sa.String(64))
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(
        UTCTimestamp, default=utcnow, server_default=sa.func.current_timestamp()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCTimestamp, default=utcnow, onupdate=utcnow, server_default=sa.func.current_timestamp()
    )


class ClientCommandTransition(Base):
    """Every status change of a command, so the lifecycle can be shown and audited step by step."""

    __tablename__ = "client_command_transitions"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    command_id: Mapped[str] = mapped_column(
        sa.String(36), sa.ForeignKey("client_commands.command_id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(sa.String(40))
    to_status: Mapped[str] = mapped_column(sa.String(40))
    source: Mapped[str] = mapped_column(sa.String(32))
    at: Mapped[datetime] = mapped_column(UTCTimestamp, default=utcnow)
