"""DISPLAY_CRITICAL names why: the one health rule's reasons (crashed player, failed service, black or frozen
screen, content mismatch, ...) are carried on the alarm and written in the mails, in German and English; a
reason the rule adds later is carried and shown without a change to the alarms."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from app.domain.alarms.channels import ChannelValues, create_channel
from app.domain.alarms.models import Alarm, AlarmKind, ChannelKind
from app.domain.alarms.rules import (
    AlarmPolicy,
    DisplayView,
    OperatingHours,
    Situation,
    display_conditions,
    parse_reasons,
    policy_from_settings,
)
from app.domain.alarms.texts import body_of, reasons_text, subject_of
from app.domain.clients.models import Client
from app.domain.db import Database
from app.domain.enums import ProcessStatus, Role, ScreenHealthStatus
from app.domain.monitoring.classify import ClientHealth
from app.domain.settings.models import SystemSetting
from tests.alarms.receivers import smtp_server
from tests.alarms.test_evaluate import WED_10, Deps, add_displays, alarm_rows, run_minutes
from tests.alarms.test_notifications import cycle, notify_deps
from tests.unit.fakes import add_user, unit_settings

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def deps(any_db: Database, tmp_path: Path) -> Deps:
    return Deps(any_db, unit_settings(tmp_path))


BROKEN = {
    "crashed": {"process_status": ProcessStatus.CRASHED},
    "black": {"screen_health_status": ScreenHealthStatus.BLACK},
    "frozen": {"screen_health_status": ScreenHealthStatus.FROZEN},
    "service": {"service_failed_at": WED_10 - timedelta(minutes=3)},
    "crashed_black": {"process_status": ProcessStatus.CRASHED, "screen_health_status": ScreenHealthStatus.BLACK},
}
EXPECTED = {
    "crashed": ["process_crashed"],
    "black": ["screen_black"],
    "frozen": ["screen_frozen"],
    "service": ["service_failed"],
    "crashed_black": ["process_crashed", "screen_black"],
}


async def _break(db: Database, uuids: list[str]) -> dict[str, str]:
    by_uuid = dict(zip(uuids, BROKEN, strict=False))
    async with db.session() as session:
        for uuid, what in by_uuid.items():
            client = await session.get(Client, uuid)
            assert client is not None
            client.screen_health_status = ScreenHealthStatus.OK
            client.process_status = ProcessStatus.RUNNING
            for name, value in BROKEN[what].items():
                setattr(client, name, value)
    return by_uuid


async def test_each_critical_display_raises_display_critical_naming_its_reasons(deps: Deps) -> None:
    uuids = await add_displays(deps.db, len(BROKEN))
    what_of = await _break(deps.db, uuids)
    await run_minutes(deps, WED_10, 11, alive=uuids)
    rows = await alarm_rows(deps.db)
    assert {a.kind for a in rows} == {"DISPLAY_CRITICAL"}
    assert {what_of[a.client_uuid or ""]: (a.details or {}).get("reasons") for a in rows} == EXPECTED
    assert all(a.state == "ACTIVE" for a in rows)


async def test_the_mails_name_the_reasons_in_the_channels_language(db: Database, tmp_path: Path) -> None:
    async with smtp_server() as box:
        deps = notify_deps(db, tmp_path, box.port)
        admin = await add_user(db, Role.ADMIN)
        for language in ("de", "en"):
            values = ChannelValues(f"IT {language}", ChannelKind.EMAIL, f"it-{language}@schule.example",
                                   language=language, kinds=(AlarmKind.DISPLAY_CRITICAL,))  # fmt: skip
            await create_channel(deps, admin, values)  # type: ignore[arg-type]
        uuids = await add_displays(db, 1)
        async with db.session() as session:
            client = await session.get(Client, uuids[0])
            assert client is not None
            client.process_status, client.screen_health_status = ProcessStatus.CRASHED, ScreenHealthStatus.BLACK
        await cycle(deps, WED_10, 11, uuids)
        mails = {str(m["To"]): m for m in box.messages}
        assert str(mails["it-de@schule.example"]["Subject"]) == (
            "[Infoscreen] Alarm: Display gestört – Display 0 (Player abgestürzt, Bildschirm schwarz)"
        )
        assert "Gründe: Player abgestürzt, Bildschirm schwarz" in mails["it-de@schule.example"].get_content()
        assert str(mails["it-en@schule.example"]["Subject"]) == (
            "[Infoscreen] Alarm: Display critical – Display 0 (player crashed, screen black)"
        )
        assert "Reasons: player crashed, screen black" in mails["it-en@schule.example"].get_content()
        assert len(box.messages) == 2


def test_a_reason_the_health_rule_adds_later_is_carried_and_shown() -> None:
    policy = AlarmPolicy(tz=WED_10.tzinfo, hours=OperatingHours(days=frozenset(range(1, 8))))  # type: ignore[arg-type]
    display = DisplayView("u-1", "Aula", 3, ClientHealth.CRITICAL, WED_10, ("content_mismatch", "hdmi_unplugged"))
    (condition,) = display_conditions([display], policy, Situation(now=WED_10))
    assert condition.kind is AlarmKind.DISPLAY_CRITICAL
    assert condition.details == {"name": "Aula", "reasons": ["content_mismatch", "hdmi_unplugged"]}
    alarm = Alarm(kind="DISPLAY_CRITICAL", client_uuid="u-1", group_id=3, details=condition.details,
                  first_seen=WED_10, last_seen=WED_10)  # fmt: skip
    assert reasons_text(alarm.details, "de") == "Inhalt weicht vom Plan ab, hdmi unplugged"
    assert subject_of(alarm, "raised", "en") == (
        "[Infoscreen] Alarm: Display critical – Aula (content does not match the plan, hdmi unplugged)"
    )
    # The cleared message does not repeat the reasons that held while it was raised.
    assert subject_of(alarm, "cleared", "de") == "[Infoscreen] Wieder in Ordnung: Display gestört – Aula"
    assert "Gründe: Inhalt weicht vom Plan ab, hdmi unplugged" in body_of(alarm, "raised", "de")


def test_warning_reasons_chosen_in_the_settings_raise_display_critical_naming_only_those() -> None:
    every_day = OperatingHours(days=frozenset(range(1, 8)))
    policy = policy_from_settings({"alarm_operating_days": "1-7"}, WED_10.tzinfo)  # type: ignore[arg-type]
    assert policy.warning_reasons == {"content_mismatch"}
    mismatch = DisplayView("u-1", "Aula", 3, ClientHealth.WARNING, WED_10, ("screen_unknown", "content_mismatch"))
    unknown = DisplayView("u-2", "Foyer", 3, ClientHealth.WARNING, WED_10, ("screen_unknown",))
    (condition,) = display_conditions([mismatch, unknown], policy, Situation(now=WED_10))
    assert (condition.key, condition.details["reasons"]) == ("critical:u-1", ["content_mismatch"])
    off = AlarmPolicy(tz=WED_10.tzinfo, hours=every_day, warning_reasons=parse_reasons("none"))  # type: ignore[arg-type]
    assert display_conditions([mismatch], off, Situation(now=WED_10)) == []
    assert parse_reasons(" Screen_Unknown , content_mismatch") == {"screen_unknown", "content_mismatch"}


async def test_a_warning_reason_named_in_the_settings_raises_the_alarm_end_to_end(deps: Deps) -> None:
    warned, calm = await add_displays(deps.db, 2)
    async with deps.db.session() as session:
        session.add(SystemSetting(key="alarm_warning_reasons", value="warn_logs"))
        for uuid in (warned, calm):
            client = await session.get(Client, uuid)
            assert client is not None
            client.process_status, client.screen_health_status = ProcessStatus.RUNNING, ScreenHealthStatus.OK
        client.last_warn_log_at = None
        warned_client = await session.get(Client, warned)
        assert warned_client is not None
        warned_client.last_warn_log_at = WED_10
    await run_minutes(deps, WED_10, 11, alive=[warned, calm])
    (alarm,) = await alarm_rows(deps.db)
    assert (alarm.kind, alarm.client_uuid, (alarm.details or {}).get("reasons")) == (
        "DISPLAY_CRITICAL", warned, ["warn_logs"])  # fmt: skip
