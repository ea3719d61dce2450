"""The Durchsage use cases: `start_broadcast`, `end_broadcast` (admin+, audited) and the system's
`sweep_broadcasts` (ends_at expiry and OFFLINE receipts; the scheduler tick runs it).

Each commits, then publishes the affected groups at once (`delivery.deliver_groups`, an after-commit step
through the display publisher) and then announces BROADCAST_UPDATED, which also wakes the scheduler.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.domain.broadcasts.delivery import deliver_groups
from app.domain.broadcasts.models import Broadcast, BroadcastEndReason, BroadcastSeverity
from app.domain.broadcasts.receipts import create_receipts, mark_offline
from app.domain.broadcasts.rules import BROADCAST_UPDATED, MAX_MESSAGE, MAX_TITLE
from app.domain.bus import DomainEvent
from app.domain.clients.models import ClientGroup
from app.domain.clock import as_utc, utcnow
from app.domain.enums import Role
from app.domain.errors import ConflictError, NotFoundError, ValidationError
from app.domain.ports import SettingsDeps
from app.domain.usecase import UnitOfWork, require_role, unit_of_work
from app.domain.users.tokens import Principal


@dataclass(frozen=True)
class StartBroadcast:
    message: str
    severity: str = BroadcastSeverity.INFO.value
    title: str | None = None
    # None: every group.
    group_ids: tuple[int, ...] | None = None
    ends_at: datetime | None = None


@dataclass(frozen=True)
class EndBroadcast:
    broadcast_id: int


@dataclass
class SweepReport:
    expired: list[int] = dataclasses.field(default_factory=list)
    receipts_changed: set[int] = dataclasses.field(default_factory=set)


def _clean(command: StartBroadcast, now: datetime) -> tuple[str, str | None, BroadcastSeverity, datetime | None]:
    message = (command.message or "").strip()
    if not message:
        raise ValidationError("broadcast.message_required", field="message")
    if len(message) > MAX_MESSAGE:
        raise ValidationError("broadcast.message_too_long", field="message", max=MAX_MESSAGE)
    title = (command.title or "").strip() or None
    if title is not None and len(title) > MAX_TITLE:
        raise ValidationError("broadcast.title_too_long", field="title", max=MAX_TITLE)
    try:
        severity = BroadcastSeverity(str(command.severity).upper())
    except ValueError:
        raise ValidationError("broadcast.severity_invalid", field="severity", severity=command.severity) from None
    ends_at = as_utc(command.ends_at)
    if ends_at is not None and ends_at <= now:
        raise ValidationError("broadcast.ends_at_past", field="endsAt")
    return message, title, severity, ends_at


async def _target_groups(uow: UnitOfWork, group_ids: tuple[int, ...] | None) -> list[int]:
    existing = set((await uow.session.scalars(sa.select(ClientGroup.id))).all())
    if group_ids is None:
        return sorted(existing)
    wanted = sorted(set(group_ids))
    if not wanted:
        raise ValidationError("broadcast.no_groups", field="groupIds")
    for group_id in wanted:
        if group_id not in existing:
            raise NotFoundError("broadcast.group_not_found", field="groupIds", id=group_id)
    return wanted


async def start_broadcast(deps: SettingsDeps, principal: Principal | None, command: StartBroadcast) -> Broadcast:
    """Put the message alone at the head of every target group's list, now; receipts start PENDING."""
    actor = require_role(principal, Role.ADMIN)
    now = utcnow()
    message, title, severity, ends_at = _clean(command, now)
    async with unit_of_work(deps, principal) as uow:
        targets = await _target_groups(uow, command.group_ids)
        broadcast = Broadcast(
            title=title,
            message=message,
            severity=severity.value,
            group_ids=None if command.group_ids is None else targets,
            started_at=now,
            ends_at=ends_at,
            started_by=actor.user_id,
            started_by_name=actor.username,
            created_at=now,
        )
        uow.session.add(broadcast)
        await uow.session.flush()
        receipts = await create_receipts(
            uow.session,
            broadcast.id,
            None if command.group_ids is None else targets,
            now,
            deps.settings.heartbeat_grace_seconds,
        )
        await uow.audit(
            "broadcast.start",
            "broadcast",
            broadcast.id,
            {
                "severity": severity.value,
                "title": title,
                "message": message,
                "group_ids": broadcast.group_ids,
                "ends_at": ends_at.isoformat() if ends_at else None,
                "targets": receipts,
            },
        )
        affected = None if command.group_ids is None else set(targets)
        uow.after_commit(lambda: deliver_groups(deps, affected))
        uow.announce(DomainEvent(BROADCAST_UPDATED, {"id": broadcast.id, "change": "started"}))
    return broadcast


async def end_broadcast(deps: SettingsDeps, principal: Principal | None, command: EndBroadcast) -> Broadcast:
    """The all-clear: the groups return to their schedule (or to the next running broadcast) at once."""
    actor = require_role(principal, Role.ADMIN)
    async with unit_of_work(deps, principal) as uow:
        broadcast = await uow.session.get(Broadcast, command.broadcast_id)
        if broadcast is None:
            raise NotFoundError("broadcast.not_found", id=command.broadcast_id)
        now = utcnow()
        if broadcast.ended_at is not None or (broadcast.ends_at is not None and broadcast.ends_at <= now):
            raise ConflictError("broadcast.already_ended", id=command.broadcast_id)
        broadcast.ended_at = now
        broadcast.end_reason = BroadcastEndReason.ALL_CLEAR.value
        broadcast.ended_by = actor.user_id
        await uow.audit("broadcast.end", "broadcast", broadcast.id, {"reason": BroadcastEndReason.ALL_CLEAR.value})
        affected = None if broadcast.group_ids is None else {int(g) for g in broadcast.group_ids}
        uow.after_commit(lambda: deliver_groups(deps, affected))
        uow.announce(DomainEvent(BROADCAST_UPDATED, {"id": broadcast.id, "change": "ended"}))
    return broadcast


async def sweep_broadcasts(deps: SettingsDeps, principal: Principal | None, now: datetime | None = None) -> SweepReport:
    """System use case (principal None): broadcasts whose ends_at passed get ended_at (audited as expired,
    their groups restored at once); receipts of running broadcasts follow the displays' heartbeats."""
    now = now or utcnow()
    report = SweepReport()
    async with unit_of_work(deps, principal) as uow:
        session = uow.session
        due = (
            await session.scalars(
                sa.select(Broadcast).where(
                    Broadcast.ended_at.is_(None), Broadcast.ends_at.is_not(None), Broadcast.ends_at <= now
                )
            )
        ).all()
        affected: set[int] | None = set()
        for broadcast in due:
            assert broadcast.ends_at is not None
            broadcast.ended_at = broadcast.ends_at
            broadcast.end_reason = BroadcastEndReason.EXPIRED.value
            report.expired.append(broadcast.id)
            await uow.audit("broadcast.expire", "broadcast", broadcast.id, {"ends_at": broadcast.ends_at.isoformat()})
            uow.announce(DomainEvent(BROADCAST_UPDATED, {"id": broadcast.id, "change": "ended"}))
            if broadcast.group_ids is None:
                affected = None
            elif affected is not None:
                affected.update(int(g) for g in broadcast.group_ids)
        running = list((await session.scalars(sa.select(Broadcast.id).where(Broadcast.ended_at.is_(None)))).all())
        report.receipts_changed = await mark_offline(session, running, now, deps.settings.heartbeat_grace_seconds)
        for broadcast_id in sorted(report.receipts_changed):
            uow.announce(DomainEvent(BROADCAST_UPDATED, {"id": broadcast_id, "change": "receipts"}))
        if report.expired:
            targets = affected
            uow.after_commit(lambda: deliver_groups(deps, targets, now))
    return report
