"""Who is calling a plain HTTP route: `Authorization: Bearer <token>` or the dashboard's cookie.

The dashboard stores the same bearer token in the HttpOnly cookie `infoscreen_token`, so images and downloads
it embeds are authorised without scripts adding headers.
"""

from __future__ import annotations

from fastapi import Request

from app.container import Container
from app.domain.users.tokens import Principal, parse_bearer, resolve_token

TOKEN_COOKIE = "infoscreen_token"


def request_token(request: Request) -> str | None:
    token = parse_bearer(request.headers.get("authorization"))
    if token is not None:
        return token
    cookie = request.cookies.get(TOKEN_COOKIE, "").strip()
    return cookie or None


async def request_principal(container: Container, request: Request) -> Principal | None:
    raw = request_token(request)
    if raw is None:
        return None
    async with container.db.session() as session:
        return await resolve_token(session, raw)
