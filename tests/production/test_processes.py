"""Several real `infoscreen` processes on one MariaDB, one Redis and a dynamic-security Mosquitto.

- two `mqtt` processes split the display → server traffic (MQTT 5 shared subscription), each message stored once;
- SIGKILL of the scheduler lock holder: the survivor publishes within two poll intervals;
- an update ingested by an `mqtt` process reaches a `clientUpdated` subscription on an `api` process (Redis bus).
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import threading
import time
import uuid as uuidlib
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import paho.mqtt.client as paho
import pymysql
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from app.domain.db import Database
from app.domain.enums import Role, TokenKind
from app.domain.users.models import User
from app.domain.users.passwords import hash_password
from app.domain.users.tokens import create_token
from tests.conftest import create_mariadb_database
from tests.support.live_server import GraphQLWs
from tests.support.process import InfoscreenProcess, infoscreen
from tests.support.servers import DynsecBroker, RunningServer, redis_server

POLL_SECONDS = 2
LEADER_LINE = "event=leader_acquired lock=infoscreen:leader:scheduler"


@pytest.fixture(scope="module")
def redis_for_processes() -> Iterator[RunningServer]:
    """A Redis of their own: the leader lock and the bus channels are not shared with other tests."""
    with redis_server() as server:
        yield server


@dataclass
class Stack:
    env: dict[str, str]
    db_url: str
    mariadb_port: int
    db_name: str

    def sql(self, statement: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        conn = pymysql.connect(host="127.0.0.1", port=self.mariadb_port, user="root", database=self.db_name,
                               autocommit=True)  # fmt: skip
        try:
            with conn.cursor() as cur:
                cur.execute(statement, args)
                return list(cur.fetchall())
        finally:
            conn.close()


@pytest.fixture
def stack(
    tmp_path: Path, mariadb: RunningServer, redis_for_processes: RunningServer, dynsec_broker: DynsecBroker
) -> Stack:
    url = create_mariadb_database(mariadb, "prod")
    env = {
        "DB_CONN": url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_for_processes.port}/0",
        "MQTT_BROKER_HOST": "127.0.0.1",
        "MQTT_BROKER_PORT": str(dynsec_broker.port),
        "MQTT_USER": dynsec_broker.admin_user,
        "MQTT_PASSWORD": dynsec_broker.admin_password,
        "MQTT_DYNSEC_ENABLED": "true",
        "MQTT_SHARED_GROUP": "infoscreen-ingest",
        "POLL_INTERVAL_SECONDS": str(POLL_SECONDS),
        "DEFAULT_SUPERADMIN_PASSWORD": "superadmin-pass",
        "SECRET_KEY": "test-secret",
    }
    # The compose file's one-shot `migrate` service: schema, default settings, superadmin.
    done = subprocess.run([sys.executable, "-m", "app.cli", "bootstrap"], env={**_base_env(), **env},
                          capture_output=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout.decode()[-2000:] + done.stderr.decode()[-2000:]
    name = url.rsplit("/", 1)[1].split("?")[0]
    return Stack(env, url, mariadb.port, name)


def _base_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "MQTT_", "REDIS_", "ENV"))}


class Listener:
    """A paho subscriber on the server account that timestamps what it hears."""

    def __init__(self, broker: DynsecBroker, topic: str) -> None:
        self.messages: list[tuple[float, str, dict | list | None, bool]] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"probe-{uuidlib.uuid4().hex[:8]}",
                                  protocol=paho.MQTTv5)  # fmt: skip
        self.client.username_pw_set(broker.admin_user, broker.admin_password)
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *_a: self._subscribed.set()
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        self.client.subscribe(topic, qos=1)
        assert self._subscribed.wait(10)

    def _on_message(self, _c: object, _u: object, msg: paho.MQTTMessage) -> None:
        try:
            body = json.loads(msg.payload) if msg.payload else None
        except ValueError:
            body = None
        with self._lock:
            self.messages.append((time.monotonic(), msg.topic, body, bool(msg.retain)))

    def since(self, moment: float) -> list[tuple[float, str, dict | list | None, bool]]:
        with self._lock:
            return [m for m in self.messages if m[0] >= moment and not m[3]]

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def publisher(broker: DynsecBroker) -> paho.Client:
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"burst-{uuidlib.uuid4().hex[:8]}",
                         protocol=paho.MQTTv5)  # fmt: skip
    client.username_pw_set(broker.admin_user, broker.admin_password)
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    return client


def wait_until(predicate, timeout: float, step: float = 0.2) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def committed(process: InfoscreenProcess) -> int:
    detail = httpx.get(f"{process.base_url}/health", timeout=5).json()
    text = json.dumps(detail)
    match = re.search(r"committed (\d+)", text)
    assert match, text
    return int(match.group(1))


def test_two_ingest_processes_split_a_burst_and_store_every_message_once(
    stack: Stack, dynsec_broker: DynsecBroker, tmp_path: Path
) -> None:
    with ExitStack() as running:
        first = running.enter_context(infoscreen("mqtt", tmp_path, **stack.env))
        second = running.enter_context(infoscreen("mqtt", tmp_path, **stack.env))
        displays = [str(uuidlib.uuid4()) for _ in range(10)]
        client = publisher(dynsec_broker)
        try:
            for key in displays:  # heartbeats make them known; logs from unknown displays are dropped
                client.publish(f"infoscreen/{key}/heartbeat", json.dumps({"process_status": "running"}), qos=1)
            assert wait_until(lambda: stack.sql("SELECT COUNT(*) FROM clients")[0][0] == len(displays), 20)
            burst = [(key, f"burst {key[:8]} #{n}") for n in range(30) for key in displays]
            infos = [
                client.publish(f"infoscreen/{key}/logs/warn", json.dumps({"message": text}), qos=1)
                for key, text in burst
            ]
            for info in infos:
                info.wait_for_publish(10)
        finally:
            client.loop_stop()
            client.disconnect()
        total = len(burst)
        assert wait_until(lambda: stack.sql("SELECT COUNT(*) FROM client_logs")[0][0] >= total, 30)
        time.sleep(0.5)  # a duplicate would arrive right behind
        rows = stack.sql("SELECT COUNT(*), COUNT(DISTINCT message) FROM client_logs")[0]
        assert rows == (total, total)
        shares = committed(first), committed(second)
        assert sum(shares) == total + len(displays)
        assert min(shares) > 0, f"one process took everything: {shares}"


def test_killing_the_scheduler_holder_hands_publishing_to_the_other(
    stack: Stack, dynsec_broker: DynsecBroker, tmp_path: Path
) -> None:
    stack.sql("INSERT INTO client_groups (name, is_active, display_order, created_at) VALUES ('Aula', 1, 1, NOW())")
    env = {**stack.env, "POWER_INTENT_PUBLISH_ENABLED": "true"}
    with ExitStack() as running:
        processes = [running.enter_context(infoscreen("mqtt", tmp_path, **env)) for _ in range(2)]
        # Subscribed after the processes are up: granting the server role on first start drops every session
        # of the server account, a probe on that account included.
        listener = Listener(dynsec_broker, "infoscreen/groups/+/power/intent")
        running.callback(listener.close)
        assert wait_until(lambda: any(LEADER_LINE in p.log() for p in processes), 15)
        holder = next(p for p in processes if LEADER_LINE in p.log())
        survivor = next(p for p in processes if p is not holder)
        start = time.monotonic()
        assert wait_until(lambda: len(listener.since(start)) >= 2, 3 * POLL_SECONDS + 5), "no intent heartbeats"
        intent_id = listener.since(start)[-1][2]["intent_id"]  # type: ignore[index]

        holder.proc.kill()  # SIGKILL: no release of the lock, no goodbye
        holder.proc.wait(10)
        killed_at = time.monotonic()
        assert wait_until(lambda: bool(listener.since(killed_at)), 2 * POLL_SECONDS + 3)
        first_after = listener.since(killed_at)[0]
        # Two poll intervals, plus a little for the in-flight tick of the process that took over.
        assert first_after[0] - killed_at <= 2 * POLL_SECONDS, first_after[0] - killed_at
        assert LEADER_LINE in survivor.log()
        assert first_after[2]["intent_id"] == intent_id  # type: ignore[index]  # the stored intent carries on
        later = time.monotonic()
        assert wait_until(lambda: len(listener.since(later)) >= 2, 3 * POLL_SECONDS + 2), "survivor stopped"


async def test_subscription_on_an_api_process_hears_what_an_mqtt_process_ingested(
    stack: Stack, dynsec_broker: DynsecBroker, tmp_path: Path
) -> None:
    database = Database(stack.db_url, pool_size=2)
    try:
        async with database.session() as session:
            user = User(username="beobachter", password_hash=hash_password("secret-123"), role=Role.ADMIN)
            session.add(user)
            await session.flush()
            token, _ = await create_token(session, user, TokenKind.SESSION, ttl=timedelta(hours=1))
    finally:
        await database.dispose()
    key = str(uuidlib.uuid4())
    with ExitStack() as running:
        api = await asyncio.to_thread(lambda: running.enter_context(infoscreen("api", tmp_path, **stack.env)))
        await asyncio.to_thread(lambda: running.enter_context(infoscreen("mqtt", tmp_path, **stack.env)))
        async with GraphQLWs.connect(api.base_url.removeprefix("http://"), token) as ws:
            await ws.subscribe("c", "subscription($u: String) { clientUpdated(uuid: $u) { uuid processStatus } }",
                               {"u": key})  # fmt: skip
            await asyncio.sleep(0.3)  # the subscription is registered on the Redis bus
            client = publisher(dynsec_broker)
            try:
                client.publish(f"infoscreen/{key}/heartbeat", json.dumps({"process_status": "running"}), qos=1)
                data = await ws.data("c", timeout=15)
            finally:
                client.loop_stop()
                client.disconnect()
        assert data["clientUpdated"] == {"uuid": key, "processStatus": "RUNNING"}
