"""A display moved to another room keeps its playback history where it played: its open interval is closed
at the move's discovery and a new one opens in the new group (run by the Soll/Ist plan refresh)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.clients.models import Client
from app.domain.playback.models import PlaybackInterval

_iv = PlaybackInterval.__table__
_clients = Client.__table__


async def reattribute_moved_displays(conn: AsyncConnection, now: datetime) -> int:
    """Split the open intervals whose display's group changed; returns how many (usually none: one SELECT)."""
    moved = (
        await conn.execute(
            sa.select(_iv.c.id, _iv.c.client_uuid, _iv.c.event_id, _clients.c.group_id)
            .select_from(_iv.join(_clients, _clients.c.uuid == _iv.c.client_uuid))
            .where(
                _iv.c.open_marker == 1,
                sa.func.coalesce(_iv.c.group_id, -1) != sa.func.coalesce(_clients.c.group_id, -1),
            )
        )
    ).all()
    if not moved:
        return 0
    await conn.execute(
        sa.update(_iv).where(_iv.c.id == sa.bindparam("iid")).values(ended_at=now, open_marker=sa.null()),
        [{"iid": row.id} for row in moved],
    )
    await conn.execute(
        sa.insert(_iv),
        [
            {"client_uuid": row.client_uuid, "group_id": row.group_id, "event_id": row.event_id, "started_at": now,
             "ended_at": None, "open_marker": 1}
            for row in moved
        ],
    )  # fmt: skip
    return len(moved)
