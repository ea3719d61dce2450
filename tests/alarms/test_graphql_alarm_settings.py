"""The alarm additions through /graphql: `alarms(kind:)`, `alarmCounts`, `smtpSettings` / `setSmtpSettings`
(admin+, no password read back), `retryNotificationChannel`, and each user's own `myAlarmSubscription` /
`setMyAlarmSubscription` with typed errors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.alarms.evaluate import EvaluateAlarms, evaluate_alarms
from app.domain.clock import utcnow
from app.domain.enums import Role
from tests.commands.factory import make_client, make_command
from tests.support.api import Api

pytestmark = pytest.mark.timeout(60)

COUNTS = "{ alarmCounts { active acknowledged } }"
BY_KIND = "query($k: AlarmKind) { alarms(kind: $k) { id kind } }"
SMTP = """mutation($i: SmtpSettingsInput!) { setSmtpSettings(input: $i) { __typename
  ... on SmtpSettings { host port security username fromAddress passwordSet overridden }
  ... on Error { message code } ... on ValidationError { field } } }"""
SUB = """mutation($i: AlarmSubscriptionInput!) { setMyAlarmSubscription(input: $i) { __typename
  ... on AlarmSubscription { enabled mode digestTime kinds groupIds notifyCleared language }
  ... on Error { message code } } }"""
PROFILE = "mutation($e: String) { updateProfile(input: {email: $e}) { __typename } }"


async def test_counts_kind_filter_and_smtp_settings(api: Api) -> None:
    display = await make_client(api.container.db, description="Aula", last_alive=utcnow())
    await make_command(api.container.db, display, status="failed", issued_at=utcnow() - timedelta(minutes=3))
    await evaluate_alarms(api.container, None, EvaluateAlarms(utcnow()))
    admin, editor = await api.token_for(Role.ADMIN), await api.token_for(Role.EDITOR)
    assert (await api.data(COUNTS, token=admin))["alarmCounts"] == {"active": 1, "acknowledged": 0}
    assert [a["kind"] for a in (await api.data(BY_KIND, {"k": "COMMAND_FAILED"}, token=admin))["alarms"]] == [
        "COMMAND_FAILED"
    ]
    assert (await api.data(BY_KIND, {"k": "DISPLAY_OFFLINE"}, token=admin))["alarms"] == []
    assert (await api.gql(COUNTS, token=editor))["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    stored = (await api.data(SMTP, {"i": {"host": "mail.schule.example", "port": 465, "security": "ssl",
                                          "password": "pw"}}, token=admin))["setSmtpSettings"]  # fmt: skip
    assert stored["__typename"] == "SmtpSettings" and stored["passwordSet"] is True
    assert (stored["host"], stored["port"], stored["security"]) == ("mail.schule.example", 465, "ssl")
    assert set(stored["overridden"]) == {"host", "port", "security", "password"}
    bad = (
        await api.data(
            SMTP,
            {"i": {"port": 0}},
            token=admin,
        )
    )["setSmtpSettings"]
    assert (bad["__typename"], bad["code"], bad["field"]) == ("ValidationError", "VALIDATION", "port")
    refused = (await api.data(SMTP, {"i": {"host": "x"}}, token=editor))["setSmtpSettings"]
    assert refused["__typename"] == "ForbiddenError"
    missing = await api.data("mutation { retryNotificationChannel(id: 999) { __typename } }", token=admin)
    assert missing["retryNotificationChannel"]["__typename"] == "NotFoundError"


async def test_every_user_keeps_their_own_subscription(api: Api) -> None:
    user = await api.token_for(Role.USER)
    query = "{ myAlarmSubscription { enabled mode digestTime } }"
    assert (await api.data(query, token=user))["myAlarmSubscription"] == {
        "enabled": False, "mode": "IMMEDIATE", "digestTime": "07:00"}  # fmt: skip
    no_mail = (await api.data(SUB, {"i": {"enabled": True}}, token=user))["setMyAlarmSubscription"]
    assert (no_mail["__typename"], no_mail["code"]) == ("ValidationError", "VALIDATION")
    assert no_mail["message"] == "Für Alarm-Mails zuerst im Profil eine E-Mail-Adresse hinterlegen."
    await api.data(PROFILE, {"e": "lehrer@schule.example"}, token=user)
    saved = (await api.data(SUB, {"i": {"enabled": True, "mode": "DIGEST", "digestTime": "06:30",
                                        "kinds": ["DISPLAY_OFFLINE"], "language": "en"}}, token=user))  # fmt: skip
    assert saved["setMyAlarmSubscription"] == {
        "__typename": "AlarmSubscription", "enabled": True, "mode": "DIGEST", "digestTime": "06:30",
        "kinds": ["DISPLAY_OFFLINE"], "groupIds": [], "notifyCleared": True, "language": "en"}  # fmt: skip
    other = await api.token_for(Role.USER, "kollegin")
    assert (await api.data(query, token=other))["myAlarmSubscription"]["enabled"] is False
    anonymous = await api.gql(query)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
