"""Personal alarm subscriptions against a real SMTP server (aiosmtpd) on a controlled clock: immediate mails
by group, kind and language with or without the "wieder online" message, and the daily digest sent exactly
once per day and user at the chosen school time by the periodic alarm cycle."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from app.domain.alarms.evaluate import EvaluateAlarms
from app.domain.alarms.models import Alarm
from app.domain.alarms.notify import run_alarm_cycle
from app.domain.alarms.subscriptions import SetSubscription, my_subscription, set_my_subscription
from app.domain.clients.models import Client, ClientGroup
from app.domain.db import Database
from app.domain.enums import Role
from app.domain.errors import ValidationError
from app.domain.users.models import User
from app.domain.users.tokens import Principal
from tests.alarms.receivers import Mailbox, smtp_server
from tests.alarms.test_evaluate import WED_10, add_displays, heartbeat
from tests.alarms.test_notifications import cycle, notify_deps
from tests.unit.fakes import add_user

pytestmark = pytest.mark.timeout(180)
VIENNA = ZoneInfo("Europe/Vienna")


async def subscriber(db: Database, email: str | None, role: Role = Role.USER) -> Principal:
    principal = await add_user(db, role)
    async with db.session() as session:
        await session.execute(update(User).where(User.id == principal.user_id).values(email=email))
    return principal


def to(box: Mailbox, address: str) -> list[str]:
    return [str(m["Subject"]) for m in box.messages if str(m["To"]) == address]


async def test_immediate_mails_follow_each_users_groups_kinds_language_and_cleared_choice(
    db: Database, tmp_path: Path
) -> None:
    async with smtp_server() as box:
        deps = notify_deps(db, tmp_path, box.port)
        silent, *others = await add_displays(db, 3)
        async with db.read_session() as session:
            group_id = (await session.get(Client, silent)).group_id  # type: ignore[union-attr]
            group_name = (await session.get(ClientGroup, group_id)).name  # type: ignore[union-attr]
        anna = await subscriber(db, "anna@schule.example")
        await set_my_subscription(deps, anna, SetSubscription(True, "IMMEDIATE", "07:00", group_ids=(group_id,),
                                                              language="en"))  # type: ignore[arg-type]  # fmt: skip
        bernd = await subscriber(db, "bernd@schule.example")
        await set_my_subscription(deps, bernd, SetSubscription(True, "IMMEDIATE", "07:00",
                                                               notify_cleared=False))  # type: ignore[arg-type]  # fmt: skip
        carla = await subscriber(db, "carla@schule.example")  # other group
        await set_my_subscription(deps, carla, SetSubscription(True, "IMMEDIATE", "07:00",
                                                               group_ids=(group_id + 999,)))  # type: ignore[arg-type]  # fmt: skip
        dora = await subscriber(db, "dora@schule.example")  # other kind
        await set_my_subscription(deps, dora, SetSubscription(True, "IMMEDIATE", "07:00",
                                                              kinds=("COMMAND_FAILED",)))  # type: ignore[arg-type]  # fmt: skip
        emil = await subscriber(db, "emil@schule.example")  # switched off
        await set_my_subscription(deps, emil, SetSubscription(False, "IMMEDIATE", "07:00"))  # type: ignore[arg-type]

        grace = timedelta(seconds=deps.settings.heartbeat_grace_seconds)  # type: ignore[attr-defined]
        start = WED_10 + grace + timedelta(seconds=1)
        await cycle(deps, start, 15, others)
        await cycle(deps, start + timedelta(minutes=15), 10, [silent, *others])  # back: cleared after 5 min
        assert to(box, "anna@schule.example") == ["[Infoscreen] Alarm: Display offline – Display 0",
                                                  "[Infoscreen] Back online: Display offline – Display 0"]  # fmt: skip
        assert to(box, "bernd@schule.example") == ["[Infoscreen] Alarm: Display offline – Display 0"]
        first = next(m for m in box.messages if str(m["To"]) == "anna@schule.example")
        assert f"Group: {group_name} ({group_id})" in first.get_content()
        assert len(box.messages) == 3  # carla, dora and emil heard nothing


async def test_a_subscription_needs_an_address_and_is_each_users_own(db: Database, tmp_path: Path) -> None:
    deps = notify_deps(db, tmp_path, 2525)
    nobody = await subscriber(db, None)
    with pytest.raises(ValidationError) as missing:
        await set_my_subscription(deps, nobody, SetSubscription(True, "DIGEST", "07:30"))  # type: ignore[arg-type]
    assert missing.value.key == "subscription.no_email"
    with pytest.raises(ValidationError) as bad_time:
        await set_my_subscription(deps, nobody, SetSubscription(False, "DIGEST", "7.30"))  # type: ignore[arg-type]
    assert bad_time.value.key == "subscription.bad_time"
    anna = await subscriber(db, "anna@schule.example")
    await set_my_subscription(deps, anna, SetSubscription(True, "DIGEST", "07:30", kinds=("DISPLAY_OFFLINE",)))  # type: ignore[arg-type]
    mine = await my_subscription(deps, anna)  # type: ignore[arg-type]
    assert (mine.enabled, mine.mode, mine.digest_time, mine.kinds) == (True, "DIGEST", "07:30", ["DISPLAY_OFFLINE"])
    assert (await my_subscription(deps, nobody)).enabled is False  # type: ignore[arg-type]


def local(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=VIENNA)


async def run_at(deps, moments: list[datetime], alive: list[str]) -> None:  # type: ignore[no-untyped-def]
    for now in moments:
        await heartbeat(deps.db, alive, now)
        await run_alarm_cycle(deps, EvaluateAlarms(now))


def minutes(start: datetime, count: int) -> list[datetime]:
    return [start + timedelta(minutes=n) for n in range(count)]


async def test_the_daily_digest_goes_out_once_a_day_at_the_chosen_time(db: Database, tmp_path: Path) -> None:
    async with smtp_server() as box:
        deps = notify_deps(db, tmp_path, box.port)
        silent, *others = await add_displays(db, 3, at=local(2, 9, 0))
        greta = await subscriber(db, "greta@schule.example")
        await set_my_subscription(deps, greta, SetSubscription(True, "DIGEST", "07:30"))  # type: ignore[arg-type]
        hans = await subscriber(db, "hans@schule.example")
        await set_my_subscription(deps, hans, SetSubscription(True, "DIGEST", "16:00", language="en"))  # type: ignore[arg-type]

        # Wednesday: the display goes silent at 10:00 and is raised at ~10:10; Greta's 07:30 has passed with
        # nothing to report, so today brings her nothing.
        await run_at(deps, minutes(local(2, 10, 0), 15), others)
        async with db.read_session() as session:
            (alarm,) = (await session.scalars(select(Alarm).where(Alarm.state == "ACTIVE"))).all()
        assert to(box, "greta@schule.example") == []
        # Hans's time comes at 16:00: one digest, however many runs follow (two leaders in one minute too).
        await run_at(deps, [local(2, 15, 59), local(2, 16, 0), local(2, 16, 0), *minutes(local(2, 16, 1), 5)], others)
        assert to(box, "hans@schule.example") == ["[Infoscreen] Alarm digest 2026-12-02: 1 open, 0 cleared"]

        # Thursday 07:25-07:40: still silent; Greta's first digest at 07:30, once.
        await run_at(deps, minutes(local(3, 7, 25), 16), others)
        assert to(box, "greta@schule.example") == ["[Infoscreen] Alarm-Zusammenfassung 03.12.2026: 1 offen, 0 behoben"]
        body = next(m for m in box.messages if str(m["To"]) == "greta@schule.example").get_content()
        assert "- [aktiv] Display offline – Display 0, seit " in body

        # Friday: back from 07:00, cleared at ~07:05; the 07:30 digest reports it as cleared.
        await run_at(deps, minutes(local(4, 7, 0), 35), [silent, *others])
        assert to(box, "greta@schule.example")[1:] == [
            "[Infoscreen] Alarm-Zusammenfassung 04.12.2026: 0 offen, 1 behoben"
        ]
        assert len(to(box, "greta@schule.example")) == 2 and len(to(box, "hans@schule.example")) == 1
        assert alarm.kind == "DISPLAY_OFFLINE"
