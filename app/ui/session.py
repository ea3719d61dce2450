"""Login state of a browser session: the bearer token and the user live in the NiceGUI user storage.

Besides the storage, the token is set as the HttpOnly cookie `infoscreen_token` (by a plain HTTP round
trip, because NiceGUI event handlers run over the websocket and cannot set cookies), so screenshot and media
routes can authorise the browser's image and file requests.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app

from app.domain.enums import Role
from app.files.auth import TOKEN_COOKIE
from app.ui import gql, i18n

log = logging.getLogger(__name__)

SESSION_SYNC_PATH = "/_ui/session"
LOGOUT_PATH = "/logout"
LOGIN_PATH = "/login"
# Per browser (NiceGUI user storage, keyed by its signed browser-id cookie): account → device token.
_DEVICES_KEY = "login_devices"
_MAX_DEVICE_TOKENS = 20


def safe_next(target: str | None) -> str:
    """Only same-site paths: never an absolute URL or a protocol-relative `//host` (open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_url(next_path: str | None = None, *, expired: bool = False) -> str:
    target = safe_next(next_path)
    params = [] if target == "/" else [f"next={quote(target, safe='/')}"]
    if expired:
        params.append("expired=1")
    return LOGIN_PATH + ("?" + "&".join(params) if params else "")


def stored_user() -> dict[str, Any] | None:
    user = app.storage.user.get("user")
    return user if isinstance(user, dict) else None


def role_of(value: object) -> Role:
    """The domain role from GraphQL's SCREAMING_CASE enum value (or the seeds' lowercase string)."""
    return Role(str(value).lower())


def _language_key(user_id: object) -> str:
    return f"ui-language-{user_id}"


async def login(username: str, password: str) -> dict[str, Any]:
    """Log in through the `login` mutation; stores token and user. Raises GqlError with the API's message."""
    # This browser's device token for the account (login policy): others' failures do not throttle it.
    devices = app.storage.user.get(_DEVICES_KEY)
    devices = dict(devices) if isinstance(devices, dict) else {}
    account = username.strip().lower()
    data = await gql.gql(
        "mutation Login($u: String!, $p: String!, $d: String) "
        "{ login(username: $u, password: $p, deviceToken: $d) { __typename"
        " ... on LoginPayload { token deviceToken user { id username role } }"
        " ... on Error { message code reason } } }",
        {"u": username, "p": password, "d": devices.get(account)},
    )
    payload = gql.ok(data.get("login"))
    token, user = payload.get("token"), payload.get("user")
    if not token or not isinstance(user, dict):
        raise gql.GqlError("Anmeldung fehlgeschlagen.")
    if isinstance(payload.get("deviceToken"), str):
        devices[account] = payload["deviceToken"]
        app.storage.user[_DEVICES_KEY] = dict(list(devices.items())[-_MAX_DEVICE_TOKENS:])
    user = {"id": user["id"], "username": user["username"], "role": role_of(user["role"]).value}
    app.storage.user["token"] = token
    app.storage.user["user"] = user
    # The language follows the account across browsers.
    app.storage.user["lang"] = app.storage.general.get(_language_key(user["id"]), i18n.DEFAULT_LANGUAGE)
    return user


def set_language(language: str) -> None:
    value = "en" if language == "en" else "de"
    app.storage.user["lang"] = value
    user = stored_user()
    if user:
        app.storage.general[_language_key(user["id"])] = value


async def logout() -> None:
    """Revoke the session token on the server (best effort) and forget it here."""
    token = app.storage.user.get("token")
    if token:
        try:
            data = await gql.gql("mutation { logout { __typename ... on Error { message code reason } } }", token=token)
            gql.ok(data.get("logout"))
        except gql.GqlError as exc:  # an already expired token: nothing left to revoke
            log.info("event=ui_logout_ignored message=%s", exc.message)
    for key in ("token", "user"):
        app.storage.user.pop(key, None)


def install_session_routes(secure_cookie: bool, max_age_seconds: int) -> None:
    """HTTP routes on the NiceGUI app (they see `app.storage.user`): cookie sync after login and logout."""

    @app.get(SESSION_SYNC_PATH, include_in_schema=False)
    async def sync_cookie(request: Request, next: str = "/") -> RedirectResponse:
        response = RedirectResponse(safe_next(next), status_code=303)
        token = app.storage.user.get("token")
        if isinstance(token, str) and token:
            response.set_cookie(
                TOKEN_COOKIE,
                token,
                max_age=max_age_seconds,
                httponly=True,
                samesite="lax",
                secure=secure_cookie,
                path="/",
            )
        else:
            response.delete_cookie(TOKEN_COOKIE, path="/")
        return response

    @app.get(LOGOUT_PATH, include_in_schema=False)
    async def logout_route(request: Request) -> RedirectResponse:
        await logout()
        response = RedirectResponse(LOGIN_PATH, status_code=303)
        response.delete_cookie(TOKEN_COOKIE, path="/")
        return response
