"""Guards upload requests in the ASGI layer, before anything reads, parses or spools their body.

Upload requests are multipart POSTs to `/graphql` (`uploadMedia`, `importHolidays`) and to the dashboard's
upload element (`/_nicegui/client/<client>/upload/<element>`). For them, in this order and without calling
`receive` (so not one body byte is read and an `Expect: 100-continue` client is never told to send it):

1. the caller must be known (`app.files.auth`): the bearer header for `/graphql` — as the GraphQL context
   itself, a cookie never counts there —, the header or the dashboard's cookie for the dashboard upload.
   Anonymous or expired → 401 at once (GraphQL-shaped body, code `UNAUTHENTICATED`).
2. a body announcing more than MAX_UPLOAD_MB (plus room for the other form fields) → 413 at once.

The database down while the caller is looked up → 503 `SERVICE_UNAVAILABLE` at once.

Both answers close the connection, so the server never drains an unwanted body. Chunked bodies are then
counted as they arrive and cut off at the same limit. The exact per-file limit is enforced again while the
file is stored, which gives the friendlier GraphQL error for files just over it.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.container import Container
from app.files.auth import request_principal

log = logging.getLogger(__name__)

# Room for `operations`, `map` and multipart boundaries/headers around the file itself.
FORM_OVERHEAD_BYTES = 1024 * 1024
GRAPHQL_PATH = "/graphql"
_DASHBOARD_UPLOAD = re.compile(r"^/_nicegui/client/[^/]+/upload/[^/]+/?$")


def _error_body(message: str, code: str) -> bytes:
    return json.dumps({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}).encode()


class UploadGuard:
    """ASGI middleware: the caller and the announced size of upload requests, judged before the body."""

    def __init__(self, app: ASGIApp, *, container: Container, max_upload_mb: int) -> None:
        self.app = app
        self.container = container
        self.max_mb = max_upload_mb
        self.limit = max_upload_mb * 1024 * 1024 + FORM_OVERHEAD_BYTES

    def _upload_kind(self, scope: Scope) -> str | None:
        """ "graphql", "dashboard" or None (not an upload request: passed through untouched)."""
        if scope["type"] != "http" or scope.get("method") != "POST":
            return None
        content_type = (_header(scope, b"content-type") or "").lower()
        if not content_type.startswith("multipart/"):
            return None
        path = scope.get("path", "")
        if path.rstrip("/") == GRAPHQL_PATH:
            return "graphql"
        if _DASHBOARD_UPLOAD.match(path):
            return "dashboard"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = self._upload_kind(scope)
        if kind is None:
            await self.app(scope, receive, send)
            return
        try:
            principal = await request_principal(self.container, HTTPConnection(scope), allow_cookie=kind == "dashboard")
        except (SQLAlchemyError, OSError) as exc:
            # The database is down: an expected failure, answered at once and logged in one line.
            log.warning("event=upload_refused reason=database_unavailable error=%s", type(exc).__name__)
            message = "Die Datenbank ist nicht erreichbar; bitte später erneut versuchen."
            await _answer(send, 503, _error_body(message, "SERVICE_UNAVAILABLE"))
            return
        if principal is None:
            log.info("event=upload_refused reason=unauthenticated path=%s", scope.get("path", "")[:80])
            await _answer(
                send,
                401,
                _error_body("Nicht angemeldet.", "UNAUTHENTICATED"),
                extra=[(b"www-authenticate", b"Bearer")],
            )
            return
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.limit
            except ValueError:
                too_big = True
            if too_big:
                log.info(
                    "event=upload_refused reason=too_large user_id=%s declared=%s", principal.user_id, declared[:20]
                )
                await self._reject(send)
                return
        await self._counted(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
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
        message = f"Die Anfrage ist zu groß (Dateien höchstens {self.max_mb} MB)."
        await _answer(send, 413, _error_body(message, "PAYLOAD_TOO_LARGE"))


async def _answer(send: Send, status: int, body: bytes, *, extra: list[Any] | None = None) -> None:
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return None
