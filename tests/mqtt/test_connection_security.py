"""The server's broker link with credentials and TLS, against a Mosquitto that allows nothing else."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.config import load_settings
from app.mqtt.connection import MqttConnection
from tests.support.servers import mosquitto_server


def _make_ca_and_server_cert(folder: Path) -> tuple[Path, Path, Path]:
    ca_key, ca_crt = folder / "ca.key", folder / "ca.crt"
    key, csr, crt = folder / "server.key", folder / "server.csr", folder / "server.crt"
    run = lambda *args: subprocess.run(args, check=True, capture_output=True)  # noqa: E731
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=infoscreen-test-ca",
        "-keyout", str(ca_key), "-out", str(ca_crt))  # fmt: skip
    run(
        "openssl",
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        str(key),
        "-out",
        str(csr),
    )
    ext = folder / "san.ext"
    ext.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key), "-CAcreateserial",
        "-days", "2", "-extfile", str(ext), "-out", str(crt))  # fmt: skip
    return ca_crt, crt, key


def _password_file(folder: Path, user: str, password: str) -> Path:
    path = folder / "passwd"
    path.touch()
    subprocess.run(["mosquitto_passwd", "-b", str(path), user, password], check=True, capture_output=True)
    path.chmod(0o644)
    return path


async def _connects(port: int, **env: str) -> bool:
    settings = load_settings(MQTT_BROKER_HOST="127.0.0.1", MQTT_BROKER_PORT=str(port), **env)
    connection = MqttConnection(settings)
    try:
        await connection.connect(timeout=3)
        await connection.publish("infoscreen/selftest", b"ok", qos=1)  # PUBACK proves the session works
        return True
    except (ConnectionError, OSError):
        return False
    finally:
        await connection.disconnect()


@pytest.fixture
def tls_broker(tmp_path: Path):  # type: ignore[no-untyped-def]
    ca, crt, key = _make_ca_and_server_cert(tmp_path)
    passwd = _password_file(tmp_path, "infoscreen-server", "s3rver-secret-value")
    for f in (ca, crt, key):
        f.chmod(0o644)
    # Mosquitto started as root drops to the `mosquitto` user, which cannot read pytest's private tmp dirs.
    extra = "user root\n" + f"password_file {passwd}\ncafile {ca}\ncertfile {crt}\nkeyfile {key}\ntls_version tlsv1.2\n"
    with mosquitto_server(extra, anonymous=False) as broker:
        yield broker, ca


async def test_server_connects_with_tls_and_credentials(tls_broker) -> None:  # type: ignore[no-untyped-def]
    broker, ca = tls_broker
    assert await _connects(
        broker.port, MQTT_TLS_ENABLED="true", MQTT_TLS_CA_CERT=str(ca),
        MQTT_USER="infoscreen-server", MQTT_PASSWORD="s3rver-secret-value",
    )  # fmt: skip


async def test_wrong_password_plain_tcp_or_unknown_ca_are_refused(tls_broker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broker, ca = tls_broker
    good = {"MQTT_USER": "infoscreen-server", "MQTT_PASSWORD": "s3rver-secret-value"}
    assert not await _connects(broker.port, MQTT_TLS_ENABLED="true", MQTT_TLS_CA_CERT=str(ca),
                               MQTT_USER="infoscreen-server", MQTT_PASSWORD="wrong-password")  # fmt: skip
    assert not await _connects(broker.port, **good)  # no TLS against a TLS listener
    other_ca, _, _ = _make_ca_and_server_cert(tmp_path / "other" if (tmp_path / "other").mkdir() is None else tmp_path)
    assert not await _connects(broker.port, MQTT_TLS_ENABLED="true", MQTT_TLS_CA_CERT=str(other_ca), **good)
    # MQTT_TLS_INSECURE skips only the host name check: a certificate no trusted CA signed is still refused.
    assert not await _connects(broker.port, MQTT_TLS_ENABLED="true", MQTT_TLS_INSECURE="true", **good)
