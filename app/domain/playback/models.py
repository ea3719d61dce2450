from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.db import Base, BigIntPK, UTCDateTime


class PlaybackInterval(Base):
    """One stretch in which a display reported showing the same event (migration 0011).

    Open (`ended_at` None) while reports keep the same event; it then ends at the display's own last report
    (`clients.last_alive` / `last_health_at`), so a report that changes nothing writes nothing here. A report
    of another event closes it at that report and opens the next; a report after a silence longer than
    `PLAYBACK_GAP` closes it at its last report (the silence is a gap) and opens the next (app.domain.playback
    .intervals). `event_id` None: it reported showing nothing.
    """

    __tablename__ = "playback_intervals"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    client_uuid: Mapped[str] = mapped_column(sa.ForeignKey("clients.uuid", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(sa.Integer)
    event_id: Mapped[int | None] = mapped_column(sa.Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 1 while open, NULL once closed: the unique index then allows one open interval per display.
    open_marker: Mapped[int | None] = mapped_column(sa.SmallInteger, default=1)


# The ingest's lookup of the open intervals, and at most one open interval per display.
sa.Index("uq_playback_intervals_open", PlaybackInterval.client_uuid, PlaybackInterval.open_marker, unique=True)
# The report: a group's intervals overlapping a range; retention: closed intervals by their end.
sa.Index("ix_playback_intervals_group_start", PlaybackInterval.group_id, PlaybackInterval.started_at)
sa.Index("ix_playback_intervals_ended", PlaybackInterval.ended_at)
