"""One account's 1,000 live subscriptions against another account's `me` query.

The hog opens 50 websocket connections × 20 `clientUpdated` subscriptions while 20 displays report every
50 ms; another user's `me` is timed before (baseline) and during. Run twice: with the shipped protection
(per-user cap MAX_SUBSCRIPTIONS_PER_USER, fair delivery gate) and with it opened wide (cap 1,000, gate
1,000 per owner and in total), which is how the server behaved before. Reported: p50/p99 of `me` and the
ratio to the same run's baseline. SQLite in DATA_DIR (the embedded default), uvicorn on loopback.

    .venv/bin/python bench/graphql_subscriptions.py [--subscriptions 1000] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from app.config import load_settings  # noqa: E402
from app.container import Container  # noqa: E402
from app.domain.bus import CLIENT_UPDATED, DeliveryGate, DomainEvent  # noqa: E402
from app.domain.enums import Role  # noqa: E402
from app.domain.models import Base  # noqa: E402
from tests.graphql.fleet import add_client  # noqa: E402
from tests.support.api import Api  # noqa: E402
from tests.support.live_server import GraphQLWs, served  # noqa: E402

SUB = "subscription { clientUpdated { uuid hostname } }"
ME = "{ me { id username } }"


async def _timings(client: httpx.AsyncClient, token: str, seconds: float) -> list[float]:
    out: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        response = await client.post("/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"})
        assert not response.json().get("errors"), response.text
        out.append(time.perf_counter() - started)
    return out


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def run(protected: bool, subscriptions: int, seconds: float) -> None:
    from app.runtime import load_adapters

    load_adapters()
    with tempfile.TemporaryDirectory() as tmp:
        cap = "100" if protected else str(subscriptions)
        settings = load_settings(DATA_DIR=tmp, SECRET_KEY="bench", MAX_SUBSCRIPTIONS_PER_USER=cap)
        container = Container.create(settings)
        if not protected:
            container.bus.delivery = DeliveryGate(total=subscriptions, per_owner=subscriptions)
        async with container.db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        async with served(container) as address, contextlib.AsyncExitStack() as stack:
            client = await stack.enter_async_context(httpx.AsyncClient(base_url=f"http://{address}", timeout=120))
            api = Api(container, client)
            hog, other = await api.token_for(Role.ADMIN, "hog"), await api.token_for(Role.USER, "other")
            uuids = [await add_client(container, hostname=f"screen-{i}") for i in range(20)]
            baseline = await _timings(client, other, seconds)
            for n in range(subscriptions // 20):
                ws = await stack.enter_async_context(GraphQLWs.connect(address, hog))
                for i in range(20):
                    await ws.subscribe(f"s{n}-{i}", SUB)

            async def publish() -> None:
                while True:
                    for uuid in uuids:
                        await container.bus.publish(DomainEvent(CLIENT_UPDATED, {"uuid": uuid}))
                    await asyncio.sleep(0.05)

            publisher = asyncio.create_task(publish())
            await asyncio.sleep(1)
            loaded = await _timings(client, other, seconds)
            publisher.cancel()
            active = container.bus.subscriber_count
        await container.close()
    base50, load50 = statistics.median(baseline) * 1000, statistics.median(loaded) * 1000
    print(
        f"{'protected' if protected else 'unprotected':12} subscriptions running={active:5d}  "
        f"me baseline p50={base50:7.1f} ms p99={_p(baseline, 0.99):7.1f} ms  "
        f"under load p50={load50:8.1f} ms p99={_p(loaded, 0.99):8.1f} ms  ratio p50={load50 / base50:6.1f}x  "
        f"(n={len(loaded)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()
    for protected in (True, False):
        asyncio.run(run(protected, args.subscriptions, args.seconds))


if __name__ == "__main__":
    main()
