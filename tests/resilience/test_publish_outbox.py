"""The outbox across a broker outage, its bound, and the group_id republish racing another process."""

from __future__ import annotations

import asyncio
import os
import pwd
from pathlib import Path

import pytest
from sqlalchemy import update

from app.config import load_settings
from app.domain.clients.models import Client
from app.mqtt.connection import MqttConnection, PublishError
from app.mqtt.republish import republish_group_ids
from tests.resilience.publish_support import GROUP_IDS, count, seed_fleet, server_stack, until, wait_for_retained
from tests.support.servers import mosquitto_server


def _connection(tmp_path: Path, port: int, **env: str) -> MqttConnection:
    settings = load_settings(DATA_DIR=str(tmp_path), SECRET_KEY="t", MQTT_BROKER_HOST="127.0.0.1",
                             MQTT_BROKER_PORT=str(port), **env)  # fmt: skip
    return MqttConnection(settings)


async def test_publishes_made_during_a_broker_outage_arrive_when_it_returns(tmp_path: Path) -> None:
    with mosquitto_server() as first:
        port = first.port
        connection = _connection(tmp_path, port)
        await connection.connect()
        try:
            first.stop()
            await until(lambda: not connection.is_connected, 15, "disconnect noticed")
            queued = [
                await connection.publish(f"outage/{i}", f"v{i}", retain=True, wait=False, timeout=60)
                for i in range(100)
            ]
            # A caller that cannot wait long gets a PublishError, and its publish is never sent later.
            with pytest.raises(PublishError):
                await connection.publish("outage/given-up", b"late", retain=True, timeout=0.5)
            assert connection.outbox.queued == 100
            with mosquitto_server(port=port):
                await asyncio.wait_for(asyncio.gather(*queued), 30)
                snapshot, _ = await asyncio.to_thread(
                    wait_for_retained, port, ("outage/#",), lambda s: len(s) >= 100, timeout=10
                )
            assert snapshot == {f"outage/{i}": f"v{i}".encode() for i in range(100)}
            stats = connection.stats.publish
            assert stats.confirmed == 100 and stats.expired == 1
        finally:
            await connection.disconnect()


async def test_a_burst_cut_by_a_broker_restart_is_completed(tmp_path: Path) -> None:
    """20,000 retained publishes; the broker stops mid-burst (saving what it confirmed) and comes back."""
    store = tmp_path / "store"
    store.mkdir()
    user = pwd.getpwuid(os.getuid()).pw_name  # Mosquitto may then write its store in the private tmp dir
    extra = f"user {user}\npersistence true\npersistence_location {store}/\n"
    total = 20000
    with mosquitto_server(extra) as first:
        port = first.port
        connection = _connection(tmp_path, port)
        await connection.connect()
        try:
            futures = [
                await connection.publish(f"burst/{i}", str(i), retain=True, wait=False, timeout=120)
                for i in range(total)
            ]
            await until(lambda: connection.stats.publish.confirmed >= 2000, 30, "burst under way")
            first.stop()
            assert not all(f.done() for f in futures), "the burst finished before the broker stopped"
            await until(lambda: not connection.is_connected, 15, "disconnect noticed")
            with mosquitto_server(extra, port=port):
                await asyncio.wait_for(asyncio.gather(*futures), 120)
                snapshot, _ = await asyncio.to_thread(
                    wait_for_retained, port, ("burst/#",), lambda s: len(s) >= total, timeout=20
                )
                assert snapshot == {f"burst/{i}": str(i).encode() for i in range(total)}
                # Packet ids of publishes cut off in flight were given back: the window is whole again.
                await asyncio.wait_for(
                    asyncio.gather(*(connection.publish(f"after/{i}", b"x", timeout=30) for i in range(1000))), 60
                )
            stats = connection.stats.publish
            assert (stats.refused, stats.expired, stats.rejected_full) == (0, 0, 0)
        finally:
            await connection.disconnect()


async def test_the_outbox_is_bounded_and_says_so(tmp_path: Path) -> None:
    with mosquitto_server() as broker:
        connection = _connection(tmp_path, broker.port, MQTT_OUTBOX_MAX_QUEUED="100")
        await connection.connect()
        try:
            broker.stop()
            await until(lambda: not connection.is_connected, 15, "disconnect noticed")
            futures = [await connection.publish(f"b/{i}", b"x", wait=False, timeout=1) for i in range(150)]
            refused = [f for f in futures if f.done() and f.exception() is not None]
            assert len(refused) == 50  # refused at once instead of growing without bound
            assert connection.stats.publish.rejected_full == 50
            assert "rejected_full=50" in connection.outbox.describe()
        finally:
            await connection.disconnect()


async def test_group_id_republish_never_leaves_a_stale_group(tmp_path: Path) -> None:
    """Another process (its own connection) moves displays while the leader republishes every group_id."""
    with mosquitto_server() as broker:
        async with server_stack(tmp_path, broker.port) as stack:
            group_ids, assignments = await seed_fleet(stack.container, 5, 3000)
            leader = _connection(tmp_path / "leader", broker.port)
            other = _connection(tmp_path / "other", broker.port)
            await leader.connect()
            await other.connect()
            try:
                moved = sorted(assignments)[-300:]
                target = group_ids[0]
                republish = asyncio.create_task(republish_group_ids(stack.container.db, leader))
                await until(lambda: leader.outbox.stats.submitted > 0, 10, "republish started")
                # The leader has read the old groups; the other process commits and publishes the new ones.
                async with stack.container.db.session() as session:
                    await session.execute(update(Client).where(Client.uuid.in_(moved)).values(group_id=target))
                await asyncio.gather(*(other.publish(f"infoscreen/{u}/group_id", str(target)) for u in moved))
                report = await asyncio.wait_for(republish, 60)
                assert report.failures == 0
                # Exactly the displays it had published with their old group went out once more, nothing else.
                assert report.republished == sum(assignments[u] != target for u in moved) > 0
                expected = {**assignments, **dict.fromkeys(moved, target)}
                snapshot, _ = await asyncio.to_thread(
                    wait_for_retained, broker.port, (GROUP_IDS,), lambda s: count(s, "infoscreen/") >= 3000,
                    timeout=15,
                )  # fmt: skip
                assert {t.split("/")[1]: int(p) for t, p in snapshot.items()} == expected
            finally:
                await leader.disconnect()
                await other.disconnect()
