"""MQTT_TLS_INSECURE skips only the host name check, against a real Mosquitto TLS listener with its own CA."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import load_settings
from app.mqtt.connection import MqttConnection
from tests.support.servers import RunningServer, mosquitto_server

USER, PASSWORD = "infoscreen-server", "s3rver-secret-value"


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def _ca(folder: Path, name: str) -> tuple[Path, Path]:
    key, crt = folder / f"{name}.key", folder / f"{name}.crt"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}",
             "-keyout", str(key), "-out", str(crt))  # fmt: skip
    return crt, key


def _server_cert(folder: Path, ca: tuple[Path, Path], host: str) -> tuple[Path, Path]:
    key, csr, crt = folder / f"{host}.key", folder / f"{host}.csr", folder / f"{host}.crt"
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={host}", "-keyout", str(key), "-out", str(csr))
    ext = folder / f"{host}.ext"
    ext.write_text(f"subjectAltName=DNS:{host}\n")
    _openssl("x509", "-req", "-in", str(csr), "-CA", str(ca[0]), "-CAkey", str(ca[1]), "-CAcreateserial",
             "-days", "2", "-extfile", str(ext), "-out", str(crt))  # fmt: skip
    return crt, key


def _tls_broker(folder: Path, crt: Path, key: Path, ca: Path) -> Iterator[RunningServer]:
    passwd = folder / "passwd"
    passwd.touch()
    subprocess.run(["mosquitto_passwd", "-b", str(passwd), USER, PASSWORD], check=True, capture_output=True)
    for f in (passwd, crt, key, ca):
        f.chmod(0o644)
    extra = f"user root\npassword_file {passwd}\ncafile {ca}\ncertfile {crt}\nkeyfile {key}\ntls_version tlsv1.2\n"
    with mosquitto_server(extra, anonymous=False) as broker:
        yield broker


@pytest.fixture
def certificates(tmp_path: Path) -> dict[str, Path]:
    ours = _ca(tmp_path, "school-ca")
    stranger = _ca(tmp_path, "stranger-ca")
    wrong_host = _server_cert(tmp_path, ours, "not-this-host.example")
    strangers = _server_cert(tmp_path, stranger, "localhost")
    return {
        "ca": ours[0],
        "wrong_host_crt": wrong_host[0],
        "wrong_host_key": wrong_host[1],
        "stranger_crt": strangers[0],
        "stranger_key": strangers[1],
        "stranger_ca": stranger[0],
    }


async def _connects(port: int, ca: Path, *, insecure: bool) -> bool:
    settings = load_settings(
        MQTT_BROKER_HOST="127.0.0.1",
        MQTT_BROKER_PORT=str(port),
        MQTT_TLS_ENABLED="true",
        MQTT_TLS_CA_CERT=str(ca),
        MQTT_TLS_INSECURE="true" if insecure else "false",
        MQTT_USER=USER,
        MQTT_PASSWORD=PASSWORD,
    )
    connection = MqttConnection(settings)
    try:
        await connection.connect(timeout=3)
        await connection.publish("infoscreen/selftest", b"ok", qos=1)  # PUBACK proves the session works
        return True
    except (ConnectionError, OSError):
        return False
    finally:
        await connection.disconnect()


async def test_insecure_accepts_our_ca_certificate_for_another_host_name(
    tmp_path: Path, certificates: dict[str, Path]
) -> None:
    c = certificates
    for broker in _tls_broker(tmp_path, c["wrong_host_crt"], c["wrong_host_key"], c["ca"]):
        assert not await _connects(broker.port, c["ca"], insecure=False)  # host name checked by default
        assert await _connects(broker.port, c["ca"], insecure=True)


async def test_insecure_still_refuses_a_certificate_from_an_unknown_ca(
    tmp_path: Path, certificates: dict[str, Path]
) -> None:
    c = certificates
    for broker in _tls_broker(tmp_path, c["stranger_crt"], c["stranger_key"], c["stranger_ca"]):
        assert not await _connects(broker.port, c["ca"], insecure=True)
