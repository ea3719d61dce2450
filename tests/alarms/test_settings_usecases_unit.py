"""The alarm settings use cases on fakes: SMTP settings and dead-letter retries are admin-only and audited
(never with the password), the personal subscription is each user's own, audited, and checked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.domain.alarms.channels import ChannelValues, create_channel, retry_dead_letters
from app.domain.alarms.models import Alarm, ChannelKind, DeliveryStatus, NotificationDelivery
from app.domain.alarms.smtp import SetSmtpSettings, set_smtp_settings
from app.domain.alarms.subscriptions import SetSubscription, my_subscription, set_my_subscription
from app.domain.clock import utcnow
from app.domain.enums import Role
from app.domain.errors import AuthenticationError, ForbiddenError, NotFoundError, ValidationError
from app.domain.users.models import User
from tests.unit.fakes import FakeDeps, add_user, audit_rows, memory_database, unit_settings


@pytest.fixture
async def deps(tmp_path: Path) -> AsyncIterator[FakeDeps]:
    database = await memory_database()
    yield FakeDeps(database, unit_settings(tmp_path))
    await database.dispose()


async def test_smtp_settings_are_admin_only_and_audited_without_the_password(deps: FakeDeps) -> None:
    editor, admin = await add_user(deps.db, Role.EDITOR), await add_user(deps.db, Role.ADMIN)
    with pytest.raises(ForbiddenError):
        await set_smtp_settings(deps, editor, SetSmtpSettings(host="mail.example"))
    assert await audit_rows(deps.db, "alarm.smtp_settings") == []
    with pytest.raises(ValidationError) as bad:
        await set_smtp_settings(deps, admin, SetSmtpSettings(security="tls1"))
    assert bad.value.key == "smtp.bad_security" and bad.value.text("en") == "Encryption: none, starttls or ssl."
    await set_smtp_settings(deps, admin, SetSmtpSettings(host="mail.example", password="streng-geheim"))
    (row,) = await audit_rows(deps.db, "alarm.smtp_settings")
    assert row.details is not None and row.details["host"] == "mail.example"
    assert "streng-geheim" not in str(row.details)


async def test_dead_letters_retry_is_admin_only_audited_and_requeues_only_dead_ones(deps: FakeDeps) -> None:
    admin, editor = await add_user(deps.db, Role.ADMIN), await add_user(deps.db, Role.EDITOR)
    channel = await create_channel(deps, admin, ChannelValues("IT", ChannelKind.EMAIL, "it@schule.example"))
    now = utcnow()
    async with deps.db.session() as session:
        alarm = Alarm(dedupe_key="fleet", kind="FLEET_OUTAGE", severity="CRITICAL", state="ACTIVE",
                      first_seen=now, last_seen=now)  # fmt: skip
        session.add(alarm)
        await session.flush()
        session.add_all(
            NotificationDelivery(
                channel_id=channel.id,
                alarm_id=alarm.id,
                change=change,
                status=status,
                attempts=5,
                next_attempt_at=now - timedelta(hours=1),
            )
            for change, status in (("raised", DeliveryStatus.DEAD.value), ("cleared", DeliveryStatus.SENT.value))
        )
    with pytest.raises(ForbiddenError):
        await retry_dead_letters(deps, editor, channel.id)
    with pytest.raises(NotFoundError):
        await retry_dead_letters(deps, admin, channel.id + 1)
    assert await retry_dead_letters(deps, admin, channel.id) == 1
    async with deps.db.read_session() as session:
        rows = {d.change: d for d in (await session.scalars(select(NotificationDelivery))).all()}
    assert (rows["raised"].status, rows["raised"].attempts) == ("pending", 0)
    assert rows["cleared"].status == "sent"
    (row,) = await audit_rows(deps.db, "alarm.channel_retry")
    assert row.details == {"count": 1}


async def test_a_subscription_is_the_callers_own_and_audited(deps: FakeDeps) -> None:
    user, other = await add_user(deps.db, Role.USER), await add_user(deps.db, Role.USER)
    async with deps.db.session() as session:
        await session.execute(update(User).values(email="x@schule.example"))
    with pytest.raises(ValidationError) as bad:
        await set_my_subscription(deps, user, SetSubscription(True, "WEEKLY", "07:00"))
    assert bad.value.key == "subscription.bad_mode"
    with pytest.raises(ValidationError):
        await set_my_subscription(deps, user, SetSubscription(True, "IMMEDIATE", "07:00", kinds=("NOPE",)))
    saved = await set_my_subscription(deps, user, SetSubscription(True, "DIGEST", "06:30", language="en"))
    assert (saved.user_id, saved.mode, saved.language) == (user.user_id, "DIGEST", "en")
    assert (await my_subscription(deps, other)).enabled is False
    (row,) = await audit_rows(deps.db, "alarm.subscription")
    assert (row.object_id, row.details["mode"]) == (str(user.user_id), "DIGEST")  # type: ignore[index]
    with pytest.raises(AuthenticationError):
        await my_subscription(deps, None)
