"""A server restart during a Durchsage: the state is in the database, so the new process republishes the
broadcast even onto a broker that lost its retained lists, and its all-clear restores the schedule."""

from __future__ import annotations

import asyncio

import paho.mqtt.client as paho
import pytest

from app.container import Container
from app.domain.broadcasts import service
from app.domain.enums import Role
from app.domain.users.tokens import Principal
from app.mqtt.service import MqttService
from tests.broadcasts.support import START, seed_school, wait_retained
from tests.conftest import Live


@pytest.fixture
def live_env() -> dict[str, str]:
    return {"POWER_INTENT_PUBLISH_ENABLED": "true"}


def _clear_retained(port: int, topics: list[str]) -> None:
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="wiper")
    client.connect("127.0.0.1", port, keepalive=30)
    client.loop_start()
    try:
        for topic in topics:
            client.publish(topic, b"", qos=1, retain=True).wait_for_publish(5)
    finally:
        client.loop_stop()
        client.disconnect()


async def test_restart_during_a_broadcast_republishes_it(live: Live) -> None:
    school = await seed_school(live.container, 6, 6)
    targets = school.group_ids[:4]
    token = await live.api.token_for(Role.ADMIN, "sekretariat")
    got = (await live.api.data(START, {"input": {"message": "Hitzefrei", "groupIds": targets}}, token=token))[
        "startBroadcast"
    ]
    eid = got["eventId"]

    def broadcast_on_targets(lists: dict, power: dict) -> bool:
        return all([e["id"] for e in lists.get(g, [])] == [eid] for g in targets) and all(
            power.get(g, {}).get("active_event_ids") == [eid] for g in targets
        )

    lists, power = await wait_retained(live.broker_port, broadcast_on_targets, timeout=20)
    assert broadcast_on_targets(lists, power)
    others = school.group_ids[4:]
    assert all(eid not in [e["id"] for e in lists.get(g, [])] for g in others)

    # The server goes down; the broker loses the lists meanwhile (e.g. restarted without persistence).
    await live.service.stop()
    topics = [f"infoscreen/events/{g}" for g in school.group_ids]
    topics += [f"infoscreen/groups/{g}/power/intent" for g in school.group_ids]
    await asyncio.to_thread(_clear_retained, live.broker_port, topics)
    lists, _ = await wait_retained(live.broker_port, lambda lists, _p: not lists, timeout=10)
    assert lists == {}

    container = Container.create(live.container.settings)
    restarted = MqttService(container, ingest=True, scheduler=True)
    await restarted.start()
    try:
        lists, power = await wait_retained(live.broker_port, broadcast_on_targets, timeout=20)
        assert broadcast_on_targets(lists, power), "the restarted server must republish the running broadcast"
        assert [e["id"] for e in lists[others[0]]] == [school.event_ids[others[0]]]

        user = await live.api.make_user(Role.ADMIN, "rektor")
        admin = Principal(user.id, user.username, Role.ADMIN)
        await service.end_broadcast(container, admin, service.EndBroadcast(got["id"]))

        def restored(lists: dict, power: dict) -> bool:
            return all(
                [e["id"] for e in lists.get(g, [])] == ([school.event_ids[g]] if g in school.busy else [])
                and power.get(g, {}).get("desired_state") == ("on" if g in school.busy else "off")
                for g in targets
            )

        lists, power = await wait_retained(live.broker_port, restored, timeout=20)
        assert restored(lists, power)
    finally:
        await restarted.stop()
        await container.close()
