"""What the groups page shows: groups, displays and the table's filter, loaded through GraphQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.ui import gql
from app.ui.broker_access import BROKER_CLIENT_FIELDS, PENDING, access_label, access_of, accounts_managed
from app.ui.i18n import t
from app.ui.widgets import (
    CLIENT_FIELDS,
    HEALTH_ORDER,
    alive_now,
    client_name,
    display_health,
    health_color,
    health_label,
    last_alive_label,
)

ALL = "all"
UNASSIGNED = "none"
GROUPS_CLIENT_FIELDS = f"{CLIENT_FIELDS} {BROKER_CLIENT_FIELDS}"


@dataclass
class GroupsState:
    grace: int = 180
    groups: list[dict[str, Any]] = field(default_factory=list)
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    group_filter: str = ALL
    # The server manages per-display broker accounts (MQTT_DYNSEC_ENABLED): show access and its actions.
    managed: bool = False
    pending_only: bool = False
    search: str = ""
    status_filter: str = ALL

    async def load(self) -> None:
        data = await gql.gql(
            "query { heartbeatGracePeriodSeconds groups(includeUnassigned: false) { id name displayOrder } "
            f"clients {{ {GROUPS_CLIENT_FIELDS} }} }}"
        )
        self.grace = int(data["heartbeatGracePeriodSeconds"])
        self.groups = data["groups"]
        self.clients = {c["uuid"]: c for c in data["clients"]}
        self.managed = await accounts_managed()

    def group_name(self, group_id: int | None) -> str:
        for group in self.groups:
            if group["id"] == group_id:
                return str(group["name"])
        return t("dash.unassigned")

    def group_options(self) -> dict[str, str]:
        options = {str(g["id"]): g["name"] for g in self.groups}
        options[UNASSIGNED] = t("dash.unassigned")
        return options

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for client in sorted(self.clients.values(), key=lambda c: client_name(c).lower()):
            key = UNASSIGNED if client.get("groupId") is None else str(client["groupId"])
            if self.group_filter not in (ALL, key):
                continue
            if self.managed and self.pending_only and access_of(client) != PENDING:
                continue
            if not self._matches(client):
                continue
            rows.append(self._row(client))
        return rows

    def _matches(self, client: dict[str, Any]) -> bool:
        """The search (name, uuid, hostname, IP; case-insensitive substring) and the status filter."""
        needle = self.search.strip().lower()
        if needle:
            haystack = " ".join(str(client.get(f) or "") for f in ("description", "uuid", "hostname", "ip")).lower()
            if needle not in haystack and needle not in client_name(client).lower():
                return False
        # The one status (Client.health, turned OFFLINE locally when the heartbeat ages out), as every page shows.
        return self.status_filter == ALL or display_health(client, self.grace) == self.status_filter

    async def fetch_clients(self) -> dict[str, dict[str, Any]]:
        data = await gql.gql(f"query {{ clients {{ {GROUPS_CLIENT_FIELDS} }} }}")
        return {c["uuid"]: c for c in data["clients"]}

    def status_options(self) -> dict[str, str]:
        return {ALL: t("common.all"), **{status: health_label(status) for status in HEALTH_ORDER}}

    def _row(self, client: dict[str, Any]) -> dict[str, Any]:
        alive = alive_now(client, self.grace)
        health = display_health(client, self.grace)
        broker_label, broker_color = access_label(client)
        return {
            "uuid": client["uuid"],
            "name": client_name(client),
            "hostname": client.get("hostname") or "–",
            "ip": client.get("ip") or "–",
            "group": self.group_name(client.get("groupId")),
            "lastAlive": last_alive_label(client),
            "alive": alive,
            "health": health,
            "statusLabel": health_label(health),
            "statusColor": health_color(health),
            "brokerAccess": access_of(client),
            "brokerLabel": broker_label,
            "brokerColor": broker_color,
        }


async def group_mutation(query: str, variables: dict[str, Any], name: str) -> dict[str, Any]:
    data = await gql.gql(query, variables)
    return gql.ok(data[name])
