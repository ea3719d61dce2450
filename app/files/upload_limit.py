"""Caps the body of multipart (upload) requests to /graphql before anything parses or spools it.

Bodies announcing more than MAX_UPLOAD_MB (plus room for the other form fields) get 413 at once; chunked
bodies are counted as they arrive and cut off at the same limit. The exact per-file limit is enforced
again while the file is stored, which gives the friendlier GraphQL error for files just over it.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Room for `operations`, `map` and multipart boundaries/headers around the file itself.
FORM_OVERHEAD_BYTES = 1024 * 1024


def _too_large_body(max_mb: int) -> bytes:
    message = f"Die Anfrage ist zu groß (Dateien höchstens {max_mb} MB)."
    return json.dumps(
        {"data": None, "errors": [{"message": message, "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]}
    ).encode()


class UploadSizeLimit:
    def __init__(self, app: ASGIApp, *, max_upload_mb: int, path: str = "/graphql") -> None:
        self.app = app
        self.max_mb = max_upload_mb
        self.limit = max_upload_mb * 1024 * 1024 + FORM_OVERHEAD_BYTES
        self.path = path

    def _applies(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope.get("method") != "POST":
            return False
        if scope.get("path", "").rstrip("/") != self.path:
            return False
        content_type = _header(scope, b"content-type") or ""
        return content_type.lower().startswith("multipart/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._applies(scope):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.limit
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
                if received > self.limit:
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
            await self.app(scope, counting_receive, tracking_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._reject(send)

    async def _reject(self, send: Send) -> None:
        body = _too_large_body(self.max_mb)
        headers: list[Any] = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return None
