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

import logging
import re

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from app.asgi_limits import answer, declared_too_big, error_body, header, pass_counted
from app.container import Container
from app.files.auth import request_principal

log = logging.getLogger(__name__)

# Room for `operations`, `map` and multipart boundaries/headers around the file itself.
FORM_OVERHEAD_BYTES = 1024 * 1024
GRAPHQL_PATH = "/graphql"
_DASHBOARD_UPLOAD = re.compile(r"^/_nicegui/client/[^/]+/upload/[^/]+/?$")


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
        content_type = (header(scope, b"content-type") or "").lower()
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
            await answer(send, 503, error_body(message, "SERVICE_UNAVAILABLE"))
            return
        if principal is None:
            log.info("event=upload_refused reason=unauthenticated path=%s", scope.get("path", "")[:80])
            await answer(
                send,
                401,
                error_body("Nicht angemeldet.", "UNAUTHENTICATED"),
                extra=[(b"www-authenticate", b"Bearer")],
            )
            return
        if declared_too_big(scope, self.limit):
            declared = (header(scope, b"content-length") or "")[:20]
            log.info("event=upload_refused reason=too_large user_id=%s declared=%s", principal.user_id, declared)
            await self._reject(send)
            return
        await pass_counted(self.app, scope, receive, send, self.limit, self._reject)

    async def _reject(self, send: Send) -> None:
        message = f"Die Anfrage ist zu groß (Dateien höchstens {self.max_mb} MB)."
        await answer(send, 413, error_body(message, "PAYLOAD_TOO_LARGE"))
