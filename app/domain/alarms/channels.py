"""Notification channels: create, update, delete, list and "Test senden" (admin+, audited)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlparse

from sqlalchemy import func, select

from app.domain.alarms.models import AlarmKind, ChannelKind, DeliveryStatus, NotificationChannel, NotificationDelivery
from app.domain.alarms.notify import send_to_channel
from app.domain.alarms.senders import Message, SendError, recipients
from app.domain.alarms.smtp import load_smtp_config
from app.domain.clock import utcnow
from app.domain.enums import Role
from app.domain.errors import NotFoundError, ValidationError
from app.domain.ports import SettingsDeps, UseCaseDeps
from app.domain.usecase import require_role, unit_of_work
from app.domain.users.tokens import Principal

ROLE = Role.ADMIN


@dataclass(frozen=True, slots=True)
class ChannelValues:
    name: str
    kind: ChannelKind
    target: str
    enabled: bool = True
    language: str = "de"
    kinds: tuple[AlarmKind, ...] = ()
    group_ids: tuple[int, ...] = ()
    secret: str | None = None  # WEBHOOK: None keeps the current one (a new channel gets a random one)


def _clean(values: ChannelValues) -> ChannelValues:
    name = values.name.strip()
    if not name or len(name) > 100:
        raise ValidationError("channel.bad_name", field="name")
    target = values.target.strip()
    if values.kind is ChannelKind.EMAIL:
        if not recipients(target) or len(target) > 2048:
            raise ValidationError("channel.bad_recipients", field="target")
    else:
        parsed = urlparse(target)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or len(target) > 2048:
            raise ValidationError("channel.bad_url", field="target")
    if values.language not in ("de", "en"):
        raise ValidationError("channel.bad_language", field="language")
    return ChannelValues(name, values.kind, target, values.enabled, values.language,
                         tuple(dict.fromkeys(values.kinds)), tuple(dict.fromkeys(values.group_ids)),
                         values.secret.strip() if values.secret else None)  # fmt: skip


def _apply(channel: NotificationChannel, values: ChannelValues) -> None:
    channel.name, channel.kind, channel.target = values.name, values.kind.value, values.target
    channel.enabled, channel.language = values.enabled, values.language
    channel.kinds, channel.group_ids = [k.value for k in values.kinds], list(values.group_ids)
    if values.kind is ChannelKind.WEBHOOK:
        channel.secret = values.secret or channel.secret or secrets.token_urlsafe(32)
    else:
        channel.secret = None


async def list_channels(deps: UseCaseDeps, principal: Principal | None) -> list[NotificationChannel]:
    require_role(principal, ROLE)
    async with deps.db.read_session() as session:
        return list((await session.scalars(select(NotificationChannel).order_by(NotificationChannel.id))).all())


async def dead_letters(deps: UseCaseDeps, principal: Principal | None) -> dict[int, int]:
    """Per channel id: how many messages were given up (dead letters)."""
    require_role(principal, ROLE)
    stmt = (
        select(NotificationDelivery.channel_id, func.count())
        .where(NotificationDelivery.status == DeliveryStatus.DEAD)
        .group_by(NotificationDelivery.channel_id)
    )
    async with deps.db.read_session() as session:
        return {int(channel_id): int(count) for channel_id, count in (await session.execute(stmt)).all()}


async def create_channel(deps: UseCaseDeps, principal: Principal | None, values: ChannelValues) -> NotificationChannel:
    require_role(principal, ROLE)
    clean = _clean(values)
    async with unit_of_work(deps, principal) as uow:
        channel = NotificationChannel(created_at=utcnow())
        _apply(channel, clean)
        uow.session.add(channel)
        await uow.session.flush()
        await uow.audit("alarm.channel_create", "notification_channel", channel.id,
                        {"name": channel.name, "kind": channel.kind})  # fmt: skip
    return channel


@dataclass(frozen=True, slots=True)
class UpdateChannel:
    channel_id: int
    values: ChannelValues


async def update_channel(deps: UseCaseDeps, principal: Principal | None, command: UpdateChannel) -> NotificationChannel:
    require_role(principal, ROLE)
    clean = _clean(command.values)
    async with unit_of_work(deps, principal) as uow:
        channel = await uow.session.get(NotificationChannel, command.channel_id)
        if channel is None:
            raise NotFoundError("channel.not_found")
        _apply(channel, clean)
        await uow.audit("alarm.channel_update", "notification_channel", channel.id,
                        {"name": channel.name, "kind": channel.kind, "enabled": channel.enabled})  # fmt: skip
    return channel


async def delete_channel(deps: UseCaseDeps, principal: Principal | None, channel_id: int) -> bool:
    require_role(principal, ROLE)
    async with unit_of_work(deps, principal) as uow:
        channel = await uow.session.get(NotificationChannel, channel_id)
        if channel is None:
            raise NotFoundError("channel.not_found")
        await uow.session.delete(channel)
        await uow.audit("alarm.channel_delete", "notification_channel", channel_id, {"name": channel.name})
    return True


@dataclass(frozen=True, slots=True)
class ChannelTestOutcome:
    success: bool
    error: str | None


async def send_test_message(deps: SettingsDeps, principal: Principal | None, channel_id: int) -> ChannelTestOutcome:
    """ "Test senden": one test message now; the outcome is kept on the channel (last_error / last_sent_at)."""
    require_role(principal, ROLE)
    async with deps.db.read_session() as session:
        channel = await session.get(NotificationChannel, channel_id)
    if channel is None:
        raise NotFoundError("channel.not_found")
    en = channel.language == "en"
    subject = "[Infoscreen] Test: " + ("notifications work" if en else "Benachrichtigungen funktionieren")
    body = (
        "This is a test message of the alarm channel" if en else "Testnachricht des Alarmkanals"
    ) + f" {channel.name}.\n"
    message = Message(subject, body, {"change": "test", "text": subject, "channel": channel.name},
                      f"test-{channel.id}-{secrets.token_hex(4)}")  # fmt: skip
    error = None
    try:
        await send_to_channel(deps.settings, await load_smtp_config(deps), channel, message)
    except SendError as exc:
        error = str(exc)
    async with unit_of_work(deps, principal) as uow:
        stored = await uow.session.get(NotificationChannel, channel_id)
        if stored is not None:
            stored.last_error = error
            if error is None:
                stored.last_sent_at = utcnow()
        await uow.audit("alarm.channel_test", "notification_channel", channel_id, {"success": error is None})
    return ChannelTestOutcome(error is None, error)


async def retry_dead_letters(deps: UseCaseDeps, principal: Principal | None, channel_id: int) -> int:
    """Give the channel's dead letters a new round of attempts (sent by the next alarm run); how many."""
    require_role(principal, ROLE)
    async with unit_of_work(deps, principal) as uow:
        if await uow.session.get(NotificationChannel, channel_id) is None:
            raise NotFoundError("channel.not_found")
        dead = (
            await uow.session.scalars(
                select(NotificationDelivery).where(
                    NotificationDelivery.channel_id == channel_id, NotificationDelivery.status == DeliveryStatus.DEAD
                )
            )
        ).all()
        now = utcnow()
        for delivery in dead:
            # Due at once: its last planned attempt (already past) or now, whichever is earlier, so the next
            # alarm run sends it whatever instant that run judges.
            due = min(delivery.next_attempt_at, now) if delivery.next_attempt_at else now
            delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.PENDING.value, 0, due
        await uow.audit("alarm.channel_retry", "notification_channel", channel_id, {"count": len(dead)})
    return len(dead)
