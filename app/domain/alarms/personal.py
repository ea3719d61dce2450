"""Personal alarm mails: the immediate ones through their own outbox (`personal_deliveries`, written in the
evaluation's transaction, claimed before sending so nothing goes out twice) and the daily digest, claimed per
user and school day (`last_digest_on`) before it is sent, so it goes out at most once a day even when the
leader changes. Both run after the evaluation committed, in the periodic alarm actor under the leader lock.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.alarms.models import (
    RAISED_STATES,
    Alarm,
    AlarmState,
    AlarmSubscription,
    DeliveryStatus,
    PersonalDelivery,
    SubscriptionMode,
)
from app.domain.alarms.senders import Message, SendError, send_email
from app.domain.alarms.smtp import load_smtp_config
from app.domain.alarms.snapshot import group_names
from app.domain.alarms.texts import digest_message, message_for
from app.domain.ports import SettingsDeps
from app.domain.usecase import unit_of_work
from app.domain.users.models import User

log = logging.getLogger(__name__)

# Retry policy of every alarm delivery (channels in notify.py use the same).
MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(minutes=1)
BATCH = 200
DIGEST_WINDOW = timedelta(days=1)


def wants(subscription: AlarmSubscription, alarm: Alarm, change: str) -> bool:
    if change == "cleared" and not subscription.notify_cleared:
        return False
    if subscription.kinds and alarm.kind not in subscription.kinds:
        return False
    return not subscription.group_ids or alarm.group_id in subscription.group_ids


async def _subscribers(session: AsyncSession, mode: SubscriptionMode) -> list[tuple[AlarmSubscription, User]]:
    stmt = (
        select(AlarmSubscription, User)
        .join(User, User.id == AlarmSubscription.user_id)
        .where(AlarmSubscription.enabled.is_(True), AlarmSubscription.mode == mode.value, User.is_active.is_(True))
    )
    return [(s, u) for s, u in (await session.execute(stmt)).all() if (u.email or "").strip()]


async def enqueue_personal(session: AsyncSession, changes: Sequence[tuple[Alarm, str]], now: datetime) -> int:
    """One personal delivery per immediate subscriber and matching raised/cleared change (same transaction)."""
    wanted = [(alarm, change) for alarm, change in changes if change in ("raised", "cleared")]
    if not wanted:
        return 0
    rows = [
        PersonalDelivery(user_id=sub.user_id, alarm_id=alarm.id, change=change, status=DeliveryStatus.PENDING.value,
                         attempts=0, next_attempt_at=now)
        for sub, _user in await _subscribers(session, SubscriptionMode.IMMEDIATE)
        for alarm, change in wanted
        if wants(sub, alarm, change)
    ]  # fmt: skip
    session.add_all(rows)
    return len(rows)


@dataclass(frozen=True, slots=True)
class _Claimed:
    delivery_id: int
    address: str
    message: Message


async def _claim(deps: SettingsDeps, now: datetime) -> list[_Claimed]:
    async with unit_of_work(deps, None) as uow:
        stmt = (
            select(PersonalDelivery, AlarmSubscription, User, Alarm)
            .join(AlarmSubscription, AlarmSubscription.user_id == PersonalDelivery.user_id)
            .join(User, User.id == PersonalDelivery.user_id)
            .join(Alarm, Alarm.id == PersonalDelivery.alarm_id)
            .where(PersonalDelivery.status == DeliveryStatus.PENDING, PersonalDelivery.next_attempt_at <= now)
            .order_by(PersonalDelivery.id)
            .limit(BATCH)
        )
        claimed = []
        rows = (await uow.session.execute(stmt)).all()
        names = await group_names(uow.session, {alarm.group_id for *_, alarm in rows})
        for delivery, sub, user, alarm in rows:
            delivery.status = DeliveryStatus.SENDING.value
            key = f"alarm-{alarm.id}-{delivery.change}-user-{user.id}"
            message = message_for(alarm, delivery.change, sub.language, key, names.get(alarm.group_id))
            claimed.append(_Claimed(delivery.id, str(user.email), message))
    return claimed


async def _record(deps: SettingsDeps, delivery_id: int, error: str | None, now: datetime) -> None:
    async with unit_of_work(deps, None) as uow:
        delivery = await uow.session.get(PersonalDelivery, delivery_id)
        if delivery is None:
            return
        delivery.attempts += 1
        if error is None:
            delivery.status, delivery.sent_at, delivery.last_error = DeliveryStatus.SENT.value, now, None
        else:
            delivery.last_error = error[:500]
            done = delivery.attempts >= MAX_ATTEMPTS
            delivery.status = (DeliveryStatus.DEAD if done else DeliveryStatus.PENDING).value
            delivery.next_attempt_at = now + RETRY_BASE * 2 ** (delivery.attempts - 1)
        sub = await uow.session.get(AlarmSubscription, delivery.user_id)
        if sub is not None:
            sub.last_error = None if error is None else error[:500]


async def deliver_personal_due(deps: SettingsDeps, now: datetime) -> int:
    """Send every due immediate personal mail once; failures are recorded (retried, then dead), never raised."""
    claimed = await _claim(deps, now)
    if not claimed:
        return 0
    smtp = await load_smtp_config(deps)
    sent = 0
    for item in claimed:
        error = None
        try:
            await send_email(smtp, item.address, item.message)
            sent += 1
        except SendError as exc:
            error = str(exc)
        except Exception as exc:  # one broken mail must not stop the others
            error = f"{type(exc).__name__}: {exc}"
        await _record(deps, item.delivery_id, error, now)
    return sent


# --- the daily digest ------------------------------------------------------------------------------------
async def _digest_alarms(session: AsyncSession, sub: AlarmSubscription, now: datetime) -> list[Alarm]:
    since = now - DIGEST_WINDOW
    stmt = select(Alarm).where(
        or_(
            Alarm.state.in_([s.value for s in RAISED_STATES]),
            Alarm.cleared_at >= since if sub.notify_cleared else Alarm.id.is_(None),
        ),
        Alarm.state != AlarmState.PENDING,
    )
    rows = [a for a in (await session.scalars(stmt.order_by(Alarm.first_seen, Alarm.id))).all()]
    return [a for a in rows if wants(sub, a, "raised")]


@dataclass(frozen=True, slots=True)
class _Digest:
    user_id: int
    address: str
    message: Message | None  # None: nothing to report today


async def _claim_digests(deps: SettingsDeps, now: datetime, today: date, clock: str) -> list[_Digest]:
    async with unit_of_work(deps, None) as uow:
        due = []
        for sub, user in await _subscribers(uow.session, SubscriptionMode.DIGEST):
            if sub.digest_time > clock or (sub.last_digest_on is not None and sub.last_digest_on >= today):
                continue
            sub.last_digest_on = today  # claimed: committed before anything is sent
            alarms = await _digest_alarms(uow.session, sub, now)
            message = digest_message(alarms, today, sub.language, f"digest-{user.id}-{today}") if alarms else None
            due.append(_Digest(user.id, str(user.email), message))
    return due


async def send_due_digests(deps: SettingsDeps, now: datetime) -> int:
    """Each digest subscriber whose time has come today (school time) gets today's digest, once."""
    local = now.astimezone(deps.settings.tz)
    due = await _claim_digests(deps, now, local.date(), local.strftime("%H:%M"))
    todo = [(d, d.message) for d in due if d.message is not None]
    if not todo:
        return 0
    smtp = await load_smtp_config(deps)
    sent = 0
    for digest, message in todo:
        error = None
        try:
            await send_email(smtp, digest.address, message)
            sent += 1
        except SendError as exc:
            error = str(exc)
            log.warning("event=alarm_digest_failed user=%s error=%s", digest.user_id, error[:200])
        async with unit_of_work(deps, None) as uow:
            sub = await uow.session.get(AlarmSubscription, digest.user_id)
            if sub is not None:
                sub.last_error = error
    return sent
