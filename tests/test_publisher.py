"""The publisher puts state on the broker exactly as a display reads it (QoS, retain, payload)."""

from __future__ import annotations

import asyncio

from tests.conftest import Live


async def test_group_assignment_is_retained_and_cleared(live: Live) -> None:
    publisher = live.container.publisher
    assert publisher is not None
    display = live.display()
    await publisher.publish_group_assignment(display.uuid, 7)
    # A display that connects later still reads its group: the message is retained.
    late = live.display(uuid=display.uuid)
    late.subscribe("infoscreen/{uuid}/group_id")
    msg = await asyncio.to_thread(late.expect, "infoscreen/{uuid}/group_id")
    assert msg.retain and msg.payload == b"7"
    await publisher.publish_group_assignment(display.uuid, None)
    fresh = live.display(uuid=display.uuid)
    fresh.subscribe("infoscreen/{uuid}/group_id")
    await asyncio.sleep(0.5)
    assert fresh.inbox.empty(), "the retained assignment was not cleared"
    for d in (display, late, fresh):
        d.close()


async def test_commands_go_to_both_topics_and_legacy_restart(live: Live) -> None:
    publisher = live.container.publisher
    assert publisher is not None
    display = live.display()
    display.subscribe("infoscreen/{uuid}/commands")
    display.subscribe("infoscreen/{uuid}/command")
    display.subscribe("clients/{uuid}/restart")
    await publisher.publish_command(display.uuid, {"action": "reboot_host"}, legacy_restart=True)
    primary = await asyncio.to_thread(display.expect, "infoscreen/{uuid}/commands")
    compat = await asyncio.to_thread(display.expect, "infoscreen/{uuid}/command")
    legacy = await asyncio.to_thread(display.expect, "clients/{uuid}/restart")
    assert primary.json() == compat.json() == {"action": "reboot_host"}
    assert not primary.retain and primary.qos == 1
    assert legacy.json() == {"action": "restart"}
    display.close()
