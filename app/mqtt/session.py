"""How the server's broker sessions are set up: client id, clean start / session expiry, receive-maximum.

Only the ingest connection is durable (`MqttConnection.use_durable_session`): a fixed client id per
process and a persistent MQTT 5 session (clean start false, `MQTT_SESSION_EXPIRY_SECONDS`), so QoS 1
telemetry sent while the process is down or restarting is held by the broker and delivered afterwards.

The client id must be the same after a restart and different for two processes sharing a broker:
`MQTT_CLIENT_ID` when set (one value per process); else, with `MQTT_CLIENT_ID_DIR` (a directory all ingest
processes of a deployment share, e.g. a volume mounted into every ingest container),
`infoscreen-<role>-<slot>`; else `infoscreen-<role>-<host name>-<slot>`. The slot is the lowest number
whose lock file (an advisory `flock`, per broker address, in that directory or the temp directory) this
process can hold. The lock dies with the process, even on `kill -9`, so a restarted process takes the same
slot again and resumes its session, while a second process takes the next one. A container gets a new
host name when it is recreated (a redeploy), which is why the compose file shares a directory instead.

The durable session states its Receive Maximum in CONNECT (`MQTT_RECEIVE_MAXIMUM`, 65,535): the number
of unacknowledged QoS 1 messages the broker may have in flight toward the server, which (with PUBACK held
until commit) is what the ingest can hold in memory and batch at once; the broker queues the rest
(`max_queued_messages`). Mosquitto 2.0 applies `max_inflight_messages` (default 20) toward MQTT 3.1.1
clients only; toward an MQTT 5 client it keeps the client's Receive Maximum, the protocol default 65,535
when none is sent (measured with Mosquitto 2.0.11's default config: of 300 slow-acknowledged messages, 300
were in flight at once with the property and 280 without). For MQTT 5 clients `max_inflight_messages` is
what Mosquitto announces as *its* Receive Maximum in CONNACK, which limits the server's publishing
(app/mqtt/outbox.py), not the ingest.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import socket
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from app.config import Settings

log = logging.getLogger(__name__)

_MAX_SLOTS = 64
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class MessageDeferred(Exception):
    """Raised by a message handler: do not acknowledge this message now (the broker delivers it again)."""


@dataclass
class SessionOptions:
    client_id: str
    clean_start: bool = True
    session_expiry_seconds: int = 0
    # The lock file that reserves the client id's slot, open for as long as the process lives.
    slot_lock: IO[bytes] | None = field(default=None, repr=False)

    def connect_properties(self, settings: Settings) -> dict[str, Any]:
        """MQTT 5 CONNECT properties of this session (gmqtt leaves them out for 3.1.1)."""
        properties: dict[str, Any] = {"receive_maximum": settings.mqtt_receive_maximum}
        if not self.clean_start:
            properties["session_expiry_interval"] = self.session_expiry_seconds
        return properties


def durable_session(settings: Settings, role: str) -> SessionOptions:
    expiry = settings.mqtt_session_expiry_seconds
    if settings.mqtt_client_id:
        return SessionOptions(settings.mqtt_client_id, clean_start=False, session_expiry_seconds=expiry)
    if settings.mqtt_client_id_dir is not None:
        base, lock_dir = _safe(f"infoscreen-{role}"), settings.mqtt_client_id_dir
    else:
        base = _safe(f"infoscreen-{role}-{socket.gethostname()}")[:48]
        lock_dir = Path(tempfile.gettempdir()) / "infoscreen-mqtt-client-ids"
    lock_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    broker = _safe(f"{settings.mqtt_host}-{settings.mqtt_broker_port}")
    for slot in range(_MAX_SLOTS):
        handle = (lock_dir / f"{base}-{broker}-{slot}.lock").open("ab")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        client_id = f"{base}-{slot}"
        log.info("event=mqtt_client_id client_id=%s session_expiry=%ds", client_id, expiry)
        return SessionOptions(client_id, clean_start=False, session_expiry_seconds=expiry, slot_lock=handle)
    # Never expected (64 ingest processes on one host); a random id still works, just without a durable session.
    client_id = f"{base}-{os.getpid()}"
    log.warning("event=mqtt_client_id_slots_exhausted client_id=%s", client_id)
    return SessionOptions(client_id, clean_start=False, session_expiry_seconds=expiry)


def _safe(text: str) -> str:
    return _UNSAFE.sub("-", text).strip("-")
