"""What the Alarme page shows: its filters, the page of alarms and the group names (no NiceGUI here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.ui import gql

PAGE_SIZE = 50
ALARM_FIELDS = (
    "id kind severity state clientUuid groupId details firstSeen lastSeen raisedAt clearedAt acknowledgedAt"
    " acknowledgedNote"
)
QUERY = (
    "query($state: AlarmState, $groupId: Int, $kind: AlarmKind, $limit: Int, $offset: Int) {"
    " alarms(state: $state, groupId: $groupId, kind: $kind, limit: $limit, offset: $offset)"
    f" {{ {ALARM_FIELDS} }} }}"
)
GROUPS = "{ groups(includeUnassigned: false) { id name } }"
ACKNOWLEDGE = (
    "mutation($id: Int!, $note: String) { acknowledgeAlarm(id: $id, note: $note) { __typename"
    " ... on Alarm { id state } ... on Error { message code } } }"
)
STATES = ("ACTIVE", "ACKNOWLEDGED", "CLEARED")
KINDS = ("DISPLAY_OFFLINE", "DISPLAY_CRITICAL", "FLEET_OUTAGE", "COMMAND_FAILED", "CONVERSION_FAILED")


@dataclass
class AlarmsState:
    filters: dict[str, Any] = field(default_factory=lambda: {"state": None, "groupId": None, "kind": None})
    page: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)
    has_more: bool = False
    groups: dict[int, str] = field(default_factory=dict)

    async def load_groups(self) -> None:
        self.groups = {int(g["id"]): str(g["name"]) for g in (await gql.gql(GROUPS))["groups"] if g["id"] is not None}

    async def load(self) -> None:
        variables = {**self.filters, "limit": PAGE_SIZE + 1, "offset": self.page * PAGE_SIZE}
        rows = (await gql.gql(QUERY, variables))["alarms"]
        self.has_more = len(rows) > PAGE_SIZE
        self.rows = rows[:PAGE_SIZE]

    async def acknowledge(self, alarm_id: int, note: str) -> dict[str, Any]:
        return gql.ok((await gql.gql(ACKNOWLEDGE, {"id": alarm_id, "note": note or None}))["acknowledgeAlarm"])
