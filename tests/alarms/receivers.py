"""Real receivers on free loopback ports: an SMTP server (aiosmtpd) and an HTTP webhook receiver (aiohttp)."""

from __future__ import annotations

import email
import email.policy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiohttp import web
from aiosmtpd.controller import Controller

from tests.support.servers import free_port


@dataclass
class Mailbox:
    port: int
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]


@asynccontextmanager
async def smtp_server() -> AsyncIterator[Mailbox]:
    box = Mailbox(free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass
class Receiver:
    port: int
    # Answers to give, in order (then 200): e.g. [500] fails the first request.
    failures: list[int] = field(default_factory=list)
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/alarm"

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.read()))
        if self.failures:
            return web.Response(status=self.failures.pop(0), text="nope")
        return web.Response(status=204)


@asynccontextmanager
async def webhook_receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver(free_port())
    app = web.Application()
    app.router.add_post("/hooks/alarm", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", receiver.port)
    await site.start()
    try:
        yield receiver
    finally:
        await runner.cleanup()
