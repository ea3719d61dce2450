"""Benchmark: the `clients` and `monitoringOverview` queries over 10,000 displays on MariaDB.

Starts a throwaway MariaDB (tests/support/servers.py), seeds groups, displays and logs, then drives the
real ASGI app in-process over httpx and prints p50/p99 per query and the ratio to a trivial `{ version }`
request measured in the same run (so the numbers travel between machines).

    .venv/bin/python -m bench.graphql_clients [--clients 10000] [--logs-per-client 10] [--runs 30]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid as uuidlib
from datetime import timedelta
from pathlib import Path

import httpx
import pymysql
from sqlalchemy import create_engine, insert, text

from app.config import load_settings
from app.container import Container
from app.domain.clients.models import Client, ClientGroup
from app.domain.clock import utcnow
from app.domain.enums import LogLevel, ProcessStatus, Role, ScreenHealthStatus, TokenKind
from app.domain.models import Base
from app.domain.monitoring.models import ClientLog
from app.domain.monitoring.problem_marks import recompute_marks_statement
from app.domain.users.models import User
from app.domain.users.passwords import hash_password
from app.domain.users.tokens import create_token
from app.heap import settle_heap
from tests.support.servers import mariadb_server

TARGET_P50_MS = 150
TARGET_P99_MS = 400

CLIENT_FIELDS = "uuid description hostname ip groupId isAlive lastAlive processStatus screenHealthStatus group { name }"
OVERVIEW_FIELDS = (
    "uuid description status isAlive processStatus screenHealthStatus hasActivePriorityScreenshot "
    "mqttReconnectCount logCounts { error warn } latestLog { message } latestError { message }"
)
QUERIES = {
    "version (baseline)": "{ version }",
    # What a dashboard or integrator pages through: the targets apply to these.
    "clients (page of 500)": "{ clients(limit: 500) { " + CLIENT_FIELDS + " } }",
    "clients (page of 500 at offset 9000)": "{ clients(limit: 500, offset: 9000) { " + CLIENT_FIELDS + " } }",
    "clients (one group)": "query($g: Int) { clients(groupId: $g) { uuid description isAlive group { name } } }",
    "monitoringOverview (summary only)": (
        "{ monitoringOverview { summary { totalClients healthy warning critical offline errorLogs } } }"
    ),
    "monitoringOverview (page of 500)": (
        "{ monitoringOverview(limit: 500) { summary { totalClients critical } matchingClients clients { "
        + OVERVIEW_FIELDS
        + " } } }"
    ),
    "monitoringOverview (critical/offline, page of 500)": (
        "{ monitoringOverview(status: [CRITICAL, OFFLINE], limit: 500) { summary { totalClients } "
        "matchingClients clients { uuid status latestError { message } } } }"
    ),
    # The whole fleet in one response: reported, not held to the page targets (see docs/operations.md).
    "clients (all 10k in one response)": "{ clients { " + CLIENT_FIELDS + " } }",
    "monitoringOverview (all 10k in one response)": (
        "{ monitoringOverview { summary { totalClients critical } clients { " + OVERVIEW_FIELDS + " } } }"
    ),
}
WHOLE_FLEET = "in one response"


def _database(port: int) -> str:
    name = f"bench_{uuidlib.uuid4().hex[:8]}"
    conn = pymysql.connect(host="127.0.0.1", port=port, user="root")
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    conn.close()
    return f"mysql+pymysql://root@127.0.0.1:{port}/{name}?charset=utf8mb4"


def seed(url: str, clients: int, logs_per_client: int) -> int:
    """Schema plus data in bulk (sync, executemany); returns the id of a mid-sized group."""
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    rng = random.Random(42)
    now = utcnow().replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(insert(ClientGroup), [{"name": f"Raum {i:03d}", "display_order": i} for i in range(1, 201)])
        rows = []
        for i in range(clients):
            rows.append(
                {
                    "uuid": str(uuidlib.UUID(int=rng.getrandbits(128), version=4)),
                    "description": f"Display {i:05d}",
                    "hostname": f"pi-{i:05d}",
                    "ip": f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}",
                    "group_id": (i % 200) + 1 if i % 50 else None,
                    "is_active": True,
                    "last_alive": now - timedelta(seconds=rng.choice([10, 30, 60, 600])),
                    "process_status": rng.choice(list(ProcessStatus)).value,
                    "screen_health_status": rng.choice(list(ScreenHealthStatus)).value,
                    "mqtt_reconnect_count": rng.randint(0, 5),
                    "registered_at": now,
                    "updated_at": now,
                    "broker_access": "approved",
                }
            )
        for start in range(0, len(rows), 2000):
            conn.execute(insert(Client), rows[start : start + 2000])
        levels = [LogLevel.INFO, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR, LogLevel.DEBUG]
        batch = []
        for row in rows:
            for _ in range(logs_per_client):
                batch.append(
                    {
                        "client_uuid": row["uuid"],
                        "timestamp": now - timedelta(minutes=rng.randint(0, 60 * 36)),
                        "level": rng.choice(levels).value,
                        "message": "player heartbeat " + "x" * rng.randint(5, 60),
                        "created_at": now,
                    }
                )
                if len(batch) >= 5000:
                    conn.execute(insert(ClientLog), batch)
                    batch = []
        if batch:
            conn.execute(insert(ClientLog), batch)
    with engine.begin() as conn:
        # The bulk insert bypassed ingest: set the displays' problem marks from the logs, as migration 0003
        # does. Statistics first, or the optimizer plans the per-display probes for an empty table.
        conn.execute(text("ANALYZE TABLE client_logs"))
        conn.execute(recompute_marks_statement(only_marked=False))
    engine.dispose()
    return 17


async def measure(client: httpx.AsyncClient, query: str, variables: dict, token: str, runs: int) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    payload = {"query": query, "variables": variables}
    for _ in range(2):  # warm-up (pool, caches)
        response = await client.post("/graphql", json=payload, headers=headers)
        body = response.json()
        assert not body.get("errors"), body["errors"]
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = await client.post("/graphql", json=payload, headers=headers)
        response.json()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


async def run(url: str, group_id: int, runs: int, data_dir: Path, clients: int) -> None:
    from app.http import create_http_app
    from app.runtime import load_adapters

    load_adapters()
    settings = load_settings(DB_CONN=url, DATA_DIR=str(data_dir), SECRET_KEY="bench")
    container = Container.create(settings)
    async with container.db.session() as session:
        user = User(username="bench", password_hash=hash_password("bench-pass"), role=Role.SUPERADMIN)
        session.add(user)
        await session.flush()
        token, _ = await create_token(session, user, TokenKind.SESSION, ttl=timedelta(hours=1))
    app = create_http_app(container)
    settle_heap()  # as `infoscreen run` does once started
    app.state.ready = True
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120) as http:
        results = {}
        for name, query in QUERIES.items():
            variables = {"g": group_id} if "$g" in query else {}
            results[name] = await measure(http, query, variables, token, runs)
    await container.close()

    base = statistics.median(results["version (baseline)"])
    print(f"\n{'query':48} {'p50 ms':>9} {'p99 ms':>9} {'x base':>8}  target p50<{TARGET_P50_MS} p99<{TARGET_P99_MS}")
    for name, samples in results.items():
        p50, p99 = percentile(samples, 50), percentile(samples, 99)
        met = p50 < TARGET_P50_MS and p99 < TARGET_P99_MS
        if name.startswith("version"):
            verdict = ""
        elif WHOLE_FLEET in name:
            verdict = f"info: {p50 * 1000 / clients:.0f} µs per display"
        else:
            verdict = "ok" if met else "MISS"
        print(f"{name:48} {p50:9.1f} {p99:9.1f} {p50 / base:8.1f}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--logs-per-client", type=int, default=10)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with mariadb_server() as server, tempfile.TemporaryDirectory() as tmp:
        url = _database(server.port)
        started = time.perf_counter()
        group_id = seed(url, args.clients, args.logs_per_client)
        print(f"seeded {args.clients} clients, {args.clients * args.logs_per_client} logs "
              f"in {time.perf_counter() - started:.1f}s")  # fmt: skip
        asyncio.run(run(url.replace("+pymysql", "+aiomysql"), group_id, args.runs, Path(tmp), args.clients))


if __name__ == "__main__":
    main()
