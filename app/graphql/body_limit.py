"""Caps non-upload request bodies to /graphql (JSON queries) before anything reads or parses them.

A body announcing more than GRAPHQL_MAX_BODY_KB gets 413 at once, without reading a byte of it; a chunked
body is counted as it arrives and cut off at the limit. Multipart uploads have their own, larger limit
(`app.files.upload_limit`).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE_CODE = "PAYLOAD_TOO_LARGE"


class GraphQLBodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int, path: str = "/graphql") -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path = path

    def _applies(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope.get("method") != "POST":
            return False
        if scope.get("path", "").rstrip("/") != self.path:
            return False
        content_type = (_header(scope, b"content-type") or "").lower()
        return not content_type.startswith("multipart/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._applies(scope):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = True
            if too_big:
                await self._reject(send)
                return
        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._reject(send)

    async def _reject(self, send: Send) -> None:
        message = f"Die Anfrage ist zu groß (höchstens {self.max_bytes // 1024} KB)."
        body = json.dumps({"data": None, "errors": [{"message": message, "extensions": {"code": TOO_LARGE_CODE}}]})
        payload = body.encode()
        headers: list[Any] = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return None
