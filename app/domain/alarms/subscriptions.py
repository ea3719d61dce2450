"""Personal alarm subscriptions (Profil): each user chooses which groups and kinds, immediate mails or a daily
digest at a chosen time, and whether cleared / "wieder online" messages come too. Mails go to `users.email`
in the subscription's language (the dashboard language when it was saved). A digest goes out once a school
day, at the first alarm run at or after the chosen time, when there is something to report (an alarm open
then, or one cleared within the last day); changing the time after today's digest does not send another."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from app.domain.alarms.models import AlarmKind, AlarmSubscription, SubscriptionMode
from app.domain.enums import Role
from app.domain.errors import ValidationError
from app.domain.ports import SettingsDeps
from app.domain.usecase import require_role, unit_of_work
from app.domain.users.models import User
from app.domain.users.tokens import Principal

ROLE = Role.USER


def default_subscription(user_id: int) -> AlarmSubscription:
    return AlarmSubscription(
        user_id=user_id, enabled=False, mode=SubscriptionMode.IMMEDIATE.value, digest_time="07:00",
        kinds=[], group_ids=[], notify_cleared=True, language="de",
    )  # fmt: skip


async def my_subscription(deps: SettingsDeps, principal: Principal | None) -> AlarmSubscription:
    actor = require_role(principal, ROLE)
    async with deps.db.read_session() as session:
        row = await session.get(AlarmSubscription, actor.user_id)
    return row if row is not None else default_subscription(actor.user_id)


@dataclass(frozen=True, slots=True)
class SetSubscription:
    enabled: bool
    mode: str
    digest_time: str
    kinds: tuple[str, ...] = ()
    group_ids: tuple[int, ...] = ()
    notify_cleared: bool = True
    language: str = "de"


def parse_digest_time(text: str) -> time:
    try:
        moment = time.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError("subscription.bad_time", field="digestTime") from None
    if len(text.strip()) != 5:
        raise ValidationError("subscription.bad_time", field="digestTime")
    return moment


def _clean(command: SetSubscription) -> SetSubscription:
    try:
        mode = SubscriptionMode(command.mode).value
        kinds = tuple(dict.fromkeys(AlarmKind(k).value for k in command.kinds))
    except ValueError:
        raise ValidationError("subscription.bad_mode", field="mode") from None
    digest = parse_digest_time(command.digest_time).strftime("%H:%M")
    if command.language not in ("de", "en"):
        raise ValidationError("subscription.bad_language", field="language")
    return SetSubscription(command.enabled, mode, digest, kinds, tuple(dict.fromkeys(command.group_ids)),
                           command.notify_cleared, command.language)  # fmt: skip


async def set_my_subscription(
    deps: SettingsDeps, principal: Principal | None, command: SetSubscription
) -> AlarmSubscription:
    actor = require_role(principal, ROLE)
    clean = _clean(command)
    async with unit_of_work(deps, principal) as uow:
        user = await uow.session.get(User, actor.user_id)
        if clean.enabled and (user is None or not (user.email or "").strip()):
            raise ValidationError("subscription.no_email", field="enabled")
        row = await uow.session.get(AlarmSubscription, actor.user_id)
        if row is None:
            row = default_subscription(actor.user_id)
            uow.session.add(row)
        row.enabled, row.mode, row.digest_time = clean.enabled, clean.mode, clean.digest_time
        row.kinds, row.group_ids = list(clean.kinds), list(clean.group_ids)
        row.notify_cleared, row.language, row.last_error = clean.notify_cleared, clean.language, None
        await uow.session.flush()
        summary = {"enabled": row.enabled, "mode": row.mode, "kinds": row.kinds, "group_ids": row.group_ids}
        await uow.audit("alarm.subscription", "user", actor.user_id, summary)
    return row
