"""Ingest throughput and latency against real Mosquitto + MariaDB, batched vs. commit-per-message.

N simulated displays (paho, in a separate process) send health every 5 s (QoS 0), a heartbeat every
65 s (QoS 1) and log lines (info every 30 s, warn every 120 s), with time compressed so the fleet
offers the target rate. The ingest runs in this process exactly as `infoscreen mqtt` runs it. Reported:
sustained committed msg/s and p50/p99 latency from broker receipt (our handler) to commit, then the
same run with a naive handler that commits every message on its own, and the ratio.

    .venv/bin/python bench/ingest.py [--displays 1000] [--rate 3000] [--seconds 20] [--modes batched,naive]

`--modes playback` (issue #19): the cost the Wiedergabeprotokoll adds to the ingest transaction, in one run.
The fleet's traffic (health every 5 s, heartbeat every 65 s, both carrying the shown event, plus the log
lines; 5 % of the displays switch content each minute) is cut into the ingest's 100 ms batches, and each
batch is written with `write_telemetry_batch` + commit into two MariaDB databases in alternation: one with the
playback intervals and Soll/Ist marks (`record_reports`), one without. Reported: the summed transaction time
of each and the extra cost in percent (target < 5 %), and the interval rows written.

    .venv/bin/python bench/ingest.py --modes playback --displays 10000 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import heapq
import json
import multiprocessing as mp
import random
import sys
import time
import uuid as uuidlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import paho.mqtt.client as paho  # noqa: E402
from sqlalchemy import create_engine, insert  # noqa: E402

from app.config import load_settings  # noqa: E402
from app.container import Container  # noqa: E402
from app.domain.clients.models import Client  # noqa: E402
from app.domain.models import Base  # noqa: E402
from app.mqtt.ingest.batcher import TelemetryBatcher, _Pending  # noqa: E402
from app.mqtt.ingest.component import IngestComponent  # noqa: E402
from app.mqtt.service import MqttService  # noqa: E402
from tests.conftest import create_mariadb_database  # noqa: E402
from tests.support.servers import mariadb_server, mosquitto_server  # noqa: E402

# Per-display periods in real seconds (seed-spec §4.1) and the resulting real rate per display.
PERIODS = {"health": 5.0, "heartbeat": 65.0, "info": 30.0, "warn": 120.0}
REAL_RATE_PER_DISPLAY = sum(1 / p for p in PERIODS.values())


def _payload(kind: str, seq: int) -> tuple[str, bytes, int]:
    if kind == "health":
        body = {
            "timestamp": "2026-04-05T08:00:00.000000+00:00",
            "expected_state": {"event_id": 42},
            "actual_state": {"process": "display_manager", "pid": 1234, "status": "running"},
            "health_metrics": {"screen_health_status": "OK", "last_frame_update": "2026-04-05T07:59:58Z"},
            "broker_connection": {"broker_reachable": True, "reconnect_count": seq % 5,
                                  "last_disconnect_at": "2026-04-04T10:30:00Z"},
        }  # fmt: skip
        return "health", json.dumps(body).encode(), 0
    if kind == "heartbeat":
        body = {"current_process": "display_manager", "process_pid": 1234, "process_status": "running",
                "current_event_id": 42}  # fmt: skip
        return "heartbeat", json.dumps(body).encode(), 1
    body = {"timestamp": "2026-04-05T08:00:00Z", "message": f"{kind} line {seq}: presentation advanced",
            "context": {"slide": seq % 30, "event_id": 42}}  # fmt: skip
    return f"logs/{kind}", json.dumps(body).encode(), 1 if kind == "warn" else 0


def generate(port: int, uuids: list[str], compress: float, seconds: float, sent: Any, go: Any) -> None:
    """Run in a child process: publish the compressed fleet schedule for `seconds`."""
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"bench-fleet-{uuidlib.uuid4().hex[:6]}")
    client.max_inflight_messages_set(2000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port, keepalive=60)
    client.loop_start()
    rng = random.Random(7)
    heap: list[tuple[float, int, str]] = []
    for index in range(len(uuids)):
        for kind, period in PERIODS.items():
            heap.append((rng.uniform(0, period / compress), index, kind))
    heapq.heapify(heap)
    go.wait()
    start = time.perf_counter()
    count = 0
    while True:
        due, index, kind = heap[0]
        if due > seconds:
            break
        delay = start + due - time.perf_counter()
        if delay > 0.002:
            time.sleep(delay)
        heapq.heapreplace(heap, (due + PERIODS[kind] / compress, index, kind))
        suffix, body, qos = _payload(kind, count)
        client.publish(f"infoscreen/{uuids[index]}/{suffix}", body, qos=qos)
        count += 1
    sent.value = count
    time.sleep(0.5)
    client.loop_stop()
    client.disconnect()


class NaiveWriter(TelemetryBatcher):
    """The baseline: every message in its own transaction, one after the other (like the seed listener)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()

    def submit(self, item: Any, received_at: float | None = None, *, qos: int = 1) -> asyncio.Future[bool]:
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Pending(item, received_at if received_at is not None else time.perf_counter(), done))
        return done

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    async def _run(self) -> None:
        while True:
            await self.flush([await self._queue.get()])

    async def stop(self) -> None:  # the bench does not wait for the backlog to drain
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def run_mode(naive: bool, broker_port: int, db_url: str, uuids: list[str], args: argparse.Namespace,
                   data_dir: Path) -> dict[str, float]:  # fmt: skip
    settings = load_settings(DATA_DIR=str(data_dir), SECRET_KEY="bench", DB_CONN=db_url, DB_POOL_SIZE="5",
                             MQTT_BROKER_HOST="127.0.0.1", MQTT_BROKER_PORT=str(broker_port))  # fmt: skip
    container = Container.create(settings)
    import app.mqtt.ingest.component  # noqa: F401  (registers the ingest)

    service = MqttService(container, ingest=True, scheduler=False)
    ingest: IngestComponent = container.extras["ingest"]
    if naive:
        writer = NaiveWriter(container, ingest.stats)
        writer.set_commit_hook(ingest.handlers.on_committed)
        ingest.batcher = writer
        ingest.handlers._batcher = writer
    await service.start()
    compress = args.rate / (len(uuids) * REAL_RATE_PER_DISPLAY)
    ctx = mp.get_context("spawn")
    sent, go = ctx.Value("i", 0), ctx.Event()
    proc = ctx.Process(target=generate, args=(broker_port, uuids, compress, args.warmup + args.seconds, sent, go))
    proc.start()
    await asyncio.sleep(1.5)  # the child connects
    go.set()
    await asyncio.sleep(args.warmup)
    stats = ingest.stats
    stats.latencies.clear()
    committed0, batches0, t0 = stats.committed_messages, stats.batches, time.perf_counter()
    received0 = sum(stats.received.values())
    await asyncio.sleep(args.seconds)
    elapsed = time.perf_counter() - t0
    committed = stats.committed_messages - committed0
    received = sum(stats.received.values()) - received0
    latencies = list(stats.latencies)
    flushes = list(stats.flush_seconds)[-(stats.batches - batches0) :] if stats.batches > batches0 else []
    backlog = ingest.batcher.pending
    await asyncio.to_thread(proc.join, 30)
    result = {
        "offered": received / elapsed,
        "committed": committed / elapsed,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
        "batches": stats.batches - batches0,
        "backlog": backlog,
        "drops": sum(stats.dropped.values()),
        "flush_p50_ms": _percentile(flushes, 0.5) * 1000,
        "flush_p99_ms": _percentile(flushes, 0.99) * 1000,
    }
    await service.stop()
    await container.close()
    return result


def _prepare_db(server: Any, uuids: list[str]) -> str:
    url = create_mariadb_database(server, "bench")
    engine = create_engine(url.replace("+aiomysql", "+pymysql"))
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(Client), [{"uuid": u, "is_active": True} for u in uuids])
    engine.dispose()
    return url


STAMP = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
# Not timed: every display's first report (its first interval row, written once in its life).
WARMUP_SECONDS = 10.0


def _fleet_batches(uuids: list[str], seconds: float, window: float = 0.1) -> list[tuple[float, list[Any]]]:
    """The fleet's items in real time order, cut into the ingest's windows: (offset, items) per batch."""
    from app.domain.clients.telemetry import ClientStateChange, TelemetryReason
    from app.domain.enums import LogLevel, ProcessStatus, ScreenHealthStatus
    from app.domain.monitoring.log_ingest import ClientLogEntry

    rng = random.Random(19)
    shown = {u: 1 + n % 200 for n, u in enumerate(uuids)}
    heap = [(rng.uniform(0, period), index, kind) for index in range(len(uuids)) for kind, period in PERIODS.items()]
    heapq.heapify(heap)
    batches: list[tuple[float, list[Any]]] = []
    current: list[Any] = []
    edge = window
    next_switch = 60.0
    while heap[0][0] < seconds:
        due, index, kind = heap[0]
        heapq.heapreplace(heap, (due + PERIODS[kind], index, kind))
        while due >= edge:
            batches.append((edge, current))
            current, edge = [], edge + window
        if due >= next_switch:  # 5 % of the fleet changes content each minute
            for u in rng.sample(uuids, len(uuids) // 20):
                shown[u] += 1000
            next_switch += 60.0
        uuid = uuids[index]
        if kind == "health":
            values = {"last_health_at": STAMP, "current_process": "display_manager", "process_pid": 1234,
                      "process_status": ProcessStatus.RUNNING, "screen_health_status": ScreenHealthStatus.OK,
                      "current_event_id": shown[uuid]}  # fmt: skip
            current.append(ClientStateChange(uuid, TelemetryReason.HEALTH, values))
        elif kind == "heartbeat":
            values = {"last_alive": STAMP, "current_process": "display_manager", "process_pid": 1234,
                      "process_status": ProcessStatus.RUNNING, "current_event_id": shown[uuid]}  # fmt: skip
            current.append(ClientStateChange(uuid, TelemetryReason.HEARTBEAT, values))
        else:
            level = LogLevel.INFO if kind == "info" else LogLevel.WARN
            current.append(ClientLogEntry(uuid, level, f"{kind} line: presentation advanced", None, None))
    batches.append((edge, current))
    return batches


async def playback_compare(db_server: Any, uuids: list[str], args: argparse.Namespace) -> None:
    """Same batches, same instants, two databases: with and without the playback intervals."""
    from datetime import timedelta

    from sqlalchemy import func, select

    import app.domain.clients.telemetry as telemetry
    from app.domain.db import Database
    from app.domain.playback.models import PlaybackInterval

    batches = _fleet_batches(uuids, args.seconds)
    with_pb, without_pb = (
        Database(_prepare_rooms(_prepare_db(db_server, uuids), uuids), pool_size=2) for _ in range(2)
    )
    real = telemetry.record_reports

    async def nothing(*_a: Any, **_k: Any) -> None:
        return None

    base = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    spent = {"with": 0.0, "without": 0.0}
    items = 0
    for n, (offset, batch) in enumerate(batches):
        now = base + timedelta(seconds=offset)
        items += len(batch) if offset >= WARMUP_SECONDS else 0
        order = (("with", with_pb), ("without", without_pb))
        for name, db in order if n % 2 == 0 else order[::-1]:  # alternate who goes first
            telemetry.record_reports = real if name == "with" else nothing  # type: ignore[assignment]
            t0 = time.perf_counter()
            async with db.session() as session:
                await telemetry.write_telemetry_batch(session, batch, now=now)
            if offset >= WARMUP_SECONDS:
                spent[name] += time.perf_counter() - t0
    telemetry.record_reports = real  # type: ignore[assignment]
    async with with_pb.read_session() as session:
        rows = (await session.execute(select(func.count()).select_from(PlaybackInterval))).scalar_one()
    await with_pb.dispose()
    await without_pb.dispose()
    extra = (spent["with"] / spent["without"] - 1) * 100
    timed = sum(1 for offset, _ in batches if offset >= WARMUP_SECONDS)
    print(f"playback: {len(uuids)} displays, {args.seconds:.0f} s of fleet traffic "
          f"({WARMUP_SECONDS:.0f} s warm-up untimed), {items} timed items in {timed} batches "
          f"(~{items / max(timed, 1):.0f} per transaction)")  # fmt: skip
    print(f"  ingest transactions without playback {spent['without']:.2f} s, with {spent['with']:.2f} s: "
          f"{extra:+.1f} % ({rows} interval rows: one per display and content change)")  # fmt: skip
    print("  target (< 5 % extra ingest cost):", "met" if extra < 5 else "NOT met")


def _prepare_rooms(url: str, uuids: list[str], groups: int = 40) -> str:
    """40 rooms with the fleet spread over them, each with a plan of five events (the Soll/Ist comparison)."""
    from sqlalchemy import update

    from app.domain.clients.models import ClientGroup
    from app.domain.monitoring.models import GroupContentPlan, GroupContentPlanEvent

    engine = create_engine(url.replace("+aiomysql", "+pymysql"))
    with engine.begin() as conn:
        conn.execute(insert(ClientGroup), [{"id": g + 1, "name": f"Raum {g}"} for g in range(groups)])
        for g in range(groups):
            conn.execute(update(Client).where(Client.uuid.in_(uuids[g::groups])).values(group_id=g + 1))
        conn.execute(insert(GroupContentPlan), [{"group_id": g + 1, "planned_off": False, "computed_at": STAMP}
                                                for g in range(groups)])  # fmt: skip
        conn.execute(insert(GroupContentPlanEvent), [{"group_id": g + 1, "event_id": 1 + g * 5 + i}
                                                     for g in range(groups) for i in range(5)])  # fmt: skip
    engine.dispose()
    return url


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--displays", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=3000.0, help="offered messages per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per mode")
    parser.add_argument("--warmup", type=float, default=4.0)
    parser.add_argument("--modes", default="batched,naive", help="which modes to run (batched, naive, playback)")
    args = parser.parse_args()
    uuids = [str(uuidlib.uuid4()) for _ in range(args.displays)]
    import logging

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("app.mqtt.ingest").setLevel(logging.ERROR)
    with mariadb_server() as db_server, mosquitto_server() as broker:
        compress = args.rate / (args.displays * REAL_RATE_PER_DISPLAY)
        print(f"{args.displays} displays, target {args.rate:.0f} msg/s (time x{compress:.1f}), {args.seconds:.0f} s")
        if "playback" in args.modes.split(","):
            await playback_compare(db_server, uuids, args)
        results = {}
        modes = [m for m in ("batched", "naive") if m in args.modes.split(",")]
        for mode in modes:
            url = _prepare_db(db_server, uuids)
            results[mode] = await run_mode(mode == "naive", broker.port, url, uuids, args, Path(f"/tmp/bench-{mode}"))
            r = results[mode]
            print(f"{mode:8s} offered {r['offered']:7.0f} msg/s  committed {r['committed']:7.0f} msg/s  "
                  f"p50 {r['p50_ms']:8.1f} ms  p99 {r['p99_ms']:8.1f} ms  transactions {r['batches']:6d}  "
                  f"backlog {r['backlog']:6d}  drops {r['drops']}  "
                  f"transaction p50 {r['flush_p50_ms']:.1f} ms p99 {r['flush_p99_ms']:.1f} ms")  # fmt: skip
        if "naive" in results and "batched" in results:
            ratio = results["batched"]["committed"] / max(results["naive"]["committed"], 1e-9)
            print(f"throughput ratio batched/naive: {ratio:.1f}x")
        if "batched" not in results:
            return
        ok = results["batched"]["committed"] >= 0.95 * args.rate and results["batched"]["p99_ms"] < 500
        print("target (>= 95% of the offered rate committed, p99 < 500 ms):", "met" if ok else "NOT met")


if __name__ == "__main__":
    asyncio.run(main())
