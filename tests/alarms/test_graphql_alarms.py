"""Alarms through /graphql (contract "Alarme"): list, acknowledge, maintenance windows, `alarmUpdated` — admin+."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.domain.alarms.evaluate import EvaluateAlarms, evaluate_alarms
from app.domain.audit.models import AuditLogEntry
from app.domain.clock import utcnow
from app.domain.enums import Role
from tests.alarms.receivers import webhook_receiver
from tests.commands.factory import make_client, make_command
from tests.graphql.fleet import add_group
from tests.support.api import Api
from tests.support.live_server import GraphQLWs, eventually, served

pytestmark = pytest.mark.timeout(60)

ALARMS = """query ($state: AlarmState, $groupId: Int) {
  alarms(state: $state, groupId: $groupId, limit: 10, offset: 0) {
    id kind severity state clientUuid groupId details firstSeen lastSeen raisedAt clearedAt
    acknowledgedBy acknowledgedAt acknowledgedNote
  }
}"""
ACK = """mutation ($id: Int!, $note: String) {
  acknowledgeAlarm(id: $id, note: $note) {
    __typename
    ... on Alarm { id state acknowledgedBy acknowledgedNote }
    ... on Error { message code reason }
  }
}"""
MAINTENANCE = """mutation ($groupId: Int, $until: DateTime!) {
  setMaintenanceWindow(groupId: $groupId, until: $until) {
    __typename
    ... on MaintenanceWindow { id groupId until }
    ... on Error { message code reason }
  }
}"""


async def _failed_command_alarm(api: Api) -> tuple[str, int]:
    """A display in a group whose reboot failed, evaluated: one ACTIVE COMMAND_FAILED."""
    group_id = await add_group(api.container, "Aula")
    display = await make_client(api.container.db, description="Aula links", group_id=group_id, last_alive=utcnow())
    await make_command(api.container.db, display, status="failed", issued_at=utcnow() - timedelta(minutes=3))
    await evaluate_alarms(api.container, None, EvaluateAlarms(utcnow()))
    return display, group_id


async def test_admins_list_and_acknowledge_alarms_editors_are_refused(api: Api) -> None:
    display, group_id = await _failed_command_alarm(api)
    admin, editor = await api.token_for(Role.ADMIN), await api.token_for(Role.EDITOR)
    (alarm,) = (await api.data(ALARMS, {}, token=admin))["alarms"]
    assert (alarm["kind"], alarm["severity"], alarm["state"]) == ("COMMAND_FAILED", "MINOR", "ACTIVE")
    assert (alarm["clientUuid"], alarm["groupId"], alarm["details"]["status"]) == (display, group_id, "failed")
    assert (await api.data(ALARMS, {"groupId": group_id + 1}, token=admin))["alarms"] == []

    refused = await api.gql(ALARMS, {}, token=editor)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    denied = (await api.data(ACK, {"id": alarm["id"], "note": "schaue ich an"}, token=editor))["acknowledgeAlarm"]
    assert (denied["__typename"], denied["reason"]) == ("ForbiddenError", "auth.forbidden")

    done = (await api.data(ACK, {"id": alarm["id"], "note": " Techniker informiert "}, token=admin))["acknowledgeAlarm"]
    admin_id = (await api.data("{ me { id } }", token=admin))["me"]["id"]
    assert done == {"__typename": "Alarm", "id": alarm["id"], "state": "ACKNOWLEDGED", "acknowledgedBy": admin_id,
                    "acknowledgedNote": "Techniker informiert"}  # fmt: skip
    assert [a["id"] for a in (await api.data(ALARMS, {"state": "ACKNOWLEDGED"}, token=admin))["alarms"]] == [
        alarm["id"]
    ]
    assert (await api.data(ALARMS, {"state": "ACTIVE"}, token=admin))["alarms"] == []
    again = (await api.data(ACK, {"id": alarm["id"]}, token=admin))["acknowledgeAlarm"]
    assert (again["__typename"], again["reason"]) == ("ConflictError", "alarm.not_active")
    assert "quittiert" in again["message"]
    missing = (await api.data(ACK, {"id": 99999}, token=admin))["acknowledgeAlarm"]
    assert missing["__typename"] == "NotFoundError"

    async with api.container.db.read_session() as session:
        audit = (await session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "alarm.acknowledge"))).all()
    assert [(a.actor_user_id, a.object_id) for a in audit] == [(admin_id, str(alarm["id"]))]


async def test_maintenance_windows_are_admin_only_and_checked(api: Api) -> None:
    group_id = await add_group(api.container, "Turnsaal")
    admin, editor = await api.token_for(Role.ADMIN), await api.token_for(Role.EDITOR)
    until = (utcnow() + timedelta(hours=2)).isoformat()
    refused = (await api.data(MAINTENANCE, {"groupId": group_id, "until": until}, token=editor))["setMaintenanceWindow"]
    assert refused["__typename"] == "ForbiddenError"
    unknown = (await api.data(MAINTENANCE, {"groupId": 4242, "until": until}, token=admin))["setMaintenanceWindow"]
    assert (unknown["__typename"], unknown["reason"]) == ("NotFoundError", "alarm.group_not_found")
    made = (await api.data(MAINTENANCE, {"groupId": group_id, "until": until}, token=admin))["setMaintenanceWindow"]
    assert made["__typename"] == "MaintenanceWindow" and made["groupId"] == group_id
    everyone = (await api.data(MAINTENANCE, {"until": until}, token=admin))["setMaintenanceWindow"]
    assert everyone["groupId"] is None
    windows = (await api.data("{ maintenanceWindows { groupId } }", token=admin))["maintenanceWindows"]
    assert sorted(w["groupId"] or 0 for w in windows) == [0, group_id]
    # Setting the group's window again replaces it; a past time ends it.
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    await api.data(MAINTENANCE, {"groupId": group_id, "until": past}, token=admin)
    windows = (await api.data("{ maintenanceWindows { groupId } }", token=admin))["maintenanceWindows"]
    assert [w["groupId"] for w in windows] == [None]
    async with api.container.db.read_session() as session:
        audit = (await session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "alarm.maintenance"))).all()
    assert len(audit) == 3 and {a.details["group_id"] for a in audit if a.details} == {group_id, None}


async def test_alarm_updated_reaches_admins_only(api: Api) -> None:
    admin, editor = await api.token_for(Role.ADMIN), await api.token_for(Role.EDITOR)
    base = api.container.bus.subscriber_count
    sub = "subscription { alarmUpdated { id kind state acknowledgedNote } }"
    async with served(api.container) as address:
        async with GraphQLWs.connect(address, editor) as ws:
            await ws.subscribe("alarms", sub)
            message = await ws.message("alarms")
            assert message["type"] == "error" or message["payload"].get("errors"), message
        async with GraphQLWs.connect(address, admin) as ws:
            await ws.subscribe("alarms", sub)
            await eventually(lambda: api.container.bus.subscriber_count == base + 1)
            await _failed_command_alarm(api)
            raised = (await ws.data("alarms"))["alarmUpdated"]
            assert (raised["kind"], raised["state"]) == ("COMMAND_FAILED", "ACTIVE")
            await api.data(ACK, {"id": raised["id"], "note": "erledigt"}, token=admin)
            acknowledged = (await ws.data("alarms"))["alarmUpdated"]
            assert (acknowledged["state"], acknowledged["acknowledgedNote"]) == ("ACKNOWLEDGED", "erledigt")


CHANNEL_FIELDS = "id name kind enabled target secret language kinds groupIds lastError lastSentAt deadLetters"
CREATE_CHANNEL = f"""mutation ($input: NotificationChannelInput!) {{
  createNotificationChannel(input: $input) {{
    __typename ... on NotificationChannel {{ {CHANNEL_FIELDS} }} ... on Error {{ message reason }}
    ... on ValidationError {{ field }}
  }}
}}"""
UPDATE_CHANNEL = f"""mutation ($id: Int!, $input: NotificationChannelInput!) {{
  updateNotificationChannel(id: $id, input: $input) {{
    __typename ... on NotificationChannel {{ {CHANNEL_FIELDS} }} ... on Error {{ message reason }}
  }}
}}"""


async def test_notification_channels_over_graphql(api: Api) -> None:
    admin, editor = await api.token_for(Role.ADMIN), await api.token_for(Role.EDITOR)
    async with webhook_receiver() as hook:
        hook_input = {"name": "Ticketsystem", "kind": "WEBHOOK", "target": hook.url, "kinds": ["DISPLAY_OFFLINE"]}
        refused = (await api.data(CREATE_CHANNEL, {"input": hook_input}, token=editor))["createNotificationChannel"]
        assert refused["__typename"] == "ForbiddenError"
        bad = {**hook_input, "target": "ftp://example.org/x"}
        invalid = (await api.data(CREATE_CHANNEL, {"input": bad}, token=admin))["createNotificationChannel"]
        assert (invalid["__typename"], invalid["reason"], invalid["field"]) == (
            "ValidationError", "channel.bad_url", "target")  # fmt: skip
        made = (await api.data(CREATE_CHANNEL, {"input": hook_input}, token=admin))["createNotificationChannel"]
        assert made["__typename"] == "NotificationChannel" and made["kinds"] == ["DISPLAY_OFFLINE"]
        assert made["secret"] and made["deadLetters"] == 0

        test = "mutation ($id: Int!) { testNotificationChannel(id: $id) { __typename ... on NotificationTestResult { success message } } }"  # noqa: E501
        result = (await api.data(test, {"id": made["id"]}, token=admin))["testNotificationChannel"]
        assert result == {"__typename": "NotificationTestResult", "success": True, "message": None}
        assert json.loads(hook.requests[0][1])["change"] == "test"

        changed = {**hook_input, "enabled": False, "groupIds": [3], "language": "en"}
        updated = (await api.data(UPDATE_CHANNEL, {"id": made["id"], "input": changed}, token=admin))[
            "updateNotificationChannel"
        ]
        assert (updated["enabled"], updated["groupIds"], updated["secret"]) == (False, [3], made["secret"])
        listed = (await api.data(f"{{ notificationChannels {{ {CHANNEL_FIELDS} }} }}", token=admin))[
            "notificationChannels"
        ]
        assert [c["id"] for c in listed] == [made["id"]] and listed[0]["lastSentAt"] is not None
        delete = "mutation ($id: Int!) { deleteNotificationChannel(id: $id) { __typename } }"
        assert (await api.data(delete, {"id": made["id"]}, token=admin))["deleteNotificationChannel"] == {
            "__typename": "NotificationChannelDeleted"
        }
        gone = (await api.data(delete, {"id": made["id"]}, token=admin))["deleteNotificationChannel"]
        assert gone["__typename"] == "NotFoundError"
