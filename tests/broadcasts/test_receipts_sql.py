"""The receipt statements on both engines (production runs MariaDB): created at the start in one INSERT …
SELECT (PENDING / OFFLINE by the last heartbeat), SHOWN from a telemetry batch, OFFLINE and back by the
sweep, counted and listed per room."""

from __future__ import annotations

from datetime import timedelta

from app.domain.broadcasts.models import Broadcast
from app.domain.broadcasts.receipts import (
    create_receipts,
    list_receipts,
    mark_offline,
    receipt_counts,
    record_broadcast_receipts,
)
from app.domain.clients.models import Client, ClientGroup
from app.domain.clock import utcnow
from app.domain.db import Database

UUIDS = [f"00000000-0000-4000-8000-00000000000{n}" for n in range(1, 5)]


async def test_receipts_from_start_to_shown_and_offline(any_db: Database) -> None:
    now = utcnow()
    async with any_db.session() as session:
        aula, mensa = ClientGroup(name="Aula"), ClientGroup(name="Mensa")
        session.add_all([aula, mensa])
        await session.flush()
        session.add_all(
            [
                Client(uuid=UUIDS[0], group_id=aula.id, last_alive=now, description="Eingang"),
                Client(uuid=UUIDS[1], group_id=aula.id, last_alive=now - timedelta(hours=1), hostname="pi-tafel"),
                Client(uuid=UUIDS[2], group_id=mensa.id, last_alive=now, hostname="pi-mensa"),
                Client(uuid=UUIDS[3], group_id=None, last_alive=now),  # no group: never a target
            ]
        )
        broadcast = Broadcast(message="Probe", severity="INFO", started_at=now, created_at=now)
        session.add(broadcast)
        await session.flush()
        bid = broadcast.id
        assert await create_receipts(session, bid, None, now, grace_seconds=60) == 3
    async with any_db.session() as session:
        eid = 2_000_000_000 + bid
        shown = await record_broadcast_receipts(
            session, {UUIDS[0]: {"current_event_id": eid}, UUIDS[2]: {"current_event_id": 17}}, now
        )
        assert shown == {bid: 1}
        assert await record_broadcast_receipts(session, {UUIDS[2]: {"last_alive": now}}, now) == {}
    later = now + timedelta(minutes=2)
    async with any_db.session() as session:
        # Mensa's display stops heartbeating; the one that was offline comes back.
        client = await session.get(Client, UUIDS[1])
        assert client is not None
        client.last_alive = later
        await session.flush()
        assert await mark_offline(session, [bid], later, grace_seconds=60) == {bid}
    async with any_db.read_session() as session:
        row = await session.get(Broadcast, bid)
        assert row is not None
        counts = (await receipt_counts(session, [row]))[bid]
        receipts = await list_receipts(session, bid)
    assert (counts.target, counts.shown, counts.pending, counts.offline) == (3, 1, 1, 1)
    assert counts.seconds_to[50] == 0.0 and counts.seconds_to[100] is None
    assert [(r.group_name, r.client_name, r.status.value) for r in receipts] == [
        ("Aula", "Eingang", "SHOWN"),
        ("Aula", "pi-tafel", "PENDING"),
        ("Mensa", "pi-mensa", "OFFLINE"),
    ]
