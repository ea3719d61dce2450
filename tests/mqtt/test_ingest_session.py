"""The ingest's client id: stable across restarts, distinct for concurrent processes, host-independent with
MQTT_CLIENT_ID_DIR (a redeployed container gets a new host name but must resume its broker session)."""

from __future__ import annotations

from pathlib import Path

from app.config import load_settings
from app.mqtt.session import durable_session


def test_slots_are_taken_in_order_and_freed_with_their_holder(tmp_path: Path) -> None:
    settings = load_settings(DATA_DIR=str(tmp_path), MQTT_BROKER_HOST="broker.example", MQTT_BROKER_PORT="1883",
                             MQTT_CLIENT_ID_DIR=str(tmp_path / "ids"), MQTT_SESSION_EXPIRY_SECONDS="600")  # fmt: skip
    first = durable_session(settings, "ingest")
    second = durable_session(settings, "ingest")
    assert (first.client_id, second.client_id) == ("infoscreen-ingest-0", "infoscreen-ingest-1")
    assert first.connect_properties(settings) == {"receive_maximum": 65535, "session_expiry_interval": 600}
    assert first.slot_lock is not None
    first.slot_lock.close()  # the process holding slot 0 died (the kernel drops its lock, even on kill -9)
    again = durable_session(settings, "ingest")
    assert again.client_id == "infoscreen-ingest-0"  # its replacement resumes the same session


def test_an_explicit_client_id_wins(tmp_path: Path) -> None:
    settings = load_settings(DATA_DIR=str(tmp_path), MQTT_BROKER_HOST="broker.example", MQTT_CLIENT_ID="ingest-a")
    session = durable_session(settings, "ingest")
    assert session.client_id == "ingest-a" and not session.clean_start
