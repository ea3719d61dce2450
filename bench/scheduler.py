"""Benchmark one scheduler tick: N groups x E recurring events, on SQLite (and MariaDB with --mariadb).

    .venv/bin/python bench/scheduler.py                 # 10 and 1,000 groups x 20 events on SQLite
    .venv/bin/python bench/scheduler.py --mariadb       # also on a throwaway MariaDB server
    .venv/bin/python bench/scheduler.py --no-broker     # skip the real-broker part

Reports, per size: the cold tick (first tick: series expanded, everything published), the warm tick
(steady state, nothing changed: what runs every POLL_INTERVAL_SECONDS) and the SQL statements per tick.
Here the publisher records instead of sending, so the numbers are the server's own work.
Power intents are enabled (heartbeat on), so every group's intent is built on every tick.

Then the same through a real Mosquitto (SQLite, `--broker-groups` groups, each with one event running at
the moment of measuring besides its series, and `--displays` displays), once with Mosquitto's DEFAULT
configuration (max_inflight_messages 20) and once with the shipped docker/mosquitto limits: a forced tick
publishing every event list and power intent, and the reconnect republish (forced tick plus every
display's group_id, as after a broker restart), with the broker's view read back. No absolute limits are
asserted; compare with the recording tick of the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert
from sqlalchemy import event as sa_event

from app.config import load_settings
from app.container import Container
from app.domain.clients.models import Client, ClientGroup
from app.domain.enums import EventType, MediaType
from app.domain.events.models import Event
from app.domain.media.models import EventMedia
from app.domain.models import Base
from app.mqtt.connection import MqttConnection
from app.mqtt.publisher import MqttPublisher
from app.mqtt.republish import republish_group_ids
from app.mqtt.scheduler import Scheduler

EVENT_MINUTES = 40
TYPES = (EventType.MESSAGE, EventType.WEBSITE, EventType.PRESENTATION, EventType.VIDEO)


class RecordingPublisher:
    def __init__(self) -> None:
        self.event_lists = 0
        self.intents = 0

    async def publish_event_list(self, group_id: int, events: list[dict[str, Any]]) -> None:
        self.event_lists += 1

    async def publish_power_intent(self, group_id: int, payload: dict[str, Any]) -> None:
        self.intents += 1


def seed(sync_url: str, groups: int, per_group: int) -> None:
    """Bulk-insert groups, two media and per_group daily/weekly series spread over the day."""
    engine = create_engine(sync_url)
    Base.metadata.create_all(engine)
    anchor = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=60)
    with engine.begin() as conn:
        conn.execute(
            insert(EventMedia),
            [
                {"media_type": MediaType.PDF, "file_name": "plan.pdf", "file_path": "u/1", "size": 1000,
                 "sha256": "a" * 64, "access_token": secrets.token_urlsafe(16)},
                {"media_type": MediaType.VIDEO, "file_name": "film.mp4", "file_path": "u/2", "size": 9000,
                 "sha256": "b" * 64, "access_token": secrets.token_urlsafe(16), "mime_type": "video/mp4"},
            ],
        )  # fmt: skip
        conn.execute(insert(ClientGroup), [{"name": f"Raum {g}"} for g in range(groups)])
        rows = []
        for g in range(1, groups + 1):
            for k in range(per_group):
                # Series start every 72 minutes so at any moment about one event per group is active.
                start = anchor + timedelta(minutes=72 * k + (g % 7))
                kind = TYPES[k % len(TYPES)]
                row: dict[str, Any] = {
                    "group_id": g, "title": f"Serie {k}", "event_type": kind, "start": start,
                    "end": start + timedelta(minutes=EVENT_MINUTES),
                    "recurrence_rule": "FREQ=DAILY" if k % 3 else "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU",
                    "message_text": "Hallo", "website_url": "https://schule.example", "skip_holidays": False,
                    "is_active": True,
                }  # fmt: skip
                if kind is EventType.PRESENTATION:
                    row.update(event_media_id=1, slideshow_interval=10, page_progress=True, auto_progress=True)
                if kind is EventType.VIDEO:
                    row.update(event_media_id=2, autoplay=True, loop=True, volume=0.8, muted=False)
                rows.append(row)
        for i in range(0, len(rows), 5000):
            conn.execute(insert(Event), rows[i : i + 5000])
    engine.dispose()


@dataclass
class Result:
    groups: int
    events: int
    cold_ms: float
    warm_ms: float
    warm_p95_ms: float
    warm_cpu_ms: float
    statements: int
    active: int


async def measure(db_url: str, groups: int, per_group: int, warm_ticks: int) -> Result:
    tmp = Path(tempfile.mkdtemp(prefix="bench-sched-"))
    settings = load_settings(
        DATA_DIR=str(tmp), DB_CONN=db_url, SECRET_KEY="bench", POLL_INTERVAL_SECONDS="30",
        POWER_INTENT_PUBLISH_ENABLED="true",
    )  # fmt: skip
    container = Container.create(settings)
    publisher = RecordingPublisher()
    container.publisher = publisher  # type: ignore[assignment]
    scheduler = Scheduler(container, MqttConnection(settings))
    statements: list[str] = []
    sa_event.listen(container.db.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    try:
        t0 = time.perf_counter()
        await scheduler.tick(force=True)
        cold = (time.perf_counter() - t0) * 1000
        warm: list[float] = []
        cpu: list[float] = []
        counts: list[int] = []
        for _ in range(warm_ticks):
            statements.clear()
            t0, c0 = time.perf_counter(), time.process_time()
            await scheduler.tick()
            warm.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            counts.append(len(statements))
        async with container.db.read_session() as session:
            snapshot = await scheduler.calculator.compute(session, datetime.now(UTC))
        active = sum(len(s.active) for s in snapshot.groups.values())
        return Result(
            groups=groups,
            events=groups * per_group,
            cold_ms=cold,
            warm_ms=statistics.median(warm),
            warm_p95_ms=sorted(warm)[max(0, int(len(warm) * 0.95) - 1)],
            warm_cpu_ms=statistics.median(cpu),
            statements=max(counts),
            active=active,
        )
    finally:
        await container.close()


def run_engine(name: str, make_url: Any, sizes: list[int], per_group: int, warm_ticks: int) -> list[Result]:
    results = []
    for groups in sizes:
        async_url, sync_url = make_url(groups)
        seed(sync_url, groups, per_group)
        results.append(asyncio.run(measure(async_url, groups, per_group, warm_ticks)))
    base = results[0]
    print(f"\n{name}: {per_group} recurring events per group, power intents on")
    print(f"{'groups':>7} {'events':>7} {'active':>7} {'cold ms':>9} {'warm ms':>9} {'p95 ms':>8} {'cpu ms':>8} "
          f"{'SQL/tick':>9} {'x base':>7}")  # fmt: skip
    for r in results:
        print(
            f"{r.groups:>7} {r.events:>7} {r.active:>7} {r.cold_ms:>9.1f} {r.warm_ms:>9.1f} {r.warm_p95_ms:>8.1f} "
            f"{r.warm_cpu_ms:>8.1f} {r.statements:>9} {r.warm_ms / base.warm_ms:>7.1f}"
        )
    print(f"load average while measuring: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return results


SHIPPED_LIMITS = "max_inflight_messages 100\nmax_queued_messages 100000\nmax_queued_bytes 134217728\n"


def seed_fleet(sync_url: str, groups: int, per_group: int, displays: int) -> None:
    """The series of `seed` plus one event per group spanning now, and `displays` assigned displays."""
    seed(sync_url, groups, per_group)
    now = datetime.now(UTC).replace(tzinfo=None)
    engine = create_engine(sync_url)
    with engine.begin() as conn:
        conn.execute(insert(Event), [
            {"group_id": g, "title": "Jetzt", "event_type": EventType.MESSAGE, "message_text": "Jetzt",
             "start": now - timedelta(hours=1), "end": now + timedelta(hours=3), "skip_holidays": False,
             "is_active": True}
            for g in range(1, groups + 1)
        ])  # fmt: skip
        rows = [{"uuid": f"{i:08x}-0000-4000-8000-{i:012x}", "group_id": 1 + i % groups, "is_active": True}
                for i in range(displays)]  # fmt: skip
        for i in range(0, len(rows), 5000):
            conn.execute(insert(Client), rows[i : i + 5000])
    engine.dispose()


@dataclass
class BrokerResult:
    label: str
    window: int
    active_groups: int
    recording_tick_ms: float
    tick_ms: float
    tick_failures: int
    republish_ms: float
    republish_failures: int
    retained: int
    expected: int


async def measure_broker(label: str, db_url: str, port: int, groups: int, displays: int) -> BrokerResult:
    from tests.resilience.publish_support import EVENTS, GROUP_IDS, INTENTS, retained_snapshot

    tmp = Path(tempfile.mkdtemp(prefix="bench-sched-broker-"))
    settings = load_settings(
        DATA_DIR=str(tmp), DB_CONN=db_url, SECRET_KEY="bench", POLL_INTERVAL_SECONDS="30",
        POWER_INTENT_PUBLISH_ENABLED="true", MQTT_BROKER_HOST="127.0.0.1", MQTT_BROKER_PORT=str(port),
    )  # fmt: skip
    container = Container.create(settings)
    connection = MqttConnection(settings)
    container.publisher = MqttPublisher(connection)
    scheduler = Scheduler(container, connection)
    await connection.connect()
    try:
        await scheduler.tick(force=True)  # cold: series expanded; measured below on a loaded calculator
        async with container.db.read_session() as session:
            snapshot = await scheduler.calculator.compute(session, datetime.now(UTC))
        active_groups = sum(1 for s in snapshot.groups.values() if s.active)
        # A forced tick on loaded series (what a reconnect runs): first recorded, then through the broker.
        container.publisher = RecordingPublisher()  # type: ignore[assignment]
        t0 = time.perf_counter()
        await scheduler.tick(force=True, reload=False)
        recording_ms = (time.perf_counter() - t0) * 1000
        container.publisher = MqttPublisher(connection)
        t0 = time.perf_counter()
        report = await scheduler.tick(force=True, reload=False)
        tick_ms = (time.perf_counter() - t0) * 1000
        # What follows a broker restart: the forced tick and the group_id republish, side by side.
        t0 = time.perf_counter()
        again, ids = await asyncio.gather(
            scheduler.tick(force=True, reload=False), republish_group_ids(container.db, connection)
        )
        republish_ms = (time.perf_counter() - t0) * 1000
        seen = await asyncio.to_thread(retained_snapshot, port, (EVENTS, INTENTS, GROUP_IDS), settle=1.0)
        return BrokerResult(
            label, connection.outbox.window, active_groups, recording_ms, tick_ms, report.publish_failures,
            republish_ms,
            again.publish_failures + ids.failures, len(seen), 2 * groups + displays,
        )  # fmt: skip
    finally:
        await connection.disconnect()
        await container.close()


def run_broker(groups: int, per_group: int, displays: int) -> None:
    from tests.support.servers import mosquitto_server

    workdir = Path(tempfile.mkdtemp(prefix="bench-broker-"))
    results = []
    for label, extra in (("default config", ""), ("shipped limits", SHIPPED_LIMITS)):
        path = workdir / f"{len(results)}.db"
        seed_fleet(f"sqlite:///{path}", groups, per_group, displays)
        with mosquitto_server(extra) as broker:
            results.append(asyncio.run(measure_broker(label, f"sqlite+aiosqlite:///{path}", broker.port, groups,
                                                      displays)))  # fmt: skip
    print(f"\nReal Mosquitto: {groups} groups ({per_group} series + 1 event now each), {displays} displays, SQLite")
    print(f"{'broker':>15} {'window':>7} {'active':>7} {'recorded ms':>12} {'tick ms':>9} {'x rec':>6} {'fail':>5} "
          f"{'reconnect ms':>13} {'fail':>5} {'retained':>12}")  # fmt: skip
    for r in results:
        print(f"{r.label:>15} {r.window:>7} {r.active_groups:>7} {r.recording_tick_ms:>12.1f} {r.tick_ms:>9.1f} "
              f"{r.tick_ms / r.recording_tick_ms:>6.1f} {r.tick_failures:>5} {r.republish_ms:>13.1f} "
              f"{r.republish_failures:>5} {r.retained:>6}/{r.expected}")  # fmt: skip
    print("recorded/tick: a forced tick on loaded series (as after a reconnect) with a recording publisher, then")
    print("publishing every event list and power intent through the broker, each confirmed by PUBACK;")
    print("reconnect: that tick + every display's group_id side by side, as after a broker restart;")
    print("retained: what a fresh subscriber then finds on the broker.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, nargs="+", default=[10, 1000])
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--ticks", type=int, default=10)
    parser.add_argument("--mariadb", action="store_true", help="also run on a throwaway MariaDB server")
    parser.add_argument("--no-broker", action="store_true", help="skip the real-Mosquitto measurements")
    parser.add_argument("--broker-groups", type=int, default=1000)
    parser.add_argument("--displays", type=int, default=10000)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-sqlite-"))

    def sqlite_url(groups: int) -> tuple[str, str]:
        path = workdir / f"g{groups}.db"
        return f"sqlite+aiosqlite:///{path}", f"sqlite:///{path}"

    run_engine("SQLite", sqlite_url, args.groups, args.events, args.ticks)

    if args.mariadb:
        import pymysql

        from tests.support.servers import mariadb_server

        with mariadb_server() as server:

            def mariadb_url(groups: int) -> tuple[str, str]:
                name = f"bench_{groups}_{secrets.token_hex(3)}"
                conn = pymysql.connect(host="127.0.0.1", port=server.port, user="root")
                with conn.cursor() as cur:
                    cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
                conn.close()
                base = f"127.0.0.1:{server.port}/{name}?charset=utf8mb4"
                return f"mysql+aiomysql://root@{base}", f"mysql+pymysql://root@{base}"

            run_engine("MariaDB", mariadb_url, args.groups, args.events, args.ticks)

    if not args.no_broker:
        run_broker(args.broker_groups, args.events, args.displays)


if __name__ == "__main__":
    main()
