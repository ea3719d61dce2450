"""Alarm messages through the notification channels, as an outbox.

The evaluation writes one `notification_deliveries` row per matching channel and alarm state change (raised,
cleared) in its own transaction; the unique (channel, alarm, change) key means nothing is queued twice.
`deliver_due` then claims due rows (status `sending`, committed before anything is sent, so a row is never
sent twice even if the process dies mid-way), sends them and records the outcome: `sent`, or back to
`pending` with a growing backoff, and `dead` after MAX_ATTEMPTS (shown with its error). Sending happens
after the evaluation committed: a failing channel never blocks alarm evaluation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.config import Settings
from app.domain.alarms.evaluate import EvaluateAlarms, EvaluationReport, evaluate_alarms
from app.domain.alarms.models import (
    Alarm,
    ChannelKind,
    DeliveryStatus,
    NotificationChannel,
    NotificationDelivery,
)
from app.domain.alarms.personal import BATCH, MAX_ATTEMPTS, RETRY_BASE, deliver_personal_due, send_due_digests
from app.domain.alarms.senders import Message, SendError, send_email, send_webhook
from app.domain.alarms.smtp import SmtpConfig, load_smtp_config
from app.domain.alarms.snapshot import group_names
from app.domain.alarms.texts import message_for
from app.domain.ports import SettingsDeps
from app.domain.usecase import unit_of_work

log = logging.getLogger(__name__)


async def send_to_channel(settings: Settings, smtp: SmtpConfig, channel: NotificationChannel, message: Message) -> None:
    """Raises SendError when the message did not get through."""
    if channel.kind == ChannelKind.EMAIL:
        await send_email(smtp, channel.target, message)
    else:
        await send_webhook(settings, channel.target, channel.secret, message)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    dead: int = 0


@dataclass(frozen=True, slots=True)
class _Claimed:
    delivery_id: int
    channel: NotificationChannel
    message: Message


async def _claim(deps: SettingsDeps, now: datetime) -> list[_Claimed]:
    async with unit_of_work(deps, None) as uow:
        stmt = (
            select(NotificationDelivery, NotificationChannel, Alarm)
            .join(NotificationChannel, NotificationChannel.id == NotificationDelivery.channel_id)
            .join(Alarm, Alarm.id == NotificationDelivery.alarm_id)
            .where(NotificationDelivery.status == DeliveryStatus.PENDING, NotificationDelivery.next_attempt_at <= now)
            .order_by(NotificationDelivery.id)
            .limit(BATCH)
        )
        claimed = []
        rows = (await uow.session.execute(stmt)).all()
        names = await group_names(uow.session, {alarm.group_id for _, _, alarm in rows})
        for delivery, channel, alarm in rows:
            delivery.status = DeliveryStatus.SENDING.value
            key = f"alarm-{alarm.id}-{delivery.change}-{channel.id}"
            message = message_for(alarm, delivery.change, channel.language, key, names.get(alarm.group_id))
            claimed.append(_Claimed(delivery.id, channel, message))
        uow.session.expunge_all()
    return claimed


async def _record(deps: SettingsDeps, item: _Claimed, error: str | None, now: datetime) -> DeliveryStatus:
    async with unit_of_work(deps, None) as uow:
        delivery = await uow.session.get(NotificationDelivery, item.delivery_id)
        channel = await uow.session.get(NotificationChannel, item.channel.id)
        if delivery is None:
            return DeliveryStatus.DEAD  # its alarm or channel was deleted meanwhile
        delivery.attempts += 1
        if error is None:
            delivery.status, delivery.sent_at, delivery.last_error = DeliveryStatus.SENT.value, now, None
        else:
            delivery.last_error = error[:500]
            done = delivery.attempts >= MAX_ATTEMPTS
            delivery.status = (DeliveryStatus.DEAD if done else DeliveryStatus.PENDING).value
            delivery.next_attempt_at = now + RETRY_BASE * 2 ** (delivery.attempts - 1)
        if channel is not None:
            channel.last_error = None if error is None else error[:500]
            if error is None:
                channel.last_sent_at = now
        return DeliveryStatus(delivery.status)


async def deliver_due(deps: SettingsDeps, now: datetime) -> DeliveryReport:
    """Send every due delivery once; each failure is recorded on its delivery and never raised."""
    counts = {DeliveryStatus.SENT: 0, DeliveryStatus.PENDING: 0, DeliveryStatus.DEAD: 0}
    claimed = await _claim(deps, now)
    if not claimed:
        return DeliveryReport()
    smtp = await load_smtp_config(deps)
    for item in claimed:
        error = None
        try:
            await send_to_channel(deps.settings, smtp, item.channel, item.message)
        except SendError as exc:
            error = str(exc)
        except Exception as exc:  # a broken channel must not stop the others
            error = f"{type(exc).__name__}: {exc}"
        if error is not None:
            log.warning("event=alarm_notification_failed channel=%s error=%s", item.channel.id, error[:200])
        status = await _record(deps, item, error, now)
        counts[status] = counts.get(status, 0) + 1
    return DeliveryReport(counts[DeliveryStatus.SENT], counts[DeliveryStatus.PENDING], counts[DeliveryStatus.DEAD])


async def run_alarm_cycle(deps: SettingsDeps, command: EvaluateAlarms) -> EvaluationReport:
    """Evaluate (committed on its own), then send what it queued; sending problems are logged, never raised."""
    report = await evaluate_alarms(deps, None, command)
    for step in (deliver_due, deliver_personal_due, send_due_digests):
        try:
            await step(deps, command.now)
        except Exception:
            log.exception("event=alarm_notifications_error step=%s", step.__name__)
    return report
