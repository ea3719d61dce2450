"""Helpers for the ingest tests: polling the database, reading retained broker state, tiny images."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import paho.mqtt.client as paho
import pymysql
from sqlalchemy import func, select

from app.container import Container
from app.domain.clients.models import Client
from app.domain.monitoring.models import ClientLog
from tests.support.servers import free_port, require_binary, wait_for_port

T = TypeVar("T")

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + os.urandom(512) + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(256)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def eventually(probe: Callable[[], Awaitable[T]], *, timeout: float = 10.0, what: str = "condition") -> T:
    """Poll `probe` until it returns something truthy (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout}s (last: {value!r})")
        await asyncio.sleep(0.05)


async def client_row(container: Container, uuid: str) -> Client | None:
    async with container.db.read_session() as session:
        return await session.get(Client, uuid, populate_existing=True)


async def logs_of(container: Container, uuid: str) -> list[ClientLog]:
    async with container.db.read_session() as session:
        rows = await session.scalars(select(ClientLog).where(ClientLog.client_uuid == uuid).order_by(ClientLog.id))
        return list(rows)


async def count_clients(container: Container) -> int:
    async with container.db.read_session() as session:
        return int(await session.scalar(select(func.count()).select_from(Client)) or 0)


def retained(port: int, topic: str, *, wait: float = 1.0) -> bytes | None:
    """The retained payload on `topic` as a brand-new subscriber sees it (None if nothing is retained)."""
    got: list[bytes] = []
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"probe-{time.monotonic_ns()}")
    client.on_message = lambda _c, _u, msg: got.append(bytes(msg.payload)) if msg.retain else None
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        client.subscribe(topic, qos=1)
        deadline = time.monotonic() + wait
        while not got and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        client.loop_stop()
        client.disconnect()
    return got[0] if got else None


def ingest_of(container: Container) -> Any:
    return container.extras["ingest"]


# --- fault tests (tests/resilience/test_ingest_*.py) -----------------------------------------------------------
class RestartableMariaDB:
    """A MariaDB server on a fixed port and datadir that a test can kill (SIGKILL) and start again."""

    def __init__(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="infoscreen-mariadb-fault-"))
        self.datadir = self.workdir / "data"
        install_db = require_binary("mariadb-install-db", "mysql_install_db")
        subprocess.run(
            [install_db, "--no-defaults", f"--datadir={self.datadir}", "--user=root",
             "--auth-root-authentication-method=normal", "--skip-test-db"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        w = self.workdir
        self.proc = subprocess.Popen(
            [require_binary("mariadbd", "mysqld"), "--no-defaults", f"--datadir={self.datadir}",
             f"--socket={w / 'mysqld.sock'}", f"--pid-file={w / 'mysqld.pid'}", f"--port={self.port}",
             "--bind-address=127.0.0.1", "--user=root", "--skip-grant-tables", "--skip-log-bin",
             "--innodb-buffer-pool-size=64M", "--max-connections=200", "--character-set-server=utf8mb4",
             "--collation-server=utf8mb4_unicode_ci", f"--log-error={w / 'error.log'}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, 60, self.proc)

    def kill(self) -> None:
        """Really stopped: SIGKILL, no shutdown, the port closed until `start`."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def create_database(self, name: str) -> str:
        conn = pymysql.connect(host="127.0.0.1", port=self.port, user="root")
        try:
            with conn.cursor() as cur:
                cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        finally:
            conn.close()
        return f"mysql+aiomysql://root@127.0.0.1:{self.port}/{name}?charset=utf8mb4"


def sql(url: str, statement: str) -> list[tuple[Any, ...]]:
    """One synchronous query on a fresh connection (works across server restarts)."""
    sync = url.replace("+aiomysql", "+pymysql")
    host_db = sync.split("@", 1)[1].split("?")[0]
    port, name = int(host_db.split(":")[1].split("/")[0]), host_db.split("/")[1]
    conn = pymysql.connect(host="127.0.0.1", port=port, user="root", database=name, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
            return list(cur.fetchall())
    finally:
        conn.close()


class Burst:
    """paho publishers (MQTT 5) that send QoS 1 messages and wait for every PUBACK from the broker."""

    def __init__(self, port: int, clients: int = 4) -> None:
        self.clients = []
        for n in range(clients):
            client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"burst-{n}-{time.monotonic_ns()}",
                                 protocol=paho.MQTTv5)  # fmt: skip
            client.max_inflight_messages_set(200)
            client.max_queued_messages_set(0)
            client.connect("127.0.0.1", port)
            client.loop_start()
            self.clients.append(client)
        self._infos: list[paho.MQTTMessageInfo] = []

    def publish(self, index: int, topic: str, payload: bytes | dict[str, Any], qos: int = 1) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self._infos.append(self.clients[index % len(self.clients)].publish(topic, data, qos=qos))

    def wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        for info in self._infos:
            info.wait_for_publish(max(0.1, deadline - time.monotonic()))
            assert info.is_published(), "the broker did not acknowledge a burst message"
        self._infos.clear()

    def close(self) -> None:
        for client in self.clients:
            client.loop_stop()
            client.disconnect()
