"""The embedded broker: anonymous only on loopback by default; on the network only with MQTT_USER/MQTT_PASSWORD
(or an explicit, loudly logged opt-in). Its expected refusals are logged as one calm line."""

from __future__ import annotations

import asyncio
import logging
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from app.broker_logs import install_broker_log_filters
from app.config import ConfigurationError, load_settings
from app.embedded_broker import EmbeddedBroker
from app.mqtt.connection import MqttConnection
from tests.support.live_server import eventually
from tests.support.process import infoscreen
from tests.support.servers import free_port, mosquitto_server

USER, PASSWORD = "infoscreen-server", "broker-secret-value"


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a TCP socket in LISTEN on `port` (from /proc/net/tcp and tcp6)."""
    found: set[str] = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if fields[3] == "0A" and int(port_hex, 16) == port:
                raw = bytes.fromhex(address)
                if width == 8:
                    found.add(socket.inet_ntop(socket.AF_INET, raw[::-1]))
                else:
                    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
                    found.add(socket.inet_ntop(socket.AF_INET6, words))
    return found


@asynccontextmanager
async def embedded(**env: str) -> AsyncIterator[int]:
    port = free_port()
    broker = EmbeddedBroker(load_settings(MQTT_BROKER_PORT=str(port), **env))
    await broker.start()
    try:
        yield port
    finally:
        await broker.stop()


async def connects(port: int, user: str | None = None, password: str | None = None) -> bool:
    env = {"MQTT_BROKER_HOST": "127.0.0.1", "MQTT_BROKER_PORT": str(port)}
    if user is not None:
        env |= {"MQTT_USER": user, "MQTT_PASSWORD": password or ""}
    connection = MqttConnection(load_settings(**env))
    try:
        await connection.connect(timeout=3)
        await connection.publish("infoscreen/selftest", b"ok", qos=1)  # the broker acknowledged it
        return True
    except (ConnectionError, OSError):
        return False
    finally:
        await connection.disconnect()


async def test_by_default_it_listens_on_loopback_only_and_is_anonymous_there() -> None:
    async with embedded() as port:
        assert listening_addresses(port) == {"127.0.0.1"}
        assert await connects(port)


async def test_with_credentials_it_listens_on_the_network_and_refuses_anonymous_and_wrong_logins() -> None:
    async with embedded(MQTT_USER=USER, MQTT_PASSWORD=PASSWORD) as port:
        assert listening_addresses(port) == {"0.0.0.0"}
        assert not await connects(port)  # anonymous
        assert not await connects(port, USER, "wrong-password")
        assert not await connects(port, "someone-else", PASSWORD)
        assert await connects(port, USER, PASSWORD)


async def test_anonymous_network_listening_needs_an_explicit_opt_in_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(ConfigurationError, match="MQTT_USER and MQTT_PASSWORD"):
        EmbeddedBroker(load_settings(MQTT_BROKER_PORT=str(free_port()), MQTT_EMBEDDED_BIND="0.0.0.0"))
    caplog.set_level(logging.WARNING, logger="app.embedded_broker")
    async with embedded(MQTT_EMBEDDED_BIND="0.0.0.0", MQTT_EMBEDDED_ALLOW_ANONYMOUS_NETWORK="true") as port:
        assert listening_addresses(port) == {"0.0.0.0"}
        assert await connects(port)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "app.embedded_broker"]
    assert len(warnings) == 1 and "anonymous_on_network" in warnings[0].getMessage()


async def test_the_servers_first_connect_logs_one_calm_info_line(caplog: pytest.LogCaptureFixture) -> None:
    install_broker_log_filters(fresh=True)
    caplog.set_level(logging.INFO)
    async with embedded() as port:
        caplog.clear()
        assert await connects(port)
    broker_lines = [r for r in caplog.records if r.name.startswith(("gmqtt", "amqtt"))]
    assert [r for r in broker_lines if r.levelno >= logging.WARNING] == []
    fallback = [r for r in broker_lines if "mqtt_protocol_fallback" in r.getMessage()]
    assert len(fallback) == 1 and fallback[0].levelno == logging.INFO


@pytest.fixture
def password_broker(tmp_path: Path):  # type: ignore[no-untyped-def]
    passwd = tmp_path / "passwd"
    passwd.touch()
    subprocess.run(["mosquitto_passwd", "-b", str(passwd), USER, PASSWORD], check=True, capture_output=True)
    passwd.chmod(0o644)
    with mosquitto_server(f"user root\npassword_file {passwd}\n", anonymous=False) as broker:
        yield broker


async def test_a_wrong_password_is_one_warning_line_without_a_trace(
    password_broker, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    install_broker_log_filters(fresh=True)
    caplog.set_level(logging.INFO)
    assert not await connects(password_broker.port, USER, "wrong-password")
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(loud) == 1, [r.getMessage() for r in loud]
    assert "mqtt_connect_refused" in loud[0].getMessage() and "MQTT_PASSWORD" in loud[0].getMessage()
    assert loud[0].exc_info is None


@pytest.mark.slow  # the server keeps trying for its start-up connect timeout (30 s) before it gives up
def test_the_server_refused_by_its_broker_says_so_in_one_line(password_broker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = {
        "PATH": "/usr/bin:/bin",
        "DATA_DIR": str(tmp_path / "data"),
        "SECRET_KEY": "test-secret",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(free_port()),
        "MQTT_BROKER_HOST": "127.0.0.1",
        "MQTT_BROKER_PORT": str(password_broker.port),
        "MQTT_USER": USER,
        "MQTT_PASSWORD": "wrong-password",
    }
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "api"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Not authorized" in result.stderr.splitlines()[-1]
    assert sum("mqtt_connect_refused" in line for line in result.stderr.splitlines()) == 1


def test_run_with_credentials_connects_to_its_own_broker_calmly(tmp_path: Path) -> None:
    """`infoscreen run` with MQTT_USER/MQTT_PASSWORD: network listener, the server logs in, one INFO line."""
    with infoscreen("run", tmp_path, MQTT_USER=USER, MQTT_PASSWORD=PASSWORD) as proc:
        mqtt = httpx.get(f"{proc.base_url}/health").json()["components"]["mqtt"]
        assert mqtt["ok"] and "3.1.1" in mqtt["detail"]
        port = int(proc.env["MQTT_BROKER_PORT"])
        assert listening_addresses(port) == {"0.0.0.0"}
        assert proc.terminate() == 0
    lines = proc.log().splitlines()
    assert sum("event=mqtt_protocol_fallback" in line for line in lines) == 1
    assert any("event=embedded_broker_started" in line and "login required" in line for line in lines)
    broker_noise = [line for line in lines if (" WARNING " in line or " ERROR " in line) and "mqtt" in line]
    assert broker_noise == []


async def test_a_lost_broker_is_one_warning_a_minute_not_one_per_retry(caplog: pytest.LogCaptureFixture) -> None:
    install_broker_log_filters(fresh=True)
    caplog.set_level(logging.INFO)
    with mosquitto_server() as broker:
        env = {"MQTT_BROKER_HOST": "127.0.0.1", "MQTT_BROKER_PORT": str(broker.port)}
        connection = MqttConnection(load_settings(**env))
        await connection.connect(timeout=5)
        broker.stop()
        try:
            await eventually(lambda: _reconnect_lines(caplog) >= 1, timeout=15)
            await asyncio.sleep(5)  # gmqtt retries every 2 s meanwhile
        finally:
            await connection.disconnect()
    assert _reconnect_lines(caplog) == 1
    assert not [r for r in caplog.records if r.name.startswith("gmqtt") and r.levelno >= logging.ERROR]


def _reconnect_lines(caplog: pytest.LogCaptureFixture) -> int:
    return sum("event=mqtt_reconnect_failed" in r.getMessage() for r in caplog.records)
