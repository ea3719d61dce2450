"""Reads of broadcasts for GraphQL and the dashboard (any logged-in user may look: the banner is shown to
everyone; starting and ending need admin+)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.domain.broadcasts.models import Broadcast
from app.domain.broadcasts.receipts import ReceiptCounts, ReceiptRow, list_receipts, receipt_counts
from app.domain.clock import utcnow
from app.domain.enums import Role
from app.domain.errors import NotFoundError
from app.domain.ports import UseCaseDeps
from app.domain.usecase import require_role
from app.domain.users.tokens import Principal

READ_ROLE = Role.USER
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class BroadcastStatus:
    broadcast: Broadcast
    counts: ReceiptCounts

    @property
    def active(self) -> bool:
        b = self.broadcast
        return b.ended_at is None and (b.ends_at is None or b.ends_at > utcnow())


def _running_clause() -> sa.ColumnElement[bool]:
    return sa.and_(Broadcast.ended_at.is_(None), sa.or_(Broadcast.ends_at.is_(None), Broadcast.ends_at > utcnow()))


async def list_broadcasts(
    deps: UseCaseDeps, principal: Principal | None, *, active_only: bool = False, limit: int = HISTORY_LIMIT
) -> list[BroadcastStatus]:
    """Newest first; `active_only` keeps the running ones."""
    require_role(principal, READ_ROLE)
    async with deps.db.read_session() as session:
        query = sa.select(Broadcast).order_by(Broadcast.started_at.desc(), Broadcast.id.desc()).limit(limit)
        if active_only:
            query = query.where(_running_clause())
        rows = list((await session.scalars(query)).all())
        counts = await receipt_counts(session, rows)
    return [BroadcastStatus(b, counts[b.id]) for b in rows]


async def broadcast_by_id(deps: UseCaseDeps, principal: Principal | None, broadcast_id: int) -> BroadcastStatus:
    require_role(principal, READ_ROLE)
    async with deps.db.read_session() as session:
        row = await session.get(Broadcast, broadcast_id)
        if row is None:
            raise NotFoundError("broadcast.not_found", id=broadcast_id)
        counts = await receipt_counts(session, [row])
    return BroadcastStatus(row, counts[row.id])


async def broadcast_receipts(deps: UseCaseDeps, principal: Principal | None, broadcast_id: int) -> list[ReceiptRow]:
    """Every receipt, by group then display."""
    require_role(principal, READ_ROLE)
    async with deps.db.read_session() as session:
        return await list_receipts(session, broadcast_id)
