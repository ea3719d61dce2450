"""`GET /ical/groups/{id}.ics`: a room group's schedule as an iCalendar feed.

Two ways in: `?token=…` (a feed token from `createCalendarFeedToken`, what calendar apps subscribe to), or
the caller's login (bearer header or the dashboard cookie, for the download button on Termine). A wrong,
revoked or foreign token is answered 404 whether the group exists or not; no token and no login is 401.
`?download=1` asks the browser to save the file. The ETag ignores DTSTAMP, so a calendar app that polls an
unchanged schedule gets 304; HEAD is answered like GET.
"""

from __future__ import annotations

import hashlib
import re

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from app.container import Container
from app.domain.calendar_feeds.export import render_group_feed
from app.domain.calendar_feeds.tokens import token_opens_feed
from app.domain.errors import NotFoundError
from app.files.auth import request_principal
from app.http import register_routes

MEDIA_TYPE = "text/calendar; charset=utf-8"
_NOT_FOUND = {"error": "Kalender nicht gefunden"}


def content_etag(body: bytes) -> str:
    """A validator that ignores DTSTAMP (the export time), so an unchanged schedule answers 304."""
    stable = re.sub(rb"(?m)^DTSTAMP:[^\r\n]*\r?\n", b"", body)
    return '"' + hashlib.sha256(stable).hexdigest()[:32] + '"'


def _etags(header: str | None) -> set[str]:
    return {part.strip().removeprefix("W/") for part in (header or "").split(",") if part.strip()}


@register_routes
def install_ical_routes(app: FastAPI, container: Container) -> None:
    @app.api_route("/ical/groups/{group_ref}.ics", methods=["GET", "HEAD"], include_in_schema=False)
    async def group_calendar(request: Request, group_ref: str) -> Response:
        group_id = int(group_ref) if group_ref.isdigit() and len(group_ref) < 10 else None
        token = request.query_params.get("token")
        if token is not None:
            if group_id is None:
                return JSONResponse(_NOT_FOUND, status_code=404)
            if not await token_opens_feed(container, token.strip(), group_id):
                return JSONResponse(_NOT_FOUND, status_code=404)
        elif await request_principal(container, request) is None:
            return JSONResponse({"error": "Anmeldung erforderlich"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
        if group_id is None:
            return JSONResponse(_NOT_FOUND, status_code=404)
        try:
            body = await render_group_feed(container, group_id)
        except NotFoundError:
            return JSONResponse(_NOT_FOUND, status_code=404)
        etag = content_etag(body)
        headers = {"Cache-Control": "private, max-age=300", "ETag": etag}
        if etag in _etags(request.headers.get("if-none-match")):
            return Response(status_code=304, headers=headers)
        if request.query_params.get("download"):
            headers["Content-Disposition"] = f'attachment; filename="infoscreen-gruppe-{group_id}.ics"'
        return Response(body, media_type=MEDIA_TYPE, headers=headers)
