"""Login, lockout, rate limit, sessions, own password and API tokens, all through /graphql over HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.domain.clock import parse_iso, utcnow
from app.domain.enums import Role
from tests.support.api import Api

LOGIN = """
mutation ($u: String!, $p: String!) {
  login(username: $u, password: $p) { token expiresAt user { id username role lastLoginAt failedLoginAttempts } }
}"""
ME = "{ me { id username role lastLoginAt failedLoginAttempts lastFailedLoginAt lockedUntil lastPasswordChangeAt } }"


async def login(api: Api, username: str, password: str) -> dict[str, Any]:
    return await api.gql(LOGIN, {"u": username, "p": password})


def error_of(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None or body["data"].get("login") is None, body
    assert body.get("errors"), body
    return body["errors"][0]


async def test_login_returns_a_working_token_and_records_the_login(api: Api) -> None:
    await api.make_user(Role.EDITOR, "erika", "richtig-123")
    before = utcnow()
    body = await login(api, "erika", "richtig-123")
    assert not body.get("errors"), body
    payload = body["data"]["login"]
    assert payload["token"] and payload["user"]["username"] == "erika" and payload["user"]["role"] == "EDITOR"
    me = (await api.data(ME, token=payload["token"]))["me"]
    assert me["username"] == "erika"
    last_login = parse_iso(me["lastLoginAt"])
    assert last_login is not None and last_login >= before - timedelta(seconds=1)
    assert me["failedLoginAttempts"] == 0
    assert parse_iso(payload["expiresAt"]) > utcnow() + timedelta(hours=11)
