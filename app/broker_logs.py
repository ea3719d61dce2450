"""Expected broker failures as one calm line each, instead of the MQTT libraries' warning/error bursts.

- gmqtt logs a refused CONNECT three times (`CONNACK: 0x87` as WARNING, then two ERRORs), once per retry.
  It becomes one WARNING `event=mqtt_connect_refused code=0x87 reason=...` naming what to check, repeated
  at most once a minute for the same code.
- A refused MQTT 5 CONNECT with code 0x1 (unacceptable protocol version) is a 3.1.1 broker — the embedded
  amqtt one — and the connection falls back to 3.1.1 at once: one INFO line `event=mqtt_protocol_fallback`.
- amqtt (the embedded broker) logs that MQTT 5 attempt as two WARNINGs; they are dropped (the client's
  fallback line says it).
- While the broker is away gmqtt logs every reconnect attempt (one WARNING each 2 s); it becomes
  `event=mqtt_reconnect_failed retries=N reason=...`, at most once a minute.
- gmqtt's `[TRYING WRITE TO CLOSED SOCKET]` WARNING after the broker closed a refused connection is dropped
  (publishes are confirmed by PUBACK in app.mqtt.connection, which reports what really failed).

Filters rewrite or drop records of these loggers only; every other line passes unchanged.
"""

from __future__ import annotations

import logging
import re
import time

GMQTT_HANDLER_LOGGER = "gmqtt.mqtt.handler"
GMQTT_PROTOCOL_LOGGER = "gmqtt.mqtt.protocol"
GMQTT_CLIENT_LOGGER = "gmqtt.client"
AMQTT_BROKER_LOGGER = "amqtt.broker"
REPEAT_AFTER_SECONDS = 60.0

_CONNACK = re.compile(r"CONNACK: 0x([0-9a-fA-F]+)\s*$")
_PERMANENT = ("is permanent, not reconnecting", "not reconnecting after a permanent CONNACK refusal")
_RECONNECT_FAILED = re.compile(r"failed to reconnect\. Number of retries: (\d+)\. Reason: (.*)$", re.DOTALL)
_MQTT5_REFUSED = re.compile(r"Invalid protocol from (.*): 5\s*$")

# CONNACK codes of MQTT 3.1.1 (1-5) and MQTT 5 (0x80+), with what the operator should check.
_REASONS = {
    0x2: "client id rejected (MQTT_CLIENT_ID)",
    0x3: "broker unavailable",
    0x4: "bad user name or password (MQTT_USER/MQTT_PASSWORD)",
    0x5: "not authorized (MQTT_USER/MQTT_PASSWORD)",
    0x85: "client id rejected (MQTT_CLIENT_ID)",
    0x86: "bad user name or password (MQTT_USER/MQTT_PASSWORD)",
    0x87: "not authorized (MQTT_USER/MQTT_PASSWORD)",
    0x88: "broker unavailable",
    0x8A: "client banned",
}
_UNACCEPTABLE_PROTOCOL = 0x1


def _rewrite(record: logging.LogRecord, level: int, message: str) -> None:
    record.levelno = level
    record.levelname = logging.getLevelName(level)
    record.msg = message
    record.args = None
    record.exc_info = None
    record.exc_text = None


class GmqttConnackFilter(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self._last: dict[int, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(part in message for part in _PERMANENT):
            return False  # said once already, by the CONNACK line
        match = _CONNACK.search(message)
        if match is None:
            return True
        code = int(match.group(1), 16)
        if code == _UNACCEPTABLE_PROTOCOL:
            _rewrite(
                record,
                logging.INFO,
                "event=mqtt_protocol_fallback broker refused MQTT 5 (it speaks 3.1.1); connecting with MQTT 3.1.1",
            )
            return True
        now = time.monotonic()
        if now - self._last.get(code, float("-inf")) < REPEAT_AFTER_SECONDS:
            return False
        self._last[code] = now
        reason = _REASONS.get(code, "refused by the broker")
        _rewrite(record, logging.WARNING, f"event=mqtt_connect_refused code=0x{code:02x} reason={reason}")
        return True


class GmqttReconnectFilter(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self._last = float("-inf")

    def filter(self, record: logging.LogRecord) -> bool:
        match = _RECONNECT_FAILED.search(record.getMessage())
        if match is None:
            return True
        now = time.monotonic()
        if now - self._last < REPEAT_AFTER_SECONDS:
            return False
        self._last = now
        reason = " ".join(match.group(2).split())[:200]
        _rewrite(record, logging.WARNING, f"event=mqtt_reconnect_failed retries={match.group(1)} reason={reason}")
        return True


class GmqttClosedSocketFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "TRYING WRITE TO CLOSED SOCKET" not in record.getMessage()


class AmqttProtocolFilter(logging.Filter):
    """The embedded broker's view of a client trying MQTT 5 first (it then comes back with 3.1.1)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Invalid connection from"):
            return False  # always followed by the line that says why
        # The client's side says it once (event=mqtt_protocol_fallback); the broker's side adds nothing.
        return _MQTT5_REFUSED.search(message) is None


def _install(logger_name: str, filter_type: type[logging.Filter], *, fresh: bool) -> None:
    logger = logging.getLogger(logger_name)
    existing = [f for f in logger.filters if isinstance(f, filter_type)]
    if existing and not fresh:
        return
    for old in existing:
        logger.removeFilter(old)
    logger.addFilter(filter_type())


def install_broker_log_filters(*, fresh: bool = False) -> None:
    """Idempotent; called at logging set-up and when the embedded broker starts.

    `fresh=True` replaces the filters, forgetting which lines were said within the last minute.
    """
    _install(GMQTT_HANDLER_LOGGER, GmqttConnackFilter, fresh=fresh)
    _install(GMQTT_PROTOCOL_LOGGER, GmqttClosedSocketFilter, fresh=fresh)
    _install(GMQTT_CLIENT_LOGGER, GmqttReconnectFilter, fresh=fresh)
    _install(AMQTT_BROKER_LOGGER, AmqttProtocolFilter, fresh=fresh)
