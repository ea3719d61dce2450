"""The outbox side of alarm notifications: one delivery row per matching channel and alarm state change,
written in the evaluation's own transaction (app.domain.alarms.notify sends them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.alarms.models import Alarm, DeliveryStatus, NotificationChannel, NotificationDelivery
from app.domain.alarms.personal import enqueue_personal

NOTIFIED_CHANGES = ("raised", "cleared")


def matches(channel: NotificationChannel, alarm: Alarm) -> bool:
    if not channel.enabled:
        return False
    if channel.kinds and alarm.kind not in channel.kinds:
        return False
    return not channel.group_ids or alarm.group_id in channel.group_ids


async def enqueue_notifications(session: AsyncSession, changes: Sequence[tuple[Alarm, str]], now: datetime) -> int:
    """Queue one delivery per enabled, matching channel and raised/cleared change (same transaction)."""
    wanted = [(alarm, change) for alarm, change in changes if change in NOTIFIED_CHANGES]
    if not wanted:
        return 0
    channels = (await session.scalars(select(NotificationChannel).where(NotificationChannel.enabled.is_(True)))).all()
    rows = [
        NotificationDelivery(channel_id=channel.id, alarm_id=alarm.id, change=change,
                             status=DeliveryStatus.PENDING.value, attempts=0, next_attempt_at=now)
        for alarm, change in wanted
        for channel in channels
        if matches(channel, alarm)
    ]  # fmt: skip
    session.add_all(rows)
    return len(rows) + await enqueue_personal(session, wanted, now)
