"""Shared fixtures: real MariaDB/Redis/Mosquitto servers (started once per session) and databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pymysql
import pytest
from sqlalchemy import create_engine, text

from app.config import Settings, load_settings
from app.container import Container
from app.domain.db import Database
from app.domain.models import Base
from app.mqtt.service import MqttService
from tests.support.api import Api
from tests.support.display import FakeDisplay
from tests.support.servers import RunningServer, mariadb_server, mosquitto_server, redis_server

# Tests never read the developer's real environment for these.
for _name in ("DB_CONN", "DB_URL", "MQTT_BROKER_HOST", "REDIS_URL", "GOTENBERG_URL", "ENV"):
    os.environ.pop(_name, None)


@pytest.fixture(scope="session")
def mariadb() -> Iterator[RunningServer]:
    with mariadb_server() as server:
        yield server


@pytest.fixture(scope="session")
def redis_srv() -> Iterator[RunningServer]:
    with redis_server() as server:
        yield server


@pytest.fixture(scope="session")
def mosquitto() -> Iterator[RunningServer]:
    with mosquitto_server() as server:
        yield server


def create_mariadb_database(server: RunningServer, prefix: str = "t") -> str:
    """A new empty database on the shared server; returns its async SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = pymysql.connect(host="127.0.0.1", port=server.port, user="root")
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    finally:
        conn.close()
    return f"mysql+aiomysql://root@127.0.0.1:{server.port}/{name}?charset=utf8mb4"


@pytest.fixture
def mariadb_url(mariadb: RunningServer) -> str:
    return create_mariadb_database(mariadb)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(scope="session")
def mariadb_schema_url(mariadb: RunningServer) -> str:
    """One MariaDB database with the model schema, shared by `any_db` tests and emptied before each."""
    url = create_mariadb_database(mariadb, "shared")
    engine = create_engine(url.replace("+aiomysql", "+pymysql"))
    Base.metadata.create_all(engine)
    engine.dispose()
    return url


def truncate_all(url: str) -> None:
    engine = create_engine(url.replace("+aiomysql", "+pymysql"))
    with engine.begin() as conn:
        conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        for table in Base.metadata.sorted_tables:
            conn.execute(text(f"TRUNCATE TABLE `{table.name}`"))
        conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))
    engine.dispose()


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    """A fresh SQLite database with the full schema (fast; most domain tests use this)."""
    database = Database(sqlite_url)
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield database
    await database.dispose()


@pytest.fixture(params=["sqlite", "mariadb"])
async def any_db(request: pytest.FixtureRequest, sqlite_url: str) -> AsyncIterator[Database]:
    """The same test on both engines: a fresh SQLite file, or the shared MariaDB schema emptied."""
    if request.param == "sqlite":
        database = Database(sqlite_url)
        async with database.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        yield database
        await database.dispose()
    else:
        url: str = request.getfixturevalue("mariadb_schema_url")
        truncate_all(url)
        database = Database(url, pool_size=5)
        yield database
        await database.dispose()


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Api]:
    """The full HTTP app on a fresh SQLite database, driven in-process (no MQTT connection)."""
    from app.http import create_http_app
    from app.runtime import load_adapters

    load_adapters()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    container = Container.create(settings)
    async with container.db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    app = create_http_app(container)
    app.state.ready = True
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(container, client)
    await container.close()


@dataclass
class Live:
    """The API plus a running MQTT service (ingest + scheduler) against a real Mosquitto."""

    api: Api
    service: MqttService
    broker_port: int

    @property
    def container(self) -> Container:
        return self.api.container

    def display(self, **kwargs: Any) -> FakeDisplay:
        return FakeDisplay(self.broker_port, **kwargs).connect()


@pytest.fixture
def live_env() -> dict[str, str]:
    """Extra environment for the `live` stack; a test module overrides this fixture (e.g. feature flags)."""
    return {}


@pytest.fixture
async def live(tmp_path: Path, live_env: dict[str, str]) -> AsyncIterator[Live]:
    from app.http import create_http_app
    from app.mqtt.service import MqttService
    from app.runtime import load_adapters

    load_adapters()
    with mosquitto_server() as broker:
        live_settings = load_settings(
            DATA_DIR=str(tmp_path / "live"),
            SECRET_KEY="test-secret",
            MQTT_BROKER_HOST="127.0.0.1",
            MQTT_BROKER_PORT=str(broker.port),
            POLL_INTERVAL_SECONDS="1",
            **live_env,
        )
        live_settings.data_dir.mkdir(parents=True, exist_ok=True)
        container = Container.create(live_settings)
        async with container.db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        service = MqttService(container, ingest=True, scheduler=True)
        await service.start()
        app = create_http_app(container)
        app.state.ready = True
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Live(Api(container, client), service, broker.port)
        await service.stop()
        await container.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        DATA_DIR=str(tmp_path / "data"),
        DEFAULT_SUPERADMIN_PASSWORD="superadmin-pass",
        SECRET_KEY="test-secret",
    )
