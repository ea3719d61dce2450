"""A broker restarted WITHOUT persistence loses every retained message. After the server reconnects, all
of it must be back within 10 s: every group's event list and power intent and every display's group_id
(which no code path republished before)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

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
from tests.support.servers import mosquitto_server

GROUPS = 60
DISPLAYS = 250
FILTERS = (EVENTS, INTENTS, GROUP_IDS)


def _complete(snapshot: dict[str, bytes]) -> bool:
    return (
        count(snapshot, "infoscreen/events/") >= GROUPS
        and count(snapshot, "infoscreen/groups/") >= GROUPS
        and count(snapshot, "infoscreen/", "/group_id") >= DISPLAYS
    )


def _summary(snapshot: dict[str, bytes]) -> str:
    return (
        f"event lists {count(snapshot, 'infoscreen/events/')}/{GROUPS}, "
        f"intents {count(snapshot, 'infoscreen/groups/')}/{GROUPS}, "
        f"group ids {count(snapshot, 'infoscreen/', '/group_id')}/{DISPLAYS}"
    )


@pytest.mark.slow
async def test_all_retained_state_is_back_within_ten_seconds(tmp_path: Path, mariadb_url: str) -> None:
    with mosquitto_server() as first:
        port = first.port
        async with server_stack(tmp_path, port, mariadb_url) as stack:
            _, assignments = await seed_fleet(stack.container, GROUPS, DISPLAYS)
            await stack.service.start()
            before, _ = await asyncio.to_thread(wait_for_retained, port, FILTERS, _complete, timeout=30)
            assert _complete(before), _summary(before)

            connection = stack.service.connection
            connects = connection.stats.connects
            first.stop()  # persistence is off: every retained message is gone with it
            await until(lambda: not connection.is_connected, 15, "disconnect noticed")
            with mosquitto_server(port=port):
                after, elapsed = await asyncio.to_thread(wait_for_retained, port, FILTERS, _complete, timeout=10)
                assert _complete(after), f"after {elapsed:.1f}s only {_summary(after)}"
                assert connection.stats.connects == connects + 1
                for uuid, group_id in assignments.items():
                    assert after[f"infoscreen/{uuid}/group_id"] == str(group_id).encode()
                assert after.keys() == before.keys()
                assert all(after[t] == before[t] for t in after if t.endswith("/group_id"))
                scheduler = stack.container.extras["scheduler"]
                report = scheduler.last_group_ids
                assert report is not None and report.displays == DISPLAYS and report.failures == 0
