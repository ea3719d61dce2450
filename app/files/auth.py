"""Who is calling a plain HTTP route: `Authorization: Bearer <token>` or the dashboard's cookie.

The dashboard stores the same bearer token in the HttpOnly cookie `infoscreen_token`, so images and downloads
it embeds are authorised without scripts adding headers. Routes a foreign page could make a browser POST to
(GraphQL) pass `allow_cookie=False`: there only the header counts, as in the GraphQL context itself.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from app.container import Container
from app.domain.users.tokens import Principal, parse_bearer, principal_for_token

TOKEN_COOKIE = "infoscreen_token"


def request_token(request: HTTPConnection, *, allow_cookie: bool = True) -> str | None:
    token = parse_bearer(request.headers.get("authorization"))
    if token is not None or not allow_cookie:
        return token
    cookie = request.cookies.get(TOKEN_COOKIE, "").strip()
    return cookie or None


async def request_principal(
    container: Container, request: HTTPConnection, *, allow_cookie: bool = True
) -> Principal | None:
    return await principal_for_token(container.db, request_token(request, allow_cookie=allow_cookie))
