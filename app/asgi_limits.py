"""ASGI mechanics shared by the request-body guards (`app.graphql.body_limit`, `app.files.upload_limit`).

A guard decides from the headers whether to answer at once; otherwise `pass_counted` hands the request on
while counting what arrives and cuts the body off at the limit, answering with the guard's own 413.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def declared_too_big(scope: Scope, limit: int) -> bool | None:
    """Whether Content-Length announces more than `limit` (an unreadable one counts as too big); None: none."""
    declared = header(scope, b"content-length")
    if declared is None:
        return None
    try:
        return int(declared) > limit
    except ValueError:
        return True


def error_body(message: str, code: str) -> bytes:
    """A GraphQL-shaped error answer, so GraphQL clients show the message."""
    return json.dumps({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}).encode()


async def answer(send: Send, status: int, body: bytes, *, extra: list[Any] | None = None) -> None:
    """A JSON answer that closes the connection (so the server never drains an unwanted body)."""
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def pass_counted(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, limit: int, reject: Callable[[Send], Awaitable[None]]
) -> None:
    """Run `app`, counting the body as it arrives; past `limit` the app sees a disconnect and `reject` answers."""
    received = 0
    exceeded = False
    started = False

    async def counting_receive() -> Message:
        nonlocal received, exceeded
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                exceeded = True
                # Looks like a client disconnect to the parser: it stops reading and spooling.
                return {"type": "http.disconnect"}
        return message

    async def tracking_send(message: Message) -> None:
        nonlocal started
        if exceeded and not started:
            return  # our 413 replaces whatever the app makes of the cut-off body
        started = started or message["type"] == "http.response.start"
        await send(message)

    try:
        await app(scope, counting_receive, tracking_send)
    except Exception:
        if not exceeded:
            raise
    if exceeded and not started:
        await reject(send)
