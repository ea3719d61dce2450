"""Benchmark a Durchsage at 1,000 groups / 5,000 simulated displays against a real Mosquitto (DEFAULT config).

    .venv/bin/python bench/broadcast.py                       # SQLite
    .venv/bin/python bench/broadcast.py --mariadb             # a throwaway MariaDB server
    .venv/bin/python bench/broadcast.py --groups 200 --displays 1000 --interval 5

The server side is the real MQTT service (ingest + scheduler, power intents on). The displays are simulated
(tests/broadcasts/sim.py): one paho connection that takes every group's retained list like the group's
displays do and reports, per display, the id of the first event with that display's next periodic
heartbeat (`--interval` seconds, the fleet spread evenly over it). Measured:

1. `startBroadcast` (the use case the mutation runs, ALARM to all groups) until every group's new list has
   reached the simulated fleet through the broker (target < 1 s), and until the use case returned (its
   publishes confirmed by the broker);
2. until 95 % (and 100 %) of the online displays are SHOWN in the database (target < interval + 2 s);
3. `endBroadcast` until every group's normal list is back at the fleet (target < 1 s).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid as uuidlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.config import load_settings
from app.container import Container
from app.domain.broadcasts import service
from app.domain.broadcasts.models import Broadcast
from app.domain.broadcasts.receipts import receipt_counts
from app.domain.clients.models import Client, ClientGroup
from app.domain.clock import utcnow
from app.domain.enums import EventType, Role
from app.domain.events.models import Event
from app.domain.models import Base
from app.domain.preview.payload import calculator_for
from app.domain.users.models import User
from app.domain.users.tokens import Principal
from app.mqtt.service import MqttService
from app.runtime import load_adapters
from tests.broadcasts.sim import ShowingFleet
from tests.conftest import create_mariadb_database
from tests.support.servers import mariadb_server, mosquitto_server


@dataclass
class Figures:
    # Same-run baseline: the bare publisher putting every group's (unchanged) list on the broker.
    baseline_publish: float = 0.0
    lists_at_fleet: float = 0.0
    use_case_returned: float = 0.0
    confirmed_95: float | None = None
    confirmed_100: float | None = None
    restored_at_fleet: float = 0.0
    end_returned: float = 0.0


async def seed(container: Container, groups: int, displays: int) -> tuple[dict[str, int], dict[int, int], int]:
    now = utcnow()
    async with container.db.session() as session:
        user = User(username="bench-admin", password_hash="x", role=Role.ADMIN)
        rows = [ClientGroup(name=f"Raum {i:04d}") for i in range(groups)]
        session.add(user)
        session.add_all(rows)
        await session.flush()
        events = [
            Event(group_id=g.id, title=f"Unterricht {g.id}", event_type=EventType.MESSAGE, message_text="Stunde",
                  start=now - timedelta(minutes=10), end=now + timedelta(hours=3))
            for i, g in enumerate(rows) if i % 2 == 0
        ]  # fmt: skip
        session.add_all(events)
        await session.flush()
        assignments = {str(uuidlib.uuid4()): rows[i % groups].id for i in range(displays)}
        session.add_all(Client(uuid=u, group_id=g, is_active=True, last_alive=now) for u, g in assignments.items())
        return assignments, {e.group_id: e.id for e in events}, user.id


async def wait(check, timeout: float, what: str) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise SystemExit(f"{what}: not reached within {timeout}s")
        await asyncio.sleep(0.01)
    return time.monotonic() - started


async def confirmed(container: Container, broadcast_id: int) -> tuple[int, int]:
    async with container.db.read_session() as session:
        row = await session.get(Broadcast, broadcast_id)
        assert row is not None
        counts = (await receipt_counts(session, [row]))[broadcast_id]
    return counts.shown, counts.online


async def run(db_url: str, port: int, groups: int, displays: int, interval: float) -> Figures:
    load_adapters()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-broadcast-"))
    settings = load_settings(
        DATA_DIR=str(data_dir), SECRET_KEY="bench", MQTT_BROKER_HOST="127.0.0.1", MQTT_BROKER_PORT=str(port),
        POLL_INTERVAL_SECONDS="30", POWER_INTENT_PUBLISH_ENABLED="true", DB_URL=db_url,
        HEARTBEAT_GRACE_PERIOD_DEV=str(int(interval * 6) + 10),
    )  # fmt: skip
    container = Container.create(settings)
    async with container.db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    assignments, normal, user_id = await seed(container, groups, displays)
    admin = Principal(user_id, "bench-admin", Role.ADMIN)
    mqtt = MqttService(container, ingest=True, scheduler=True)
    await mqtt.start()
    figures = Figures()
    fleet = ShowingFleet(port, assignments, beat_every=interval, report_on_change=False).start()
    try:
        scheduler = container.extras["scheduler"]
        await wait(lambda: scheduler.last_report is not None, 120, "first scheduler tick")
        await wait(lambda: all(fleet.head_ids().get(g) == e for g, e in normal.items()), 60, "initial lists")
        await asyncio.sleep(interval + 1)  # every display heartbeated once: all online
        publisher = container.publisher
        assert publisher is not None
        async with container.db.read_session() as session:
            snapshot = await calculator_for(settings).compute(session, utcnow())
        base = time.monotonic()
        await asyncio.gather(*(publisher.publish_event_list(g, snapshot.event_list(g)) for g in snapshot.groups))
        figures.baseline_publish = time.monotonic() - base
        await asyncio.sleep(1)

        started = time.monotonic()
        command = service.StartBroadcast("Bitte verlassen Sie das Gebäude.", "ALARM", "Evakuierung")
        broadcast = await service.start_broadcast(container, admin, command)
        figures.use_case_returned = time.monotonic() - started
        eid = 2_000_000_000 + broadcast.id
        group_ids = set(assignments.values())
        await wait(lambda: all(fleet.head_ids().get(g) == eid for g in group_ids), 30, "broadcast lists")
        figures.lists_at_fleet = max(fleet.list_arrived[g] for g in group_ids) - started
        while figures.confirmed_100 is None and time.monotonic() - started < interval * 4 + 30:
            shown, online = await confirmed(container, broadcast.id)
            elapsed = time.monotonic() - started
            if figures.confirmed_95 is None and shown >= 0.95 * online:
                figures.confirmed_95 = elapsed
            if shown >= online:
                figures.confirmed_100 = elapsed
            await asyncio.sleep(0.05)

        ended = time.monotonic()
        await service.end_broadcast(container, admin, service.EndBroadcast(broadcast.id))
        figures.end_returned = time.monotonic() - ended
        await wait(lambda: all(fleet.head_ids().get(g) == normal.get(g) for g in group_ids), 30, "normal lists")
        figures.restored_at_fleet = max(fleet.list_arrived[g] for g in group_ids) - ended
    finally:
        fleet.stop()
        await mqtt.stop()
        await container.close()
    return figures


def report(label: str, f: Figures, interval: float) -> None:
    def mark(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print(f"\n{label}")
    base = f.baseline_publish
    print(f"  baseline: bare publish of every list     : {base:6.3f} s  (same run, same broker)")
    print(
        f"  start → every retained list at the fleet : {f.lists_at_fleet:6.3f} s  (< 1 s: {mark(f.lists_at_fleet < 1)})"
    )
    print(f"  start use case returned (confirmed)      : {f.use_case_returned:6.3f} s")
    print(f"  lists at the fleet / baseline            : {f.lists_at_fleet / max(base, 1e-3):6.2f} x")
    c95 = f.confirmed_95 if f.confirmed_95 is not None else float("inf")
    print(
        f"  95 % of online displays SHOWN           : {c95:6.3f} s  (< {interval:g} + 2 s: {mark(c95 < interval + 2)})"
    )
    c100 = f.confirmed_100 if f.confirmed_100 is not None else float("inf")
    print(f"  100 % SHOWN                             : {c100:6.3f} s")
    print(f"  95 % SHOWN after the lists arrived      : {c95 - f.lists_at_fleet:6.3f} s")
    restored = f.restored_at_fleet
    print(f"  all-clear → every normal list at fleet   : {restored:6.3f} s  (< 1 s: {mark(restored < 1)})")
    print(f"  end use case returned (confirmed)        : {f.end_returned:6.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--displays", type=int, default=5000)
    parser.add_argument("--interval", type=float, default=5.0, help="the displays' heartbeat interval (s)")
    parser.add_argument("--mariadb", action="store_true")
    args = parser.parse_args()
    with mosquitto_server() as broker:
        if args.mariadb:
            with mariadb_server() as server:
                url = create_mariadb_database(server, "bench")
                figures = asyncio.run(run(url, broker.port, args.groups, args.displays, args.interval))
                report(f"MariaDB, {args.groups} groups / {args.displays} displays", figures, args.interval)
        else:
            url = f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='bench-bc-db-')}/bench.db"
            figures = asyncio.run(run(url, broker.port, args.groups, args.displays, args.interval))
            report(f"SQLite, {args.groups} groups / {args.displays} displays", figures, args.interval)


if __name__ == "__main__":
    main()
