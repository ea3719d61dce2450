from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.db import Base, UTCDateTime


class GroupPowerIntent(Base):
    """The last intent published per group, so a new scheduler keeps `intent_id` across takeovers."""

    __tablename__ = "group_power_intents"

    group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("client_groups.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    intent_id: Mapped[str] = mapped_column(sa.String(36))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    desired_state: Mapped[str] = mapped_column(sa.String(8))
    reason: Mapped[str] = mapped_column(sa.String(32))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
