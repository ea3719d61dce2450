"""Delivery at a school's size against Mosquitto in its DEFAULT configuration (max_inflight_messages 20).

Before the outbox, every QoS 1 publish past gmqtt's 19th in-flight id failed: with 40 groups only 18 event
lists and 18 power intents reached the broker, and a burst of discovery ACKs lost some. Here everything
must arrive and be confirmed, read back by a separate subscriber from the broker itself."""

from __future__ import annotations

import asyncio
import json
import time
import uuid as uuidlib
from pathlib import Path

from tests.resilience.publish_support import (
    EVENTS,
    GROUP_IDS,
    INTENTS,
    count,
    seed_fleet,
    server_stack,
    until,
    wait_for_retained,
)
from tests.support.display import FakeDisplay
from tests.support.servers import mosquitto_server

GROUPS = 60


async def test_sixty_groups_get_every_event_list_and_power_intent(tmp_path: Path, mariadb_url: str) -> None:
    with mosquitto_server() as broker:
        config = (broker.workdir / "mosquitto.conf").read_text()
        assert "max_inflight" not in config and "max_queued" not in config, "the broker must run its defaults"
        async with server_stack(tmp_path, broker.port, mariadb_url) as stack:
            group_ids, _ = await seed_fleet(stack.container, GROUPS, 0)
            await stack.service.start()
            connection = stack.service.connection
            # Mosquitto's default in-flight limit did reach us: the window is what kept us inside it.
            assert connection.stats.publish.broker_receive_maximum == 20
            assert connection.outbox.window < 20
            scheduler = stack.container.extras["scheduler"]
            await until(lambda: scheduler.last_report is not None, 30, "first scheduler tick")
            report = scheduler.last_report
            assert report.groups == GROUPS
            assert (report.event_lists_published, report.intents_published) == (GROUPS, GROUPS)
            assert report.publish_failures == 0

            def complete(s: dict[str, bytes]) -> bool:
                return count(s, "infoscreen/events/") >= GROUPS and count(s, "infoscreen/groups/") >= GROUPS

            snapshot, _ = await asyncio.to_thread(wait_for_retained, broker.port, (EVENTS, INTENTS), complete,
                                                  timeout=20)  # fmt: skip
            assert count(snapshot, "infoscreen/events/") == GROUPS
            assert count(snapshot, "infoscreen/groups/") == GROUPS
            for gid in group_ids:
                events = json.loads(snapshot[f"infoscreen/events/{gid}"])
                assert [e["title"] for e in events] == [f"Unterricht {gid}"]
                intent = json.loads(snapshot[f"infoscreen/groups/{gid}/power/intent"])
                assert intent["desired_state"] == "on" and intent["group_id"] == gid
            stats = connection.stats.publish
            assert (stats.refused, stats.expired, stats.rejected_full) == (0, 0, 0)
            health_ok, health = await stack.container.health_checks["mqtt"]()
            assert health_ok and "confirmed=" in health


async def test_burst_of_discovery_acks_and_group_assignments_is_all_confirmed(tmp_path: Path) -> None:
    with mosquitto_server() as broker:
        async with server_stack(tmp_path, broker.port) as stack:
            await stack.service.start()
            publisher = stack.container.publisher
            assert publisher is not None
            watcher = FakeDisplay(broker.port).connect()
            watcher.subscribe("infoscreen/+/discovery_ack")
            uuids = [str(uuidlib.uuid4()) for _ in range(200)]
            outcomes = await asyncio.gather(
                *(publisher.publish_discovery_ack(u, {"status": "registered", "client_uuid": u}) for u in uuids),
                *(publisher.publish_group_assignment(u, 7) for u in uuids),
                return_exceptions=True,
            )
            failures = [o for o in outcomes if isinstance(o, BaseException)]
            assert failures == [], failures[:3]
            assert stack.service.connection.stats.publish.confirmed >= 400

            def all_assigned(s: dict[str, bytes]) -> bool:
                return count(s, "infoscreen/", "/group_id") >= 200

            snapshot, _ = await asyncio.to_thread(wait_for_retained, broker.port, (GROUP_IDS,), all_assigned,
                                                  timeout=15)  # fmt: skip
            assert {t: p for t, p in snapshot.items() if t.endswith("/group_id")} == {
                f"infoscreen/{u}/group_id": b"7" for u in uuids
            }
            acked: set[str] = set()
            deadline = time.monotonic() + 10
            while len(acked) < 200 and time.monotonic() < deadline:
                msg = await asyncio.to_thread(watcher.inbox.get, True, 5)
                acked.add(msg.topic.split("/")[1])
            watcher.close()
            assert acked == set(uuids)
