"""The Durchsage's GraphQL documents and small pure helpers shared by the header and the page."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from app.ui import gql
from app.ui.i18n import t

log = logging.getLogger(__name__)

FIELDS = """id title message severity groupIds startedAt endsAt endedAt startedBy active eventId targetCount
    shownCount offlineCount pendingCount secondsTo50 secondsTo90 secondsTo100"""
ACTIVE = f"query {{ broadcasts(activeOnly: true) {{ {FIELDS} }} }}"
HISTORY = f"query {{ broadcasts {{ {FIELDS} }} }}"
RECEIPTS = "receipts { clientUuid groupId status shownAt clientName groupName }"
ONE = f"query($id: Int!) {{ broadcast(id: $id) {{ {FIELDS} {RECEIPTS} }} }}"
GROUPS = "query { groups(includeUnassigned: false) { id name } }"
START = (
    "mutation($input: BroadcastInput!) { startBroadcast(input: $input) { __typename "
    f"... on Broadcast {{ {FIELDS} }} ... on Error {{ message code reason }} }} }}"
)
END = (
    "mutation($id: Int!) { endBroadcast(id: $id) { __typename ... on Broadcast { id } ... on Error { message code } } }"
)
UPDATED = "subscription { broadcastUpdated { id active shownCount offlineCount } }"
UPDATED_ONE = "subscription($id: Int) { broadcastUpdated(id: $id) { id active shownCount offlineCount } }"

TEMPLATES = ("evacuation", "end_of_lessons", "free_text")
TEMPLATE_SEVERITY = {"evacuation": "ALARM", "end_of_lessons": "INFO", "free_text": "INFO"}
SEVERITIES = ("INFO", "WARNING", "ALARM")
# Badge colours (white text on these has ≥ 4.5:1 contrast).
SEVERITY_COLORS = {"INFO": "blue-9", "WARNING": "deep-orange-10", "ALARM": "red-9"}
STATUS_COLORS = {"PENDING": "grey-8", "SHOWN": "green-9", "OFFLINE": "red-9"}
DURATIONS = (0, 15, 30, 60, 120)


def template_text(template: str) -> tuple[str, str]:
    """(title, message) a template fills in; the free text starts empty."""
    if template == "free_text":
        return "", ""
    return t(f"broadcast.template.{template}"), t(f"broadcast.template.{template}.text")


def ends_at(minutes: int) -> str | None:
    if not minutes:
        return None
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def label(b: dict[str, Any]) -> str:
    return b.get("title") or t("broadcast.button")


def seconds(value: object) -> str:
    return "–" if value is None else f"{float(value):.1f} s"  # type: ignore[arg-type]


def online(b: dict[str, Any]) -> int:
    return int(b["targetCount"]) - int(b["offlineCount"])


async def active() -> list[dict[str, Any]]:
    return list((await gql.gql(ACTIVE)).get("broadcasts") or [])


async def start(variables: dict[str, Any]) -> dict[str, Any]:
    return gql.ok((await gql.gql(START, {"input": variables})).get("startBroadcast"))


async def end(broadcast_id: int) -> dict[str, Any]:
    return gql.ok((await gql.gql(END, {"id": broadcast_id})).get("endBroadcast"))
