"""Issuing and reading commands through /graphql (no broker connected in this process)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.domain.audit.models import AuditLogEntry
from app.domain.clients.models import ClientGroup
from app.domain.clock import utcnow
from app.domain.enums import Role
from tests.commands.factory import make_client
from tests.support.api import Api

COMMAND_FIELDS = """commandId clientUuid action actionKind status statusKind isTerminal reason requestedBy issuedAt
expiresAt publishedAt ackedAt executionStartedAt completedAt failedAt errorCode errorMessage
transitions { fromStatus toStatus source at }"""
RESTART = f"""mutation($uuid: String!, $reason: String) {{
  restartClient(uuid: $uuid, reason: $reason) {{ __typename ... on Error {{ message }}
    ... on CommandIssueResult {{ success message command {{ {COMMAND_FIELDS} }} }} }} }}"""
SHUTDOWN = """mutation($uuid: String!) { shutdownClient(uuid: $uuid) {
  ... on CommandIssueResult { success message command { status action } } } }"""
RESTART_APP = """mutation($uuid: String!) { restartClientApp(uuid: $uuid) {
  ... on CommandIssueResult { success message command { status action } } } }"""


async def test_only_admins_may_issue_commands(api: Api) -> None:
    uuid = await make_client(api.container.db)
    anonymous = await api.gql(RESTART, {"uuid": uuid})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    editor = await api.data(RESTART, {"uuid": uuid}, token=await api.token_for(Role.EDITOR))
    assert editor["restartClient"] == {
        "__typename": "ForbiddenError",
        "message": "Keine Berechtigung für diese Aktion.",
    }
    listing = await api.gql("{ clientCommands { commandId } }", token=await api.token_for(Role.EDITOR))
    assert listing["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_unknown_client_and_overlong_reason_are_refused(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    data = await api.data(RESTART, {"uuid": "00000000-0000-4000-8000-000000000000"}, token=token)
    assert data["restartClient"] == {"__typename": "NotFoundError", "message": "Client nicht gefunden"}
    uuid = await make_client(api.container.db)
    data = await api.data(RESTART, {"uuid": uuid, "reason": "x" * 2001}, token=token)
    assert data["restartClient"]["__typename"] == "ValidationError" and "2000" in data["restartClient"]["message"]
    assert (await api.data("{ clientCommands { commandId } }", token=token))["clientCommands"] == []


async def test_without_a_broker_the_command_is_recorded_as_failed(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    uuid = await make_client(api.container.db)
    data = await api.data(RESTART, {"uuid": uuid, "reason": "  Bild eingefroren  "}, token=token)
    result = data["restartClient"]
    assert result["success"] is False
    command = result["command"]
    assert command["status"] == "failed" and command["statusKind"] == "FAILED" and command["isTerminal"]
    assert command["action"] == "reboot_host" and command["actionKind"] == "REBOOT_HOST"
    assert command["errorCode"] == "mqtt_publish_failed" and command["errorMessage"]
    assert command["reason"] == "Bild eingefroren" and command["failedAt"] and command["publishedAt"] is None
    assert [(t["fromStatus"], t["toStatus"], t["source"]) for t in command["transitions"]] == [
        (None, "queued", "api"), ("queued", "publish_in_progress", "api"), ("publish_in_progress", "failed", "api"),
    ]  # fmt: skip
    one = await api.data(
        "query($id: String!) { clientCommand(commandId: $id) { commandId status } }",
        {"id": command["commandId"]},
        token=token,
    )
    assert one["clientCommand"] == {"commandId": command["commandId"], "status": "failed"}
    missing = await api.data('{ clientCommand(commandId: "nope") { commandId } }', token=token)
    assert missing["clientCommand"] is None
    async with api.container.db.read_session() as session:
        audit = (await session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "command.issue"))).all()
    assert [a.object_id for a in audit] == [command["commandId"]]


async def test_fourth_restart_in_15_minutes_is_blocked_but_shutdown_is_not(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    uuid = await make_client(api.container.db)
    for query in (RESTART, RESTART_APP, RESTART):
        await api.data(query, {"uuid": uuid}, token=token)
    blocked = (await api.data(RESTART_APP, {"uuid": uuid}, token=token))["restartClientApp"]
    assert blocked["success"] is False
    assert blocked["message"] == "Neustart voruebergehend blockiert (Sicherheits-Lockout)"
    assert blocked["command"] == {"status": "blocked_safety", "action": "restart_app"}
    # Blocked attempts count too, and shutdown is never limited.
    again = (await api.data(RESTART, {"uuid": uuid}, token=token))["restartClient"]
    assert again["command"]["status"] == "blocked_safety" and again["command"]["errorCode"] == "lockout_threshold"
    assert again["command"]["errorMessage"] == "Reboot lockout active for this client"
    shutdown = (await api.data(SHUTDOWN, {"uuid": uuid}, token=token))["shutdownClient"]
    assert shutdown["command"]["status"] != "blocked_safety"
    listing = await api.data(
        "query($u: String) { clientCommands(clientUuid: $u, limit: 3) { status action } }", {"u": uuid}, token=token
    )
    assert [c["action"] for c in listing["clientCommands"]] == ["shutdown_host", "reboot_host", "restart_app"]


async def test_restart_offline_clients_needs_a_reason_and_targets_only_offline_clients(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    db = api.container.db
    async with db.session() as session:
        group = ClientGroup(name="Aula")
        session.add(group)
        await session.flush()
        group_id = group.id
    offline = await make_client(db, group_id=group_id, last_alive=utcnow() - timedelta(hours=1))
    never_seen = await make_client(db, group_id=group_id)
    await make_client(db, group_id=group_id, last_alive=utcnow())  # online
    await make_client(db, group_id=group_id, is_active=False)  # deactivated
    await make_client(db, last_alive=utcnow() - timedelta(hours=1))  # other group
    query = """mutation($g: Int!, $r: String!) { restartOfflineClients(groupId: $g, reason: $r) {
      __typename ... on BulkCommandIssue { issued failed results { clientUuid success message command { action } } }
      ... on ValidationError { message field } ... on NotFoundError { message } } }"""
    blank = (await api.data(query, {"g": group_id, "r": "  "}, token=token))["restartOfflineClients"]
    assert blank["__typename"] == "ValidationError" and blank["field"] == "reason"
    unknown = (await api.data(query, {"g": 999, "r": "Stromausfall"}, token=token))["restartOfflineClients"]
    assert unknown == {"__typename": "NotFoundError", "message": "Gruppe nicht gefunden"}
    bulk = (await api.data(query, {"g": group_id, "r": "Stromausfall"}, token=token))["restartOfflineClients"]
    assert sorted(r["clientUuid"] for r in bulk["results"]) == sorted([offline, never_seen])
    assert all(r["command"]["action"] == "reboot_host" for r in bulk["results"])
    assert bulk["failed"] == 2  # no broker in this process: tracked, but recorded as failed


async def test_the_command_outcome_is_worded_in_the_callers_language(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    uuid = await make_client(api.container.db)
    german = (await api.data(RESTART, {"uuid": uuid}, token=token))["restartClient"]
    assert german["message"].startswith("Befehl konnte nicht gesendet werden")
    response = await api.client.post(
        "/graphql",
        json={"query": RESTART, "variables": {"uuid": uuid}},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en-GB,en;q=0.9"},
    )
    english = response.json()["data"]["restartClient"]
    assert english["success"] is False
    assert english["message"].startswith("The command could not be sent")
