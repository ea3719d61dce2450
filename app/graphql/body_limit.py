"""Caps non-upload request bodies to /graphql (JSON queries) before anything reads or parses them.

A body announcing more than GRAPHQL_MAX_BODY_KB gets 413 at once, without reading a byte of it; a chunked
body is counted as it arrives and cut off at the limit. Multipart uploads have their own, larger limit
(`app.files.upload_limit`).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from app.asgi_limits import answer, declared_too_big, error_body, header, pass_counted

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
        content_type = (header(scope, b"content-type") or "").lower()
        return not content_type.startswith("multipart/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._applies(scope):
            await self.app(scope, receive, send)
            return
        if declared_too_big(scope, self.max_bytes):
            await self._reject(send)
            return
        await pass_counted(self.app, scope, receive, send, self.max_bytes, self._reject)

    async def _reject(self, send: Send) -> None:
        message = f"Die Anfrage ist zu groß (höchstens {self.max_bytes // 1024} KB)."
        await answer(send, 413, error_body(message, TOO_LARGE_CODE))
