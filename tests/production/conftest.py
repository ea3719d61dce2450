"""The secured stack: Mosquitto with dynamic security, the server with MQTT_DYNSEC_ENABLED, GraphQL in-process."""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.config import load_settings
from app.container import Container
from app.domain.models import Base
from app.mqtt.service import MqttService
from tests.production.support import SecureDisplay
from tests.support.api import Api
from tests.support.servers import DynsecBroker, mosquitto_dynsec_server

PROVISIONING_USER = "infoscreen-provisioning"
PROVISIONING_PASSWORD = "provisioning-password-42"


@pytest.fixture
def dynsec_broker() -> Iterator[DynsecBroker]:
    with mosquitto_dynsec_server() as broker:
        yield broker


@dataclass
class Secure:
    api: Api
    service: MqttService
    broker: DynsecBroker

    @property
    def container(self) -> Container:
        return self.api.container

    def provisioning_display(self, uuid: str | None = None) -> tuple[str, SecureDisplay]:
        key = uuid or str(uuidlib.uuid4())
        return key, SecureDisplay(self.broker.port, key, PROVISIONING_USER, PROVISIONING_PASSWORD).connect()

    def display(self, uuid: str, username: str, password: str) -> SecureDisplay:
        return SecureDisplay(self.broker.port, f"{uuid}-{uuidlib.uuid4().hex[:6]}", username, password).connect()

    def server_side(self) -> SecureDisplay:
        """A paho client on the server account (publishes what the server would)."""
        return SecureDisplay(
            self.broker.port, f"server-probe-{uuidlib.uuid4().hex[:6]}", self.broker.admin_user,
            self.broker.admin_password,
        ).connect()  # fmt: skip


@pytest.fixture
async def secure(tmp_path: Path, dynsec_broker: DynsecBroker) -> AsyncIterator[Secure]:
    from app.http import create_http_app
    from app.runtime import load_adapters

    load_adapters()
    settings = load_settings(
        DATA_DIR=str(tmp_path / "secure"),
        SECRET_KEY="test-secret",
        MQTT_BROKER_HOST="127.0.0.1",
        MQTT_BROKER_PORT=str(dynsec_broker.port),
        MQTT_USER=dynsec_broker.admin_user,
        MQTT_PASSWORD=dynsec_broker.admin_password,
        MQTT_DYNSEC_ENABLED="true",
        MQTT_PROVISIONING_USER=PROVISIONING_USER,
        MQTT_PROVISIONING_PASSWORD=PROVISIONING_PASSWORD,
        POLL_INTERVAL_SECONDS="1",
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    container = Container.create(settings)
    async with container.db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    service = MqttService(container, ingest=True, scheduler=True)
    await service.start()
    app = create_http_app(container)
    app.state.ready = True
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield Secure(Api(container, client), service, dynsec_broker)
    await service.stop()
    await container.close()
