"""Gatekeeping for everything a display sends: topic shape, payload size, JSON shape, field types.

Anything that fails raises `Drop(reason)`; the dispatcher counts it per reason and logs it (rate-limited).
A dropped message never touches stored data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.domain.enums import LogLevel
from app.mqtt.topics import is_uuid

# Telemetry (everything but screenshots) is small; a bigger payload is a broken or hostile client.
TELEMETRY_MAX_BYTES = 256 * 1024
# Integer columns are 32-bit signed on both engines.
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


class Drop(Exception):
    """This message is refused; `reason` is the counter name (short, stable, snake_case)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class TopicKind(StrEnum):
    DISCOVERY = "discovery"
    HEARTBEAT = "heartbeat"
    HEALTH = "health"
    LOG = "log"
    DASHBOARD = "dashboard"
    SCREENSHOT = "screenshot"
    SERVICE_FAILED = "service_failed"
    COMMAND_ACK = "command_ack"


_SIMPLE_KINDS = {
    "heartbeat": TopicKind.HEARTBEAT,
    "health": TopicKind.HEALTH,
    "dashboard": TopicKind.DASHBOARD,
    "screenshot": TopicKind.SCREENSHOT,
    "service_failed": TopicKind.SERVICE_FAILED,
}
_LOG_LEVELS = {"error": LogLevel.ERROR, "warn": LogLevel.WARN, "info": LogLevel.INFO}


@dataclass(frozen=True, slots=True)
class RoutedTopic:
    kind: TopicKind
    uuid: str | None = None  # lowercase; None only for discovery
    level: LogLevel | None = None


def route_topic(topic: str) -> RoutedTopic:
    """Classify an incoming topic by its exact shape; the uuid segment must be a real UUID."""
    parts = topic.split("/")
    if parts == ["infoscreen", "discovery"]:
        return RoutedTopic(TopicKind.DISCOVERY)
    if len(parts) < 3 or len(parts) > 4 or parts[0] != "infoscreen":
        raise Drop("unknown_topic")
    segment, rest = parts[1], parts[2:]
    if len(rest) == 1 and rest[0] in _SIMPLE_KINDS:
        kind, level = _SIMPLE_KINDS[rest[0]], None
    elif len(rest) == 2 and rest[0] == "logs" and rest[1] in _LOG_LEVELS:
        kind, level = TopicKind.LOG, _LOG_LEVELS[rest[1]]
    elif len(rest) == 2 and rest[0] in ("commands", "command") and rest[1] == "ack":
        kind, level = TopicKind.COMMAND_ACK, None
    else:
        raise Drop("unknown_topic")
    if not is_uuid(segment):
        raise Drop("bad_uuid")
    return RoutedTopic(kind, segment.lower(), level)


def check_size(payload: bytes, limit: int) -> None:
    if len(payload) > limit:
        raise Drop("oversized", f"{len(payload)} bytes > {limit}")


def decode_object(payload: bytes, limit: int) -> dict[str, Any]:
    """UTF-8 JSON whose top level is an object, at most `limit` bytes."""
    check_size(payload, limit)
    try:
        value = json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise Drop("not_json") from None
    if not isinstance(value, dict):
        raise Drop("not_object")
    return value


# --- typed field access ---------------------------------------------------------------------------
# `absent` means the key is missing (leave the column alone); None is an explicit null (clear it).


class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


def opt_str(obj: dict[str, Any], key: str, max_len: int) -> Any:
    """A string (cut to `max_len`), None, or ABSENT; any other JSON type drops the message."""
    if key not in obj:
        return ABSENT
    value = obj[key]
    if value is None:
        return None
    if not isinstance(value, str):
        raise Drop("wrong_type", key)
    return value[:max_len]


def opt_int(obj: dict[str, Any], key: str) -> Any:
    """A 32-bit integer, None, or ABSENT (booleans and floats are not integers)."""
    if key not in obj:
        return ABSENT
    value = obj[key]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Drop("wrong_type", key)
    if not _INT_MIN <= value <= _INT_MAX:
        raise Drop("out_of_range", key)
    return value


def opt_obj(obj: dict[str, Any], key: str) -> dict[str, Any] | None:
    """A nested JSON object or None (missing/null); any other type drops the message."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Drop("wrong_type", key)
    return value


def put(values: dict[str, Any], column: str, value: Any) -> None:
    if value is not ABSENT:
        values[column] = value
