"""The HTTP app on a real loopback socket (uvicorn in the test's event loop) and a graphql-transport-ws client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
import websockets

from app.container import Container
from tests.support.servers import free_port


async def eventually(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll `predicate` until it holds (bounded; fails the test after `timeout` seconds)."""
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"condition not met within {timeout}s")


@asynccontextmanager
async def served(container: Container) -> AsyncIterator[str]:
    """Yields the base address `127.0.0.1:<port>` of the running app."""
    from app.http import create_http_app

    app = create_http_app(container)
    app.state.ready = True
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started, timeout=10)
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


class GraphQLWs:
    """A minimal graphql-transport-ws client: init with a bearer token, subscribe, read, complete."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self._pending: dict[str, list[dict[str, Any]]] = {}

    @classmethod
    @asynccontextmanager
    async def connect(cls, address: str, token: str) -> AsyncIterator[GraphQLWs]:
        url = f"ws://{address}/graphql"
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
            async with asyncio.timeout(5):
                ack = json.loads(await ws.recv())
            assert ack["type"] == "connection_ack", ack
            yield cls(ws)

    async def subscribe(self, sub_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        payload = {"query": query, "variables": variables or {}}
        await self.ws.send(json.dumps({"type": "subscribe", "id": sub_id, "payload": payload}))

    async def complete(self, sub_id: str) -> None:
        await self.ws.send(json.dumps({"type": "complete", "id": sub_id}))

    async def message(self, sub_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The next message (next/error/complete) for `sub_id`; others are kept for their reader."""
        queued = self._pending.get(sub_id)
        if queued:
            return queued.pop(0)
        async with asyncio.timeout(timeout):
            while True:
                message = json.loads(await self.ws.recv())
                if message.get("type") == "ping":
                    await self.ws.send(json.dumps({"type": "pong"}))
                    continue
                if message.get("id") == sub_id:
                    return message
                self._pending.setdefault(str(message.get("id")), []).append(message)

    async def data(self, sub_id: str, timeout: float = 5.0) -> dict[str, Any]:
        message = await self.message(sub_id, timeout)
        assert message["type"] == "next", message
        assert not message["payload"].get("errors"), message["payload"]["errors"]
        return message["payload"]["data"]  # type: ignore[no-any-return]

    async def nothing_for(self, sub_id: str, seconds: float) -> bool:
        try:
            await self.message(sub_id, timeout=seconds)
        except TimeoutError:
            return True
        return False
