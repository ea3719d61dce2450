from __future__ import annotations

from pathlib import Path

import pytest

from app.config import ConfigurationError, load_settings


def test_defaults_match_the_seeds(monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_settings()
    assert s.http_port == 8000
    assert s.poll_interval_seconds == 30
    assert s.events_window_days == 7
    assert s.refresh_seconds == 0
    assert s.power_intent_publish_enabled is False and s.power_intent_heartbeat_enabled is True
    assert (s.power_intent_expiry_multiplier, s.power_intent_min_expiry_seconds) == (3, 90)
    assert s.crash_recovery_enabled is False and s.crash_recovery_grace_seconds == 180
    assert (s.heartbeat_grace_period_dev, s.heartbeat_grace_period_prod) == (180, 170)
    assert s.priority_screenshot_ttl_seconds == 120
    assert s.school_timezone == "Europe/Vienna"
    assert s.default_superadmin_username == "superadmin"
    assert s.embedded_broker and s.mqtt_broker_port == 1883
    assert s.database_url.startswith("sqlite+aiosqlite:///") and s.database_url.endswith("data/infoscreen.db")


def test_environment_names_are_the_seeds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DB_CONN", "mysql+pymysql://u:p@db/infoscreen")
    monkeypatch.setenv("MQTT_BROKER_HOST", "mqtt")
    monkeypatch.setenv("MQTT_USERNAME", "svc")
    monkeypatch.setenv("POLL_INTERVAL_SECONDS", "15")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    s = load_settings()
    assert s.database_url == "mysql+aiomysql://u:p@db/infoscreen"
    assert s.mqtt_broker_host == "mqtt" and not s.embedded_broker
    assert s.mqtt_user == "svc"
    assert s.poll_interval_seconds == 15
    assert s.heartbeat_grace_seconds == 170
    assert s.media_root == tmp_path / "media"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("POLL_INTERVAL_SECONDS", "soon"),
        ("HTTP_PORT", "70000"),
        ("SCHOOL_TIMEZONE", "Mars/Olympus"),
        ("POWER_INTENT_PUBLISH_ENABLED", "maybe"),
        ("ENV", "staging"),
    ],
)
def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as info:
        load_settings()
    assert name in str(info.value)


def test_production_requires_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        load_settings()


def test_trusted_proxies_are_addresses_or_networks() -> None:
    assert load_settings(TRUSTED_PROXIES=" 172.30.80.0/24, ::1 ").trusted_proxy_list == ["172.30.80.0/24", "::1"]
    assert load_settings().trusted_proxy_list == ["127.0.0.1", "::1"]
    assert load_settings(TRUSTED_PROXIES="10.0.0.1/8").trusted_proxy_list == ["10.0.0.0/8"]
    for bad in ("*", "nginx", "10.0.0.0/33"):
        with pytest.raises(ConfigurationError, match="TRUSTED_PROXIES"):
            load_settings(TRUSTED_PROXIES=bad)
