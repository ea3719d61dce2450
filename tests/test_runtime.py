"""`infoscreen run` as a user starts it: healthy on the embedded default and on the real services."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import paho.mqtt.client as paho

from tests.conftest import create_mariadb_database
from tests.support.process import infoscreen
from tests.support.servers import RunningServer, mosquitto_server


def _roundtrip(port: int, topic: str) -> bytes:
    received = threading.Event()
    box: list[bytes] = []
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="test-display", protocol=paho.MQTTv311)

    def on_message(_c: paho.Client, _u: object, msg: paho.MQTTMessage) -> None:
        box.append(msg.payload)
        received.set()

    client.on_message = on_message
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        client.subscribe(topic, qos=1)
        time.sleep(0.3)
        client.publish(topic, b"hello", qos=1).wait_for_publish(5)
        assert received.wait(5), "no message came back through the broker"
    finally:
        client.loop_stop()
        client.disconnect()
    return box[0]


def test_run_on_the_embedded_default_is_healthy_and_stops_cleanly(tmp_path: Path) -> None:
    with infoscreen("run", tmp_path) as proc:
        body = httpx.get(f"{proc.base_url}/health").json()
        assert body["status"] == "ok"
        assert body["components"]["db"] == {"ok": True, "detail": "sqlite reachable"}
        assert body["components"]["mqtt"]["ok"] and "3.1.1" in body["components"]["mqtt"]["detail"]
        assert "StubBroker" in body["components"]["worker"]["detail"]
        assert (Path(proc.env["DATA_DIR"]) / "infoscreen.db").exists()
        # A display can reach the embedded broker on MQTT_BROKER_PORT.
        assert _roundtrip(int(proc.env["MQTT_BROKER_PORT"]), "infoscreen/test/echo") == b"hello"
        assert "Superadmin 'superadmin' created" not in proc.log()  # the password came from the env
        assert proc.terminate() == 0
        log = proc.log()
        assert "event=process_stopping" in log and "event=process_stopped" in log


def test_run_uses_mariadb_mosquitto_and_redis_when_configured(
    tmp_path: Path, mariadb: RunningServer, mosquitto: RunningServer, redis_srv: RunningServer
) -> None:
    url = create_mariadb_database(mariadb)
    with infoscreen(
        "run",
        tmp_path,
        DB_CONN=url.replace("+aiomysql", "+pymysql"),  # the seeds' sync URL is accepted and translated
        MQTT_BROKER_HOST="127.0.0.1",
        MQTT_BROKER_PORT=str(mosquitto.port),
        REDIS_URL=f"redis://127.0.0.1:{redis_srv.port}/0",
    ) as proc:
        components = httpx.get(f"{proc.base_url}/health").json()["components"]
        assert components["db"]["detail"] == "mysql reachable"
        assert "MQTT 5" in components["mqtt"]["detail"]
        assert "Redis" in components["worker"]["detail"]
        assert "embedded_broker_started" not in proc.log()
        assert proc.terminate() == 0


def test_health_reports_a_lost_broker(tmp_path: Path) -> None:
    with (
        mosquitto_server() as own_broker,
        infoscreen("api", tmp_path, MQTT_BROKER_HOST="127.0.0.1", MQTT_BROKER_PORT=str(own_broker.port)) as proc,
    ):
        own_broker.stop()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            response = httpx.get(f"{proc.base_url}/health")
            if response.status_code == 503:
                break
            time.sleep(0.3)
        assert response.status_code == 503
        assert response.json()["components"]["mqtt"]["ok"] is False
        assert proc.terminate() == 0


def test_cli_rejects_bad_configuration_with_the_variable_name(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "migrate"],
        env={"PATH": "/usr/bin:/bin", "DATA_DIR": str(tmp_path), "POLL_INTERVAL_SECONDS": "often"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "POLL_INTERVAL_SECONDS" in result.stderr


def test_cli_migrate_and_bootstrap(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "DATA_DIR": str(tmp_path), "DEFAULT_SUPERADMIN_PASSWORD": "pw-123456"}
    for args in (["migrate"], ["bootstrap"], ["bootstrap"]):
        result = subprocess.run(
            [sys.executable, "-m", "app.cli", *args], env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "infoscreen.db").exists()
