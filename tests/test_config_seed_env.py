"""The seed's environment details: `.env` read only when ENV=development, the MQTT_BROKER_URL fallback,
and the build date on Programminfo."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import ConfigurationError, load_settings
from app.ui.program_info import build_info


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("ENV", "EVENTS_WINDOW_DAYS", "MQTT_BROKER_HOST", "MQTT_BROKER_URL", "MQTT_BROKER_PORT"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text("EVENTS_WINDOW_DAYS=14\nMQTT_BROKER_PORT=1999\n", encoding="utf-8")
    return tmp_path


def test_dotenv_is_read_in_development_and_the_environment_wins(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENV", "development")
    monkeypatch.setenv("MQTT_BROKER_PORT", "1888")
    settings = load_settings()
    assert settings.events_window_days == 14
    assert settings.mqtt_broker_port == 1888


def test_dotenv_is_ignored_in_production_and_when_env_is_unset(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().events_window_days == 7
    monkeypatch.setenv("ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    assert load_settings().events_window_days == 7


def test_mqtt_broker_url_is_the_host_fallback(in_tmp: Path) -> None:
    from_url = load_settings(MQTT_BROKER_URL="mqtt://broker.schule.example:1884")
    assert (from_url.mqtt_broker_host, from_url.mqtt_broker_port, from_url.embedded_broker) == (
        "broker.schule.example",
        1884,
        False,
    )
    assert load_settings(MQTT_BROKER_URL="mqtt").mqtt_broker_host == "mqtt"
    explicit = load_settings(MQTT_BROKER_URL="mqtt://old:1884", MQTT_BROKER_HOST="new", MQTT_BROKER_PORT=1883)
    assert (explicit.mqtt_broker_host, explicit.mqtt_broker_port) == ("new", 1883)
    assert load_settings().embedded_broker
    with pytest.raises(ConfigurationError, match="MQTT_BROKER_URL"):
        load_settings(MQTT_BROKER_URL="mqtt://:1884")


def test_programminfo_shows_the_configured_or_the_install_build_date(in_tmp: Path) -> None:
    assert build_info(load_settings(BUILD_DATE="2026-11-30"))["build_date"] == "2026-11-30"
    installed = build_info(load_settings())["build_date"]
    assert len(installed) == 10 and installed[:2] == "20"
