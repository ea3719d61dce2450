"""Where published power intents are remembered, so a restarted or new scheduler keeps their `intent_id`.

The scheduler (an MQTT adapter) decides nothing here: it hands over what the broker confirmed and asks for
what was remembered. `record_published_intents` is a system write (`principal` None) of the usual shape.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ports import UseCaseDeps
from app.domain.power.intent import PublishedIntent
from app.domain.power.models import GroupPowerIntent
from app.domain.usecase import unit_of_work
from app.domain.users.tokens import Principal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordPublishedIntents:
    intents: Sequence[PublishedIntent]


async def load_published_intents(session: AsyncSession) -> dict[int, PublishedIntent]:
    """The last intent published per group, as remembered."""
    rows = (await session.scalars(select(GroupPowerIntent))).all()
    return {
        row.group_id: PublishedIntent(
            group_id=row.group_id,
            intent_id=row.intent_id,
            desired_state=row.desired_state,
            reason=row.reason,
            fingerprint=row.fingerprint,
            issued_at=row.issued_at,
            expires_at=row.expires_at,
            payload=dict(row.payload or {}),
        )
        for row in rows
    }


async def record_published_intents(
    deps: UseCaseDeps, principal: Principal | None, command: RecordPublishedIntents
) -> bool:
    """Remember the intents (one row per group). False when the write failed (e.g. a group deleted between
    compute and persist): logged, and the next transition writes again — never raised into the scheduler."""
    intents = list(command.intents)
    if not intents:
        return True
    try:
        async with unit_of_work(deps, principal) as uow:
            session = uow.session
            ids = [i.group_id for i in intents]
            existing = {
                row.group_id: row
                for row in (
                    await session.scalars(select(GroupPowerIntent).where(GroupPowerIntent.group_id.in_(ids)))
                ).all()
            }
            for intent in intents:
                row = existing.get(intent.group_id)
                if row is None:
                    row = GroupPowerIntent(group_id=intent.group_id)
                    session.add(row)
                row.intent_id = intent.intent_id
                row.fingerprint = intent.fingerprint
                row.desired_state = intent.desired_state
                row.reason = intent.reason
                row.issued_at = intent.issued_at
                row.expires_at = intent.expires_at
                row.payload = intent.payload
    except Exception:
        log.exception("event=power_intent_persist_failed groups=%d", len(intents))
        return False
    return True
