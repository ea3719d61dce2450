"""HTTP routes of the media library.

- `GET|HEAD /api/eventmedia/stream/<media_id>/<access_token>/<file_name>`: public (displays fetch it
  without logging in), range-capable (206/416, Accept-Ranges), only with the media's unguessable token.
- `GET|HEAD /api/files/converted/<path>`: finished PDFs and thumbnails, confined to MEDIA_ROOT/converted;
  the path holds the media's token (see app.domain.media.urls).
- `GET|HEAD /api/eventmedia/download/<media_id>`: the original for logged-in dashboard users (Bearer token or
  the `infoscreen_token` cookie); `?inline=1` previews it in the browser instead of downloading.
Unknown media, a wrong token and a missing file all answer the same 404, so nothing can be probed.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from app.container import Container
from app.domain.errors import ValidationError
from app.domain.media.models import EventMedia
from app.domain.media.service import downloadable_media, media_root, streamable_media
from app.domain.media.storage import confined
from app.domain.media.urls import CONVERTED_PREFIX, DOWNLOAD_PREFIX, STREAM_PREFIX
from app.files.auth import request_principal
from app.files.upload_limit import UploadGuard
from app.http import register_routes

MAX_TOKEN_LENGTH = 128
_SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff"}
_CONVERTED_TYPES = {".pdf": "application/pdf", ".png": "image/png"}


def _not_found() -> JSONResponse:
    return JSONResponse({"error": "Datei nicht gefunden"}, status_code=404, headers={"Cache-Control": "no-store"})


def _regular_file(path: Path) -> os.stat_result | None:
    try:
        result = path.stat()
    except OSError:
        return None
    return result if path.is_file() else None


async def _file_response(
    path: Path, media_type: str, *, file_name: str | None, disposition: str, cache: str
) -> Response:
    stat_result = await asyncio.to_thread(_regular_file, path)
    if stat_result is None:
        return _not_found()
    return FileResponse(
        path,
        media_type=media_type,
        filename=file_name,
        content_disposition_type=disposition,
        stat_result=stat_result,
        headers={**_SECURITY_HEADERS, "Cache-Control": cache},
    )


def _media_file(container: Container, media: EventMedia) -> Path | None:
    if not media.file_path:
        return None
    try:
        return confined(media_root(container.settings), media.file_path)
    except ValidationError:
        return None


@register_routes
def install_media_routes(app: FastAPI, container: Container) -> None:
    app.add_middleware(UploadGuard, container=container, max_upload_mb=container.settings.max_upload_mb)

    @app.api_route(STREAM_PREFIX + "/{media_id}/{access_token}/{file_name:path}", methods=["GET", "HEAD"])
    async def stream_media(media_id: int, access_token: str, file_name: str) -> Response:
        if len(access_token) > MAX_TOKEN_LENGTH:
            return _not_found()
        media = await streamable_media(container, media_id, access_token)
        path = _media_file(container, media) if media is not None else None
        if media is None or path is None:
            return _not_found()
        return await _file_response(
            path,
            media.mime_type or "application/octet-stream",
            file_name=media.file_name,
            disposition="inline",
            cache="private, max-age=300",
        )

    @app.api_route(CONVERTED_PREFIX + "/{relative:path}", methods=["GET", "HEAD"])
    async def converted_file(relative: str) -> Response:
        suffix = Path(relative).suffix.lower()
        if suffix not in _CONVERTED_TYPES or Path(relative).name.startswith("."):
            return _not_found()
        try:
            path = confined(container.settings.converted_dir, relative)
        except ValidationError:
            return _not_found()
        return await _file_response(
            path, _CONVERTED_TYPES[suffix], file_name=None, disposition="inline", cache="private, max-age=300"
        )

    @app.api_route(DOWNLOAD_PREFIX + "/{media_id}", methods=["GET", "HEAD"])
    async def download_media(request: Request, media_id: int, inline: bool = False) -> Response:
        principal = await request_principal(container, request)
        if principal is None:
            return JSONResponse(
                {"error": "Anmeldung erforderlich"}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        media = await downloadable_media(container, principal, media_id)
        path = _media_file(container, media) if media is not None else None
        if media is None or path is None:
            return _not_found()
        return await _file_response(
            path,
            media.mime_type or "application/octet-stream",
            file_name=media.file_name,
            disposition="inline" if inline else "attachment",
            cache="private, no-store",
        )
