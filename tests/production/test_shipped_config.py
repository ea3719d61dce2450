"""The shipped Docker files agree with the code: every variable they set is one the server reads."""

from __future__ import annotations

from pathlib import Path

import yaml

from app.config import Settings

DOCKER = Path(__file__).resolve().parents[2] / "docker"
# Read by the compose file itself (interpolation) or by the database/broker images, not by the server.
COMPOSE_ONLY = {"DB_NAME", "DB_USER", "DB_PASSWORD", "DB_ROOT_PASSWORD"}


def server_variables() -> set[str]:
    names: set[str] = set()
    for field in Settings.model_fields.values():
        names.add(str(field.alias))
        choices = getattr(field.validation_alias, "choices", None) or []
        names.update(str(c) for c in choices)
    return names


def test_app_services_only_set_variables_the_server_reads() -> None:
    known = server_variables()
    for name in ("compose.yml", "compose.override.yml"):
        services = yaml.safe_load((DOCKER / name).read_text())["services"]
        for service in ("migrate", "api", "ingest", "worker"):
            env = services.get(service, {}).get("environment", {}) or {}
            unknown = set(env) - known
            assert not unknown, f"{name}:{service} sets {unknown}"
    example = [line.split("=", 1)[0] for line in (DOCKER / ".env.example").read_text().splitlines()
               if line and not line.startswith("#")]  # fmt: skip
    assert not set(example) - known - COMPOSE_ONLY


def test_compose_wires_dynsec_ingest_replicas_and_shared_files() -> None:
    services = yaml.safe_load((DOCKER / "compose.yml").read_text())["services"]
    assert services["ingest"]["environment"]["MQTT_SHARED_GROUP"]
    for service in ("api", "ingest", "worker"):
        assert services[service]["environment"]["MQTT_DYNSEC_ENABLED"] == "true"
        assert {"media:/data/media", "screenshots:/data/screenshots"} <= set(services[service]["volumes"])
        assert services[service]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["bootstrap"]
    conf = (DOCKER / "mosquitto" / "mosquitto.conf").read_text()
    assert "allow_anonymous false" in conf and "mosquitto_dynamic_security.so" in conf
    assert "plugin_opt_config_file /mosquitto/data/dynamic-security.json" in conf
    assert "/mosquitto/data/dynamic-security.json" in (DOCKER / "mosquitto" / "entrypoint.sh").read_text()
