"""Gatekeeping for everything a display sends: topic shape, payload size, JSON shape, field types.

Anything that fails raises `Drop(reason)`; the dispatcher counts it per reason and logs it (rate-limited).
A dropped message never touches stored data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from app.domain.enums import LogLevel
from app.mqtt.topics import is_uuid

# Telemetry (everything but screenshots) is small; a bigger payload is a broken or hostile client.
TELEMETRY_MAX_BYTES = 256 * 1024
# Nesting of a whole payload. Stored JSON (a log's `context`, discovery's `hardware_info`) is a sub-tree of it
# (plus at most one wrapping level), so it stays well under MariaDB's JSON nesting limit of 32, beyond which
# `JSON_VALID` (the CHECK constraint of a JSON column) refuses the row. Real displays send depth <= 4.
MAX_JSON_DEPTH = 20
# Timestamps a display sends are stored only inside this window: not before 2000 (a Pi without RTC before NTP
# says 1970; TIMESTAMP columns start in 1970 and end on 2038-01-19) and not later than a day after receipt.
EARLIEST_TIMESTAMP = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_TIMESTAMP_AHEAD = timedelta(days=1)
# json.loads joins valid surrogate pairs into one character; any surrogate left in a str is a lone one.
_SURROGATE = re.compile("[\ud800-\udfff]")
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


def decode_object(payload: bytes, limit: int, repairs: list[str] | None = None) -> dict[str, Any]:
    """UTF-8 JSON whose top level is an object, at most `limit` bytes, nested at most MAX_JSON_DEPTH.

    Repairs made on the way (lone surrogates replaced) are appended to `repairs` for counting.
    """
    check_size(payload, limit)
    try:
        value = json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise Drop("not_json") from None
    if not isinstance(value, dict):
        raise Drop("not_object")
    return sanitize_json(value, repairs)


def sanitize_json(value: Any, repairs: list[str] | None = None, depth: int = 1) -> Any:
    """Check nesting (`MAX_JSON_DEPTH`, else `Drop("too_deep")`) and make every string valid Unicode.

    JSON may carry lone surrogates (`"\\ud800"`), which Python decodes into a `str` that cannot be encoded
    as UTF-8 and that the database refuses: they are replaced by U+FFFD (the rest of the text is kept).
    """
    if depth > MAX_JSON_DEPTH:
        raise Drop("too_deep", f"JSON nested deeper than {MAX_JSON_DEPTH}")
    if isinstance(value, str):
        return valid_text(value, repairs)
    if isinstance(value, dict):
        return {valid_text(k, repairs): sanitize_json(v, repairs, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [sanitize_json(v, repairs, depth + 1) for v in value]
    return value


def valid_text(text: str, repairs: list[str] | None = None) -> str:
    """`text` with lone surrogates replaced by U+FFFD (a no-op, and cheap, for valid text)."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        if repairs is not None:
            repairs.append("invalid_unicode")
        return _SURROGATE.sub("\ufffd", text)
    return text


def sane_timestamp(value: Any, received: datetime, repairs: list[str] | None = None, name: str = "") -> datetime | None:
    """An ISO 8601 timestamp inside the storable window (see EARLIEST_TIMESTAMP), else None.

    None for a missing, unparsable or out-of-window value; the caller decides between "receipt time" and
    "leave the column alone", as the contract says for that field (docs/mqtt-contract.md).
    """
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
        parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):  # "9999-12-31T23:00:00-05:00" overflows when moved to UTC
        return None
    if parsed < EARLIEST_TIMESTAMP or parsed > received + LATEST_TIMESTAMP_AHEAD:
        if repairs is not None:
            repairs.append(f"timestamp_out_of_window:{name}")
        return None
    return parsed


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
