"""A real HTTP server on a free loopback port serving a holiday feed, with the failures feeds really have.

Modes: `ok` (the feed with an ETag and Last-Modified, answering a matching If-None-Match with 304),
`error` (HTTP 500), `slow` (headers, then nothing for longer than any test timeout), `huge` (a body over the
size limit, streamed), `html` (a web page instead of a calendar).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web

from tests.support.servers import free_port

LAST_MODIFIED = "Mon, 01 Sep 2025 08:00:00 GMT"


@dataclass
class FeedServer:
    port: int
    body: bytes
    mode: str = "ok"
    requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/ferien/wien.ics"

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(dict(request.headers))
        if self.mode == "error":
            return web.Response(status=500, text="Internal Server Error")
        if self.mode == "html":
            return web.Response(text="<html><body>Wartungsarbeiten</body></html>", content_type="text/html")
        if self.mode in ("slow", "huge"):
            response = web.StreamResponse(headers={"Content-Type": "text/calendar"})
            await response.prepare(request)
            if self.mode == "slow":
                await asyncio.sleep(30)
            else:
                chunk = b"X-FILLER:" + b"x" * 65_000 + b"\r\n"
                for _ in range(64):  # ~4 MB, more than the 2 MB default limit
                    await response.write(chunk)
            return response
        if request.headers.get("If-None-Match") == self.etag:
            return web.Response(status=304, headers={"ETag": self.etag})
        return web.Response(
            body=self.body,
            headers={"ETag": self.etag, "Last-Modified": LAST_MODIFIED, "Content-Type": "text/calendar; charset=utf-8"},
        )


@asynccontextmanager
async def feed_server(body: bytes) -> AsyncIterator[FeedServer]:
    server = FeedServer(free_port(), body)
    app = web.Application()
    app.router.add_get("/ferien/wien.ics", server.handle)
    runner = web.AppRunner(app, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", server.port)
    await site.start()
    try:
        yield server
    finally:
        await runner.cleanup()
