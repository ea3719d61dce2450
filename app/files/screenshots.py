"""`GET /screenshots/{uuid}.jpg` and `GET /screenshots/{uuid}/priority`, for logged-in users only.

Auth: `Authorization: Bearer <token>` or the dashboard's `infoscreen_token` cookie carrying the same
token. The uuid is validated before any path is built; 404 when the display has no screenshot.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from app.container import Container
from app.domain.errors import ValidationError
from app.domain.screenshots.storage import ScreenshotStore, media_type
from app.domain.uuids import require_uuid
from app.files.auth import request_principal
from app.http import register_routes

_NO_STORE = {"Cache-Control": "private, no-store"}


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None


@register_routes
def install_screenshot_routes(app: FastAPI, container: Container) -> None:
    store = ScreenshotStore(container.settings.screenshot_dir)
    ttl = container.settings.priority_screenshot_ttl_seconds

    async def serve(request: Request, uuid: str, *, priority: bool) -> Response:
        if await request_principal(container, request) is None:
            return JSONResponse({"error": "Anmeldung erforderlich"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
        try:
            uuid = require_uuid(uuid)
        except ValidationError as exc:  # input.invalid_uuid, the one uuid rule
            return JSONResponse({"error": exc.message}, status_code=400)
        path = store.priority_or_latest_file(uuid, ttl_seconds=ttl) if priority else store.latest_file(uuid)
        data = await asyncio.to_thread(_read, path) if path is not None else None
        if data is None:
            return JSONResponse({"error": "Kein Screenshot vorhanden"}, status_code=404)
        return Response(data, media_type=media_type(data), headers=_NO_STORE)

    @app.get("/screenshots/{uuid}.jpg", include_in_schema=False)
    async def latest_screenshot(request: Request, uuid: str) -> Response:
        return await serve(request, uuid, priority=False)

    @app.get("/screenshots/{uuid}/priority", include_in_schema=False)
    async def priority_screenshot(request: Request, uuid: str) -> Response:
        return await serve(request, uuid, priority=True)
