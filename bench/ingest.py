"""Ingest throughput and latency against real Mosquitto + MariaDB, batched vs. commit-per-message.

N simulated displays (paho, in a separate process) send health every 5 s (QoS 0), a heartbeat every
65 s (QoS 1) and log lines (info every 30 s, warn every 120 s), with time compressed so the fleet
offers the target rate. The ingest runs in this process exactly as `infoscreen mqtt` runs it. Reported:
sustained committed msg/s and p50/p99 latency from broker receipt (our handler) to commit, then the
same run with a naive handler that commits every message on its own, and the ratio.

    .venv/bin/python bench/ingest.py [--displays 1000] [--rate 3000] [--seconds 20] [--modes batched,naive]
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


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--displays", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=3000.0, help="offered messages per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per mode")
    parser.add_argument("--warmup", type=float, default=4.0)
    parser.add_argument("--modes", default="batched,naive", help="which modes to run (batched, naive)")
    args = parser.parse_args()
    uuids = [str(uuidlib.uuid4()) for _ in range(args.displays)]
    import logging

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("app.mqtt.ingest").setLevel(logging.ERROR)
    with mariadb_server() as db_server, mosquitto_server() as broker:
        compress = args.rate / (args.displays * REAL_RATE_PER_DISPLAY)
        print(f"{args.displays} displays, target {args.rate:.0f} msg/s (time x{compress:.1f}), {args.seconds:.0f} s")
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
