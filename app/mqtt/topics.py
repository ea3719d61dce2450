"""The frozen topic names of the display contract (seed-spec §4). Nothing else builds topic strings."""

from __future__ import annotations

from app.domain.uuids import is_uuid as is_uuid  # the one uuid rule; re-exported for the ingest

DISCOVERY = "infoscreen/discovery"
COMMANDS = "infoscreen/{uuid}/commands"
COMMAND_COMPAT = "infoscreen/{uuid}/command"
LEGACY_RESTART = "clients/{uuid}/restart"
DISCOVERY_ACK = "infoscreen/{uuid}/discovery_ack"
GROUP_ID = "infoscreen/{uuid}/group_id"
SERVICE_FAILED = "infoscreen/{uuid}/service_failed"
EVENTS = "infoscreen/events/{group_id}"
POWER_INTENT = "infoscreen/groups/{group_id}/power/intent"

# What the ingest subscribes to.
INGEST_SUBSCRIPTIONS: tuple[tuple[str, int], ...] = (
    (DISCOVERY, 1),
    ("infoscreen/+/heartbeat", 1),
    ("infoscreen/+/health", 0),
    ("infoscreen/+/logs/error", 1),
    ("infoscreen/+/logs/warn", 1),
    ("infoscreen/+/logs/info", 0),
    ("infoscreen/+/dashboard", 1),
    ("infoscreen/+/screenshot", 1),
    ("infoscreen/+/service_failed", 1),
    ("infoscreen/+/commands/ack", 1),
    ("infoscreen/+/command/ack", 1),
)


def topic_uuid(topic: str) -> str | None:
    """The display uuid of `infoscreen/{uuid}/...`, if the segment is a real UUID."""
    parts = topic.split("/")
    if len(parts) >= 3 and parts[0] == "infoscreen" and is_uuid(parts[1]):
        return parts[1].lower()
    return None
