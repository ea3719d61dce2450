"""Wire payload → domain record, per topic (seed-spec §4.1–4.5). Every function raises `Drop` on bad input.

Field rules (documented in docs/mqtt-contract.md):
- a known field with the wrong JSON type drops the whole message (nothing is half-applied);
- a missing field leaves the stored value alone; an explicit null clears it;
- an enum value the server does not know (a newer display) leaves that column alone;
- the spec's lenient spots stay lenient: `broker_connection.reconnect_count` that is not an int and
  unparsable timestamps are ignored.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from typing import Any

from app.domain.clients.telemetry import ClientStateChange, TelemetryReason
from app.domain.enums import LogLevel, ProcessStatus, ScreenHealthStatus, ScreenshotType
from app.domain.monitoring.log_ingest import ClientLogEntry
from app.domain.screenshots.storage import normalize_screenshot_type
from app.mqtt.ingest.validation import ABSENT, Drop, opt_int, opt_obj, opt_str, put, sane_timestamp
from app.mqtt.topics import is_uuid

HARDWARE_INFO_MAX_BYTES = 16 * 1024
HARDWARE_INFO_MAX_KEYS = 64
_KEY_MAX_CHARS = 64

# column: (primary key, aliases older/other clients use, max length)
_DISCOVERY_FIELDS: dict[str, tuple[str, tuple[str, ...], int]] = {
    "hostname": ("hostname", ("host_name",), 255),
    "ip": ("ip", ("ip_address",), 64),
    "mac_address": ("mac_address", ("mac",), 64),
    "model": ("model", ("hardware_model", "device_model"), 255),
    "os_version": ("os_version", ("os",), 255),
    "software_version": ("software_version", ("client_version", "version"), 100),
}


def discovery(payload: dict[str, Any], now: datetime) -> ClientStateChange:
    uuid = payload.get("uuid")
    if not is_uuid(uuid):
        raise Drop("bad_uuid", "discovery payload uuid")
    values: dict[str, Any] = {"last_discovery_at": now}
    consumed = {"uuid"}
    for column, (key, aliases, max_len) in _DISCOVERY_FIELDS.items():
        if key in payload:
            put(values, column, opt_str(payload, key, max_len))
            consumed.add(key)
            continue
        for alias in aliases:  # aliases are only taken when they are plain strings
            if isinstance(payload.get(alias), str):
                values[column] = payload[alias][:max_len]
                consumed.add(alias)
                break
    values["hardware_info"] = _bounded_rest({k: v for k, v in payload.items() if k not in consumed})
    return ClientStateChange(str(uuid).lower(), TelemetryReason.DISCOVERY, values)


def _bounded_rest(rest: dict[str, Any]) -> dict[str, Any] | None:
    """The remaining discovery fields, at most HARDWARE_INFO_MAX_KEYS keys and HARDWARE_INFO_MAX_BYTES."""
    kept: dict[str, Any] = {}
    size = 2
    for key, value in rest.items():
        if len(kept) >= HARDWARE_INFO_MAX_KEYS:
            break
        try:
            encoded = json.dumps({key[:_KEY_MAX_CHARS]: value}, ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError, RecursionError):
            continue
        if size + len(encoded.encode()) > HARDWARE_INFO_MAX_BYTES:
            continue
        size += len(encoded.encode())
        kept[key[:_KEY_MAX_CHARS]] = value
    return kept or None


def _enum_or_absent(enum_cls: type[ProcessStatus] | type[ScreenHealthStatus], value: Any, *, upper: bool) -> Any:
    if value is ABSENT or value is None:
        return value
    text = value.strip().upper() if upper else value.strip().lower()
    with contextlib.suppress(ValueError):
        return enum_cls(text)
    return ABSENT  # a value this server does not know: leave the column alone


def heartbeat(uuid: str, payload: dict[str, Any], now: datetime) -> ClientStateChange:
    values: dict[str, Any] = {"last_alive": now}
    put(values, "current_process", opt_str(payload, "current_process", 100))
    put(values, "process_pid", opt_int(payload, "process_pid"))
    put(values, "process_status", _enum_or_absent(ProcessStatus, opt_str(payload, "process_status", 40), upper=False))
    put(values, "current_event_id", opt_int(payload, "current_event_id"))
    return ClientStateChange(uuid, TelemetryReason.HEARTBEAT, values)


def health(uuid: str, payload: dict[str, Any], now: datetime, repairs: list[str] | None = None) -> ClientStateChange:
    values: dict[str, Any] = {"last_health_at": now}
    actual = opt_obj(payload, "actual_state")
    if actual is not None:
        put(values, "current_process", opt_str(actual, "process", 100))
        put(values, "process_pid", opt_int(actual, "pid"))
        put(values, "process_status", _enum_or_absent(ProcessStatus, opt_str(actual, "status", 40), upper=False))
    expected = opt_obj(payload, "expected_state")
    if expected is not None:
        put(values, "current_event_id", opt_int(expected, "event_id"))
    metrics = opt_obj(payload, "health_metrics")
    screen = ABSENT
    for source, key in (
        (metrics, "screen_health_status"),
        (metrics, "screen_status"),
        (payload, "screen_health_status"),
    ):
        if source is not None and key in source:
            screen = opt_str(source, key, 20)
            break
    put(values, "screen_health_status", _enum_or_absent(ScreenHealthStatus, screen, upper=True))
    if metrics is not None:
        frame = sane_timestamp(metrics.get("last_frame_update"), now, repairs, "last_frame_update")
        if frame is not None:
            values["last_screenshot_analyzed"] = frame
    broker = payload.get("broker_connection")
    if isinstance(broker, dict):  # §4.3: each part is ignored when it does not parse
        count = broker.get("reconnect_count")
        if isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= 2**31 - 1:
            values["mqtt_reconnect_count"] = count
        disconnected = sane_timestamp(broker.get("last_disconnect_at"), now, repairs, "last_disconnect_at")
        if disconnected is not None:
            values["mqtt_last_disconnect_at"] = disconnected
    return ClientStateChange(uuid, TelemetryReason.HEALTH, values)


def log_entry(
    uuid: str, level: LogLevel, payload: dict[str, Any], now: datetime, repairs: list[str] | None = None
) -> ClientLogEntry:
    message = payload.get("message")
    if message is None:
        raise Drop("missing_field", "message")
    if not isinstance(message, str):
        raise Drop("wrong_type", "message")
    # Missing, unparsable or outside the window: the time we received it.
    timestamp = sane_timestamp(payload.get("timestamp"), now, repairs, "timestamp") or now
    return ClientLogEntry(uuid, level, message, timestamp, payload.get("context"), received_at=now)


def service_failed(
    uuid: str, payload: dict[str, Any], now: datetime, repairs: list[str] | None = None
) -> ClientStateChange:
    claimed = payload.get("client_uuid")
    if claimed is not None and (not isinstance(claimed, str) or claimed.lower() != uuid):
        raise Drop("uuid_mismatch", "client_uuid")
    unit = opt_str(payload, "unit", 128)
    failed_at = sane_timestamp(payload.get("failed_at"), now, repairs, "failed_at") or now
    return ClientStateChange(
        uuid,
        TelemetryReason.SERVICE_FAILED,
        {"service_failed_at": failed_at, "service_failed_unit": unit if unit not in (ABSENT, "") else None},
    )


def _image_field(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("data")
    if not isinstance(value, str):
        raise Drop("wrong_type" if value is not None else "no_screenshot", "screenshot")
    return value


def _capture_type(metadata: Any) -> ScreenshotType:
    capture = metadata.get("capture") if isinstance(metadata, dict) else None
    return normalize_screenshot_type(capture.get("type") if isinstance(capture, dict) else None)


def dashboard_screenshot(payload: dict[str, Any]) -> tuple[str, ScreenshotType]:
    """v2 dashboard: `content.screenshot` (base64 or {data}) and `metadata.capture.type`."""
    content = opt_obj(payload, "content")
    if content is None or content.get("screenshot") is None:
        raise Drop("no_screenshot")
    return _image_field(content["screenshot"]), _capture_type(payload.get("metadata"))


def screenshot_message(payload: dict[str, Any]) -> tuple[str, ScreenshotType]:
    """`infoscreen/{uuid}/screenshot` as JSON: `screenshot`/`image`/`data` plus `screenshot_type`/`type`."""
    for key in ("screenshot", "image", "data"):
        if payload.get(key) is not None:
            image = _image_field(payload[key])
            break
    else:
        raise Drop("no_screenshot")
    raw_type = payload.get("screenshot_type", payload.get("type"))
    kind = normalize_screenshot_type(raw_type) if raw_type is not None else _capture_type(payload.get("metadata"))
    return image, kind
