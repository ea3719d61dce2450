"""SMTP settings stored in Einstellungen over the SMTP_* environment, and a channel's dead letters retried
against a real SMTP server (aiosmtpd) once it is reachable."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.domain.alarms.channels import ChannelValues, create_channel, dead_letters, retry_dead_letters
from app.domain.alarms.models import ChannelKind, NotificationDelivery
from app.domain.alarms.smtp import SetSmtpSettings, load_smtp_config, set_smtp_settings, smtp_settings
from app.domain.db import Database
from app.domain.enums import Role
from app.domain.errors import ForbiddenError, ValidationError
from tests.alarms.receivers import Mailbox
from tests.alarms.test_evaluate import WED_10, add_displays
from tests.alarms.test_notifications import cycle, notify_deps
from tests.support.servers import free_port
from tests.unit.fakes import add_user

pytestmark = pytest.mark.timeout(120)


async def test_stored_smtp_settings_win_over_the_environment_and_hide_the_password(
    db: Database, tmp_path: Path
) -> None:
    deps = notify_deps(db, tmp_path, 2525)
    admin = await add_user(db, Role.ADMIN)
    view = await smtp_settings(deps, admin)  # type: ignore[arg-type]
    assert (view.host, view.port, view.security, view.overridden) == ("127.0.0.1", 2525, "none", ())
    command = SetSmtpSettings(host="mail.schule.example", port=465, security="ssl", username="alarm",
                              password="geheim", from_address="Alarme <alarme@schule.example>")  # fmt: skip
    view = await set_smtp_settings(deps, admin, command)  # type: ignore[arg-type]
    assert (view.host, view.port, view.security, view.password_set) == ("mail.schule.example", 465, "ssl", True)
    assert set(view.overridden) == {"host", "port", "security", "username", "password", "from_address"}
    assert not hasattr(view, "password")
    config = await load_smtp_config(deps)  # type: ignore[arg-type]
    assert (config.host, config.password) == ("mail.schule.example", "geheim")
    # Saving again without a password keeps it; "use the environment" drops every override.
    view = await set_smtp_settings(deps, admin, SetSmtpSettings(host="smtp2.schule.example"))  # type: ignore[arg-type]
    assert view.password_set and view.port == 2525
    view = await set_smtp_settings(deps, admin, SetSmtpSettings(clear_password=True))  # type: ignore[arg-type]
    assert (view.host, view.password_set, view.overridden) == ("127.0.0.1", False, ())
    with pytest.raises(ValidationError) as bad:
        await set_smtp_settings(deps, admin, SetSmtpSettings(port=70000))  # type: ignore[arg-type]
    assert bad.value.key == "smtp.bad_port"
    with pytest.raises(ForbiddenError):
        await smtp_settings(deps, await add_user(db, Role.EDITOR))  # type: ignore[arg-type]


async def test_dead_letters_are_retried_once_the_server_answers(db: Database, tmp_path: Path) -> None:
    port = free_port()
    deps = notify_deps(db, tmp_path, port)  # nothing listens there yet
    admin = await add_user(db, Role.ADMIN)
    channel = await create_channel(deps, admin, ChannelValues("IT", ChannelKind.EMAIL, "it@schule.example"))  # type: ignore[arg-type]
    await add_displays(db, 1)
    grace = timedelta(seconds=deps.settings.heartbeat_grace_seconds)  # type: ignore[attr-defined]
    start = WED_10 + grace + timedelta(seconds=1)
    await cycle(deps, start, 51, [])  # raised at minute 10, then 5 attempts over ~15 minutes: dead
    assert await dead_letters(deps, admin) == {channel.id: 1}  # type: ignore[arg-type]
    box = Mailbox(port)
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert await retry_dead_letters(deps, admin, channel.id) == 1  # type: ignore[arg-type]
        await cycle(deps, start + timedelta(minutes=51), 1, [])
    finally:
        controller.stop()
    assert box.subjects() == ["[Infoscreen] Alarm: Display offline – Display 0"]
    assert await dead_letters(deps, admin) == {}  # type: ignore[arg-type]
    async with db.read_session() as session:
        (delivery,) = (await session.scalars(select(NotificationDelivery))).all()
    assert delivery.status == "sent"
