"""#14 discovery spoofing, against a real Mosquitto with dynamic security: once a display has its own broker
account, nobody can change its hostname or IP through the shared `infoscreen/discovery` topic — not another
display with its own account, not the shared provisioning login. A display still without an account is
registered and described from its discovery as before.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select

import tests.production.conftest as production
from app.domain.clients.models import Client
from tests.production.conftest import Secure
from tests.production.test_broker_acl import announce, approved_display, run

# The secured stack's fixtures (Mosquitto with dynamic security, the server with per-display accounts).
dynsec_broker = production.dynsec_broker
secure = production.secure

SPOOF = {"hostname": "evil-host", "ip": "6.6.6.6", "mac_address": "de:ad:be:ef:00:00", "software_version": "6.6.6"}


async def _row(secure: Secure, uuid: str) -> Client:
    async with secure.container.db.read_session() as session:
        row = await session.scalar(select(Client).where(Client.uuid == uuid).execution_options(populate_existing=True))
    assert row is not None
    return row


async def _processed_after(secure: Secure, uuid: str, before: object) -> Client:
    for _ in range(100):
        row = await _row(secure, uuid)
        if row.last_discovery_at is not None and row.last_discovery_at != before:
            return row
        await asyncio.sleep(0.1)
    raise AssertionError(f"discovery for {uuid} was not processed")


async def test_spoofed_discovery_changes_nothing_of_a_display_with_its_own_account(secure: Secure) -> None:
    victim, victim_display = await approved_display(secure)
    _, attacker_display = await approved_display(secure)
    original = await _row(secure, victim)
    assert (original.hostname, original.ip) == (f"pi-{victim[:4]}", "10.0.0.9")

    # Another display with its own account publishes the victim's uuid on the shared topic: the broker allows it.
    assert await run(attacker_display.publish, "infoscreen/discovery", {"uuid": victim, **SPOOF}) == 0
    after_attacker = await _processed_after(secure, victim, original.last_discovery_at)
    # So does anyone holding the provisioning login.
    _, provisioning = await run(secure.provisioning_display)
    assert await run(provisioning.publish, "infoscreen/discovery", {"uuid": victim, **SPOOF}) == 0
    after_provisioning = await _processed_after(secure, victim, after_attacker.last_discovery_at)

    for row in (after_attacker, after_provisioning):
        assert (row.hostname, row.ip, row.mac_address, row.software_version) == (
            original.hostname, original.ip, original.mac_address, original.software_version
        )  # fmt: skip
    stats = secure.container.extras["ingest"].stats
    assert stats.dropped["discovery_identity_ignored"] >= 2
    for display in (victim_display, attacker_display, provisioning):
        await run(display.close)


async def test_a_display_without_its_own_account_is_still_described_by_its_discovery(secure: Secure) -> None:
    uuid, display = await announce(secure)
    before = await _row(secure, uuid)
    assert await run(display.publish, "infoscreen/discovery", {"uuid": uuid, "hostname": "renamed",
                                                               "ip": "10.0.0.7"}) == 0  # fmt: skip
    row = await _processed_after(secure, uuid, before.last_discovery_at)
    for _ in range(50):
        if row.hostname == "renamed":
            break
        await asyncio.sleep(0.1)
        row = await _row(secure, uuid)
    assert (row.hostname, row.ip) == ("renamed", "10.0.0.7")
    await run(display.close)
