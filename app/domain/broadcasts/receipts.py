"""Receipts: which target displays show the broadcast.

- Created at the start, one per display of the target groups: PENDING, or OFFLINE when the display had no
  heartbeat within the grace (`Settings.heartbeat_grace_seconds`).
- SHOWN when the display reports the broadcast's event id (`current_event_id` of a heartbeat or
  `expected_state.event_id` of a health message): `record_broadcast_receipts` runs inside the telemetry
  batch's transaction, so the receipt is as durable as the report. A display reporting a normal event id
  costs nothing here (no query).
- The sweep (`mark_offline`, every scheduler tick) turns PENDING into OFFLINE once a display's last heartbeat
  is older than the grace, and OFFLINE back into PENDING when it heartbeats again without showing it yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.broadcasts.models import Broadcast, BroadcastReceipt, ReceiptStatus
from app.domain.broadcasts.rules import broadcast_id_for, percentile_times
from app.domain.clients.models import Client, ClientGroup
from app.domain.db import UTCDateTime


async def create_receipts(
    session: AsyncSession, broadcast_id: int, group_ids: Iterable[int] | None, now: datetime, grace_seconds: int
) -> int:
    """One receipt per active display of the target groups (None: every group), in one INSERT … SELECT;
    returns how many."""
    cutoff = now - timedelta(seconds=grace_seconds)
    status = sa.case(
        (Client.last_alive >= sa.bindparam("cutoff", cutoff, type_=UTCDateTime), ReceiptStatus.PENDING.value),
        else_=ReceiptStatus.OFFLINE.value,
    )
    source = sa.select(
        sa.literal(broadcast_id, sa.Integer),
        Client.uuid,
        Client.group_id,
        status,
        sa.literal(None, UTCDateTime),
        sa.bindparam("now", now, type_=UTCDateTime),
    ).where(Client.is_active.is_(True))
    if group_ids is None:
        source = source.where(Client.group_id.is_not(None))
    else:
        ids = sorted(set(group_ids))
        if not ids:
            return 0
        source = source.where(Client.group_id.in_(ids))
    table = BroadcastReceipt.__table__
    columns = ["broadcast_id", "client_uuid", "group_id", "status", "shown_at", "updated_at"]
    result = await session.execute(sa.insert(table).from_select(columns, source.order_by(Client.uuid)))
    return int(result.rowcount or 0)


async def record_broadcast_receipts(
    session: AsyncSession, merged: Mapping[str, Mapping[str, Any]], now: datetime
) -> dict[int, int]:
    """Mark SHOWN the receipts of displays in this telemetry batch that report a broadcast's event id.

    Returns {broadcast_id: receipts newly SHOWN}. No query when no display reports a broadcast id."""
    by_broadcast: dict[int, list[str]] = {}
    for uuid, values in merged.items():
        broadcast_id = broadcast_id_for(values.get("current_event_id"))
        if broadcast_id is not None:
            by_broadcast.setdefault(broadcast_id, []).append(uuid)
    changed: dict[int, int] = {}
    table = BroadcastReceipt.__table__
    for broadcast_id in sorted(by_broadcast):
        uuids = sorted(by_broadcast[broadcast_id])
        result = await session.execute(
            sa.update(table)
            .where(
                table.c.broadcast_id == broadcast_id,
                table.c.client_uuid.in_(uuids),
                table.c.status != ReceiptStatus.SHOWN.value,
            )
            .values(status=ReceiptStatus.SHOWN.value, shown_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:
            changed[broadcast_id] = int(result.rowcount)
    return changed


async def mark_offline(session: AsyncSession, broadcast_ids: list[int], now: datetime, grace_seconds: int) -> set[int]:
    """PENDING → OFFLINE without a heartbeat within the grace, OFFLINE → PENDING after one; returns the
    broadcasts whose receipts changed."""
    if not broadcast_ids:
        return set()
    cutoff = now - timedelta(seconds=grace_seconds)
    r = BroadcastReceipt.__table__
    alive = sa.select(Client.uuid).where(Client.last_alive >= cutoff)
    changed: set[int] = set()
    went_offline = (
        await session.execute(
            sa.select(r.c.id, r.c.broadcast_id).where(
                r.c.broadcast_id.in_(broadcast_ids),
                r.c.status == ReceiptStatus.PENDING.value,
                r.c.client_uuid.not_in(alive),
            )
        )
    ).all()
    came_back = (
        await session.execute(
            sa.select(r.c.id, r.c.broadcast_id).where(
                r.c.broadcast_id.in_(broadcast_ids),
                r.c.status == ReceiptStatus.OFFLINE.value,
                r.c.client_uuid.in_(alive),
            )
        )
    ).all()
    for rows, status in ((went_offline, ReceiptStatus.OFFLINE), (came_back, ReceiptStatus.PENDING)):
        ids = sorted(row.id for row in rows)
        for start in range(0, len(ids), 1000):
            await session.execute(
                sa.update(r).where(r.c.id.in_(ids[start : start + 1000])).values(status=status.value, updated_at=now)
            )
        changed.update(row.broadcast_id for row in rows)
    return changed


@dataclass
class ReceiptCounts:
    target: int = 0
    shown: int = 0
    offline: int = 0
    pending: int = 0
    # Seconds from the start until 50/90/100 % of the online displays (target - offline) confirmed.
    seconds_to: dict[int, float | None] = field(default_factory=lambda: {50: None, 90: None, 100: None})

    @property
    def online(self) -> int:
        return self.target - self.offline


async def receipt_counts(session: AsyncSession, broadcasts: list[Broadcast]) -> dict[int, ReceiptCounts]:
    ids = [b.id for b in broadcasts]
    out = {i: ReceiptCounts() for i in ids}
    if not ids:
        return out
    r = BroadcastReceipt.__table__
    rows = (
        await session.execute(
            sa.select(r.c.broadcast_id, r.c.status, sa.func.count())
            .where(r.c.broadcast_id.in_(ids))
            .group_by(r.c.broadcast_id, r.c.status)
        )
    ).all()
    for broadcast_id, status, count in rows:
        counts = out[broadcast_id]
        counts.target += int(count)
        if status == ReceiptStatus.SHOWN.value:
            counts.shown += int(count)
        elif status == ReceiptStatus.OFFLINE.value:
            counts.offline += int(count)
        else:
            counts.pending += int(count)
    shown = (
        await session.execute(
            sa.select(r.c.broadcast_id, r.c.shown_at).where(
                r.c.broadcast_id.in_(ids), r.c.status == ReceiptStatus.SHOWN.value
            )
        )
    ).all()
    times: dict[int, list[datetime]] = {}
    for broadcast_id, shown_at in shown:
        if shown_at is not None:
            times.setdefault(broadcast_id, []).append(shown_at)
    for b in broadcasts:
        counts = out[b.id]
        counts.seconds_to = percentile_times(b.started_at, times.get(b.id, []), counts.online)
    return out


@dataclass(frozen=True, slots=True)
class ReceiptRow:
    client_uuid: str
    group_id: int | None
    status: ReceiptStatus
    shown_at: datetime | None
    # The display's description (or hostname) and its room group's name, for lists.
    client_name: str | None
    group_name: str | None


async def list_receipts(session: AsyncSession, broadcast_id: int) -> list[ReceiptRow]:
    r = BroadcastReceipt.__table__
    rows = (
        await session.execute(
            sa.select(
                r.c.client_uuid,
                r.c.group_id,
                r.c.status,
                r.c.shown_at,
                Client.description,
                Client.hostname,
                ClientGroup.name,
            )
            .select_from(
                r.join(Client, Client.uuid == r.c.client_uuid).outerjoin(ClientGroup, ClientGroup.id == r.c.group_id)
            )
            .where(r.c.broadcast_id == broadcast_id)
            .order_by(
                ClientGroup.name, r.c.group_id, sa.func.coalesce(Client.description, Client.hostname, r.c.client_uuid)
            )
        )
    ).all()
    return [
        ReceiptRow(uuid, group_id, ReceiptStatus(status), shown_at, description or hostname, group_name)
        for uuid, group_id, status, shown_at, description, hostname, group_name in rows
    ]
