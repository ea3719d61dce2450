"""Alarm notifications end to end: a real SMTP server (aiosmtpd) and a real HTTP receiver on loopback."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import load_settings
from app.domain.alarms.channels import ChannelValues, create_channel, send_test_message
from app.domain.alarms.evaluate import EvaluateAlarms
from app.domain.alarms.models import AlarmKind, ChannelKind, NotificationDelivery
from app.domain.alarms.notify import MAX_ATTEMPTS, run_alarm_cycle
from app.domain.db import Database
from app.domain.enums import Role
from app.domain.users.tokens import Principal
from tests.alarms.receivers import smtp_server, webhook_receiver
from tests.alarms.test_evaluate import WED_10, Deps, add_displays, heartbeat
from tests.support.servers import free_port
from tests.unit.fakes import add_user

pytestmark = pytest.mark.timeout(120)


def notify_deps(db: Database, tmp_path: Path, smtp_port: int) -> Deps:
    settings = load_settings(
        DATA_DIR=str(tmp_path / "data"), SECRET_KEY="t", SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port),
        SMTP_SECURITY="none", SMTP_FROM="alarme@schule.example", NOTIFY_BACKOFF_SECONDS="0.05",
        NOTIFY_TIMEOUT_SECONDS="5",
    )  # fmt: skip
    return Deps(db, settings)


async def cycle(deps: Deps, start, minutes: int, alive: list[str]) -> None:  # type: ignore[no-untyped-def]
    for minute in range(minutes):
        now = start + timedelta(minutes=minute)
        await heartbeat(deps.db, alive, now)
        await run_alarm_cycle(deps, EvaluateAlarms(now))  # type: ignore[arg-type]


def signature_ok(headers: dict[str, str], body: bytes, secret: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers.get("X-Infoscreen-Signature", ""), expected)


async def _admin(db: Database) -> Principal:
    return await add_user(db, Role.ADMIN)


async def test_one_mail_and_one_webhook_per_state_change(db: Database, tmp_path: Path) -> None:
    async with smtp_server() as box, webhook_receiver() as hook:
        deps = notify_deps(db, tmp_path, box.port)
        admin = await _admin(db)
        await create_channel(
            deps, admin, ChannelValues("IT-Team", ChannelKind.EMAIL, "it@schule.example, hausmeister@schule.example")
        )  # type: ignore[arg-type]
        webhook = await create_channel(
            deps,
            admin,
            ChannelValues("Ticketsystem", ChannelKind.WEBHOOK, hook.url, language="en", secret="s3cret"),  # type: ignore[arg-type]
        )
        # A channel for another group and one for other kinds hear nothing of this display.
        await create_channel(
            deps, admin, ChannelValues("Andere", ChannelKind.EMAIL, "x@schule.example", group_ids=(9999,))
        )  # type: ignore[arg-type]
        await create_channel(deps, admin, ChannelValues("Medien", ChannelKind.EMAIL, "m@schule.example",
                                                        kinds=(AlarmKind.CONVERSION_FAILED,)))  # type: ignore[arg-type]  # fmt: skip
        silent, *others = await add_displays(db, 3)
        grace = timedelta(seconds=deps.settings.heartbeat_grace_seconds)  # type: ignore[attr-defined]
        await cycle(deps, WED_10 + grace + timedelta(seconds=1), 25, others)  # raised at minute 10
        assert box.subjects() == ["[Infoscreen] Alarm: Display offline – Display 0"]
        mail = box.messages[0]
        assert mail["To"] == "it@schule.example, hausmeister@schule.example"
        assert silent in mail.get_payload()
        assert len(hook.requests) == 1
        headers, body = hook.requests[0]
        assert signature_ok(headers, body, "s3cret") and webhook.secret == "s3cret"
        payload = json.loads(body)
        assert (payload["change"], payload["alarm"]["kind"], payload["alarm"]["client_uuid"]) == (
            "raised", "DISPLAY_OFFLINE", silent)  # fmt: skip
        assert payload["text"] == "[Infoscreen] Alarm: Display offline – Display 0"

        # Recovery: one "wieder online" each, and nothing more however often the evaluation runs.
        await cycle(deps, WED_10 + grace + timedelta(minutes=26), 15, [silent, *others])
        assert box.subjects() == ["[Infoscreen] Alarm: Display offline – Display 0",
                                  "[Infoscreen] Wieder online: Display offline – Display 0"]  # fmt: skip
        assert [json.loads(b)["change"] for _, b in hook.requests] == ["raised", "cleared"]
        assert json.loads(hook.requests[1][1])["text"] == "[Infoscreen] Back online: Display offline – Display 0"


async def test_the_webhook_is_retried_after_a_500_and_delivered_once(db: Database, tmp_path: Path) -> None:
    async with webhook_receiver() as hook:
        hook.failures = [500, 503]
        deps = notify_deps(db, tmp_path, free_port())
        admin = await _admin(db)
        channel = await create_channel(deps, admin, ChannelValues("Hook", ChannelKind.WEBHOOK, hook.url))  # type: ignore[arg-type]
        assert channel.secret  # a new webhook gets its own signing key
        await add_displays(db, 1)
        grace = timedelta(seconds=deps.settings.heartbeat_grace_seconds)  # type: ignore[attr-defined]
        await cycle(deps, WED_10 + grace + timedelta(seconds=1), 13, [])
        assert len(hook.requests) == 3  # 500, 503, then accepted
        assert all(signature_ok(h, b, channel.secret) for h, b in hook.requests)
        assert len({h["X-Infoscreen-Delivery"] for h, _ in hook.requests}) == 1
        async with db.read_session() as session:
            (delivery,) = (await session.scalars(select(NotificationDelivery))).all()
        assert (delivery.status, delivery.attempts) == ("sent", 1)


async def test_a_failing_channel_never_blocks_evaluation_and_ends_as_dead_letter(db: Database, tmp_path: Path) -> None:
    deps = notify_deps(db, tmp_path, free_port())  # nothing listens there
    admin = await _admin(db)
    await create_channel(deps, admin, ChannelValues("Kaputt", ChannelKind.EMAIL, "it@schule.example"))  # type: ignore[arg-type]
    await add_displays(db, 1)
    grace = timedelta(seconds=deps.settings.heartbeat_grace_seconds)  # type: ignore[attr-defined]
    start = WED_10 + grace + timedelta(seconds=1)
    await cycle(deps, start, 11, [])
    assert deps.changes() == [("DISPLAY_OFFLINE", "raised")]  # the alarm is there all the same
    # Retried with a growing backoff (1, 2, 4, 8 minutes), then given up.
    await cycle(deps, start + timedelta(minutes=11), 40, [])
    async with db.read_session() as session:
        (delivery,) = (await session.scalars(select(NotificationDelivery))).all()
    assert (delivery.status, delivery.attempts) == ("dead", MAX_ATTEMPTS)
    assert delivery.last_error and "SMTP" in delivery.last_error


async def test_send_a_test_message(db: Database, tmp_path: Path) -> None:
    async with smtp_server() as box:
        deps = notify_deps(db, tmp_path, box.port)
        admin = await _admin(db)
        channel = await create_channel(deps, admin, ChannelValues("IT", ChannelKind.EMAIL, "it@schule.example"))  # type: ignore[arg-type]
        outcome = await send_test_message(deps, admin, channel.id)  # type: ignore[arg-type]
        assert outcome.success and box.subjects() == ["[Infoscreen] Test: Benachrichtigungen funktionieren"]
