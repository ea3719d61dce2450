"""`kill -9` of a real `infoscreen mqtt` process in the middle of a QoS 1 burst loses and duplicates nothing.

200 displays send 15 QoS 1 log lines each while the ingest process is killed (SIGKILL: no flush, no goodbye)
and started again. What makes this hold: a fixed client id and a persistent session (the broker keeps what
was not acknowledged, and queues what arrives meanwhile), PUBACK only after commit (a message the broker
forgot is in the database), and idempotent log inserts (a message committed but not yet acknowledged is
delivered again, and skipped).

The broker here raises `max_queued_messages` from Mosquitto's default 1000: with the default the broker
itself drops, by design, whatever it queues for an offline session beyond 1000 messages (this burst puts
~2,000 in that queue). The shipped Mosquitto config (docker/mosquitto) is meant to raise it likewise.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
import uuid as uuidlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import create_mariadb_database
from tests.mqtt.ingest_support import Burst, sql
from tests.support.process import infoscreen
from tests.support.servers import RunningServer, mariadb_server, mosquitto_server

pytestmark = pytest.mark.slow

DISPLAYS = 200
LOGS_EACH = 15
QUEUE_CONFIG = "max_queued_messages 100000\n"


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[RunningServer, RunningServer]]:
    with mariadb_server() as db, mosquitto_server(QUEUE_CONFIG) as broker:
        yield db, broker


def _bootstrap(url: str, tmp_path: Path) -> None:
    env = {"DB_CONN": url, "DATA_DIR": str(tmp_path / "bootstrap"), "SECRET_KEY": "test",
           "DEFAULT_SUPERADMIN_PASSWORD": "superadmin-pass", "PATH": "/usr/bin:/bin"}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "app.cli", "bootstrap"], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stdout.decode()[-2000:] + done.stderr.decode()[-2000:]


def _wait(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what} not reached within {timeout}s"
        time.sleep(0.2)


def _client_id(log: str) -> str:
    match = re.search(r"event=mqtt_client_id client_id=(\S+)", log)
    assert match, log[-3000:]
    return match.group(1)


def test_kill_9_mid_burst_loses_and_duplicates_nothing(
    servers: tuple[RunningServer, RunningServer], tmp_path: Path
) -> None:
    db, broker = servers
    url = create_mariadb_database(db, "kill")
    _bootstrap(url, tmp_path)
    env = {"DB_CONN": url, "MQTT_BROKER_HOST": "127.0.0.1", "MQTT_BROKER_PORT": str(broker.port)}
    count = "SELECT COUNT(*), COUNT(DISTINCT message) FROM client_logs"
    uuids = [str(uuidlib.uuid4()) for _ in range(DISPLAYS)]
    burst = Burst(broker.port)
    try:
        with infoscreen("mqtt", tmp_path, **env) as first:
            for i, uuid in enumerate(uuids):  # known displays: logs of unknown ones are dropped by design
                burst.publish(i, f"infoscreen/{uuid}/heartbeat", {"process_status": "running"})
            burst.wait()
            _wait(lambda: sql(url, "SELECT COUNT(*) FROM clients")[0][0] == DISPLAYS, 30, "displays registered")

            def send() -> None:
                for n in range(LOGS_EACH):
                    for i, uuid in enumerate(uuids):
                        burst.publish(i, f"infoscreen/{uuid}/logs/warn", {"message": f"{uuid}-{n}"})
                    time.sleep(0.3)  # ~5 s of burst at ~650 msg/s

            sender = threading.Thread(target=send)
            sender.start()
            _wait(lambda: sql(url, count)[0][0] >= 400, 30, "part of the burst committed")
            first.proc.kill()  # SIGKILL mid-burst
            first.proc.wait(10)
            first_log = first.log()
        stored_at_kill = sql(url, count)[0][0]
        sender.join(60)
        burst.wait()  # the broker has every message (queued for the dead session)
        assert stored_at_kill < DISPLAYS * LOGS_EACH, "the kill came too late to prove anything"
        with infoscreen("mqtt", tmp_path, **env) as second:
            _wait(lambda: sql(url, count)[0][0] >= DISPLAYS * LOGS_EACH, 60, "every log stored after the restart")
            time.sleep(1.0)  # a duplicate would arrive right behind
            assert _client_id(second.log()) == _client_id(first_log)  # the same session was resumed
    finally:
        burst.close()
    assert tuple(sql(url, count)[0]) == (DISPLAYS * LOGS_EACH, DISPLAYS * LOGS_EACH)
