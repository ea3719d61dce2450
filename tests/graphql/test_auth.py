"""Login, lockout, rate limit, sessions, own password and API tokens, all through /graphql over HTTP."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from app.config import load_settings
from app.domain.audit.models import AuditLogEntry
from app.domain.clock import parse_iso, utcnow
from app.domain.enums import Role
from app.domain.errors import AuthenticationError
from app.domain.users import auth
from app.domain.users.login_policy import (
    ACCOUNT_LOCK_THRESHOLD,
    BACKOFF_START,
    FREE_FAILURES,
    RATE_LIMIT_ATTEMPTS,
    SPRAY_LIMIT,
)
from app.domain.users.models import ApiToken, LoginThrottle, User
from app.messages.users import INVALID_CREDENTIALS_MESSAGE
from tests.graphql.apps import api_for
from tests.support.api import Api

LOGIN = """
mutation ($u: String!, $p: String!) {
  login(username: $u, password: $p) {
    __typename
    ... on LoginPayload { token expiresAt user { id username role lastLoginAt failedLoginAttempts } }
    ... on Error { message code reason }
  }
}"""
ME = "{ me { id username role lastLoginAt failedLoginAttempts lastFailedLoginAt lockedUntil lastPasswordChangeAt } }"
CHANGE_PASSWORD = """
mutation ($c: String!, $n: String!) {
  changePassword(currentPassword: $c, newPassword: $n) {
    __typename
    ... on User { id lastPasswordChangeAt }
    ... on Error { message }
    ... on ValidationError { field }
  }
}"""
CREATE_TOKEN = """
mutation ($name: String!, $role: Role) {
  createApiToken(name: $name, role: $role) {
    __typename
    ... on CreatedApiToken { token apiToken { id name role tokenPrefix username revokedAt } }
    ... on Error { message }
  }
}"""
REVOKE_TOKEN = """
mutation ($id: Int!) {
  revokeApiToken(id: $id) { __typename ... on ApiToken { id revokedAt } ... on Error { message } }
}"""


async def login(api: Api, username: str, password: str) -> dict[str, Any]:
    return await api.gql(LOGIN, {"u": username, "p": password})


async def login_token(api: Api, username: str, password: str) -> str:
    body = await login(api, username, password)
    assert not body.get("errors"), body
    assert body["data"]["login"]["__typename"] == "LoginPayload", body
    return body["data"]["login"]["token"]


def login_error(body: dict[str, Any]) -> dict[str, Any]:
    """The error member of a refused login: never a token, never a top-level error."""
    assert not body.get("errors"), body
    member = body["data"]["login"]
    assert member["__typename"].endswith("Error") and "token" not in member, body
    return member


async def user_row(api: Api, username: str) -> User:
    async with api.container.db.session() as session:
        user = await session.scalar(select(User).where(User.username == username))
        assert user is not None
        return user


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
    expires = parse_iso(payload["expiresAt"])
    assert expires is not None and expires > utcnow() + timedelta(hours=11)


async def test_wrong_password_and_unknown_user_look_identical(api: Api) -> None:
    await api.make_user(Role.USER, "paul", "richtig-123")
    wrong_password = await login(api, "paul", "falsch-123")
    unknown_user = await login(api, "niemand", "falsch-123")
    assert wrong_password == unknown_user
    error = login_error(wrong_password)
    assert error["message"] == INVALID_CREDENTIALS_MESSAGE
    assert error["__typename"] == "UnauthenticatedError" and error["code"] == "UNAUTHENTICATED"
    assert error["reason"] == "auth.invalid_credentials"


async def test_a_failed_login_is_counted_and_a_success_resets_the_count(api: Api) -> None:
    await api.make_user(Role.USER, "clara", "richtig-123")
    for _ in range(2):
        login_error(await login(api, "clara", "falsch"))
    row = await user_row(api, "clara")
    assert row.failed_login_attempts == 2 and row.last_failed_login_at is not None
    assert row.locked_until is None
    token = await login_token(api, "clara", "richtig-123")
    me = (await api.data(ME, token=token))["me"]
    assert me["failedLoginAttempts"] == 0 and me["lastFailedLoginAt"] is not None


async def expire_throttles(api: Api) -> None:
    """Time passes: every source's lock runs out."""
    async with api.container.db.session() as session:
        await session.execute(update(LoginThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))


async def test_a_source_is_throttled_with_the_one_generic_message_until_its_lock_runs_out(api: Api) -> None:
    await api.make_user(Role.ADMIN, "ludwig", "richtig-123")
    for _ in range(FREE_FAILURES):
        assert login_error(await login(api, "ludwig", "falsch"))["message"] == INVALID_CREDENTIALS_MESSAGE
    async with api.container.db.session() as session:
        throttle = await session.scalar(select(LoginThrottle).where(LoginThrottle.account == "ludwig"))
        assert throttle is not None and throttle.failures == FREE_FAILURES and throttle.locked_until is not None
        assert throttle.locked_until - utcnow() > BACKOFF_START - timedelta(seconds=5)

    # Locked from this source: even the right password gets exactly the wrong-password answer.
    locked = login_error(await login(api, "ludwig", "richtig-123"))
    assert locked["message"] == INVALID_CREDENTIALS_MESSAGE and locked["code"] == "UNAUTHENTICATED"
    unknown = login_error(await login(api, "niemand-da", "falsch"))
    assert locked == unknown

    await expire_throttles(api)
    token = await login_token(api, "ludwig", "richtig-123")
    me = (await api.data(ME, token=token))["me"]
    assert me["failedLoginAttempts"] == 0 and me["lockedUntil"] is None
    async with api.container.db.session() as session:  # a success forgets the source's failures
        assert await session.scalar(select(LoginThrottle).where(LoginThrottle.account == "ludwig")) is None


async def test_the_backoff_doubles_with_each_further_failure(api: Api) -> None:
    await api.make_user(Role.USER, "bert", "richtig-123")
    waits = []
    for _ in range(3):
        for _ in range(FREE_FAILURES if not waits else 1):
            login_error(await login(api, "bert", "falsch"))
        async with api.container.db.session() as session:
            throttle = await session.scalar(select(LoginThrottle).where(LoginThrottle.account == "bert"))
            assert throttle is not None and throttle.locked_until is not None
            waits.append((throttle.locked_until - utcnow()).total_seconds())
        await expire_throttles(api)
    assert waits[1] > 1.8 * waits[0] and waits[2] > 1.8 * waits[1], waits


async def test_throttling_on_mariadb(tmp_path: Path, mariadb_url: str) -> None:
    settings = load_settings(DATA_DIR=str(tmp_path / "m"), SECRET_KEY="s", DB_CONN=mariadb_url)
    async with api_for(settings) as api:
        await api.make_user(Role.USER, "maria", "richtig-123")
        for _ in range(FREE_FAILURES):
            login_error(await login(api, "MARIA", "falsch"))  # usernames match case-insensitively
        assert login_error(await login(api, "maria", "richtig-123"))["message"] == INVALID_CREDENTIALS_MESSAGE
        await expire_throttles(api)
        token = await login_token(api, "maria", "richtig-123")
        me = (await api.data(ME, token=token))["me"]
        assert me["failedLoginAttempts"] == 0 and parse_iso(me["lastLoginAt"]) is not None


async def test_an_admin_can_lift_a_lockout_and_both_are_audited(api: Api) -> None:
    target = await api.make_user(Role.USER, "gesperrt", "richtig-123")
    for _ in range(FREE_FAILURES):
        login_error(await login(api, "gesperrt", "falsch"))
    assert login_error(await login(api, "gesperrt", "richtig-123"))["message"] == INVALID_CREDENTIALS_MESSAGE
    admin = await api.token_for(Role.ADMIN)
    data = await api.data(
        "mutation ($id: Int!) { unlockUser(id: $id) { ... on User { lockedUntil failedLoginAttempts } } }",
        {"id": target.id},
        token=admin,
    )
    assert data["unlockUser"] == {"lockedUntil": None, "failedLoginAttempts": 0}
    assert await login_token(api, "gesperrt", "richtig-123")
    entries = (
        await api.data(
            'query ($id: String) { auditLog(objectType: "user", objectId: $id) { action actorUsername ip details } }',
            {"id": str(target.id)},
            token=admin,
        )
    )["auditLog"]
    actions = [e["action"] for e in entries]
    assert actions[:2] == ["user.unlock", "user.lockout"], actions
    lockout = entries[1]
    assert lockout["actorUsername"] == "system" and lockout["ip"] == "127.0.0.1"
    assert lockout["details"]["scope"] == "source" and lockout["details"]["failures"] == FREE_FAILURES
    assert entries[0]["details"]["locked_sources"] == 1


async def test_deactivated_users_cannot_log_in(api: Api) -> None:
    user = await api.make_user(Role.USER, "ehemalig", "richtig-123")
    async with api.container.db.session() as session:
        await session.execute(update(User).where(User.id == user.id).values(is_active=False))
    error = login_error(await login(api, "ehemalig", "richtig-123"))
    assert error["message"] == INVALID_CREDENTIALS_MESSAGE


async def test_a_source_failing_on_many_names_is_rate_limited_but_a_known_device_is_not(api: Api) -> None:
    await api.make_user(Role.USER, "andere", "richtig-123")
    device = (
        await api.data(
            'mutation { login(username: "andere", password: "richtig-123") { ... on LoginPayload { deviceToken } } }',
        )
    )["login"]["deviceToken"]
    assert device
    await api.make_user(Role.USER, "schlau", "richtig-123")
    own = await api.data(
        'mutation { login(username: "schlau", password: "richtig-123") { ... on LoginPayload { deviceToken } } }'
    )
    for i in range(SPRAY_LIMIT):  # password spraying: one wrong password per name
        assert login_error(await login(api, f"name-{i}", "sommer2026"))["code"] == "UNAUTHENTICATED"
    limited = login_error(await login(api, "andere", "richtig-123"))
    assert limited["code"] == "RATE_LIMITED" and "Zu viele" in limited["message"]
    assert limited["__typename"] == "RateLimitedError" and limited["reason"] == "auth.rate_limited"
    # Another account's device token does not exempt the address ...
    foreign = await api.gql(
        'mutation ($d: String) { login(username: "andere", password: "richtig-123", deviceToken: $d) {'
        " __typename ... on LoginPayload { token } ... on Error { message code } } }",
        {"d": own["login"]["deviceToken"]},
    )
    assert foreign["data"]["login"]["code"] == "RATE_LIMITED" and "token" not in foreign["data"]["login"]
    # ... but the browser that logged in as "andere" before is judged on its own.
    known = await api.gql(
        'mutation ($d: String) { login(username: "andere", password: "richtig-123", deviceToken: $d) {'
        " __typename ... on LoginPayload { token } ... on Error { message code } } }",
        {"d": device},
    )
    assert known["data"]["login"]["token"], known


async def test_logout_revokes_the_token(api: Api) -> None:
    await api.make_user(Role.USER, "lotte", "richtig-123")
    token = await login_token(api, "lotte", "richtig-123")
    other = await login_token(api, "lotte", "richtig-123")
    logout = "mutation { logout { __typename ... on LogoutResult { ok } } }"
    assert (await api.data(logout, token=token))["logout"] == {"__typename": "LogoutResult", "ok": True}
    refused = await api.gql(ME, token=token)
    assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await api.data(ME, token=other))["me"]["username"] == "lotte"  # only this session ended


async def test_expired_tokens_are_refused(api: Api) -> None:
    await api.make_user(Role.USER, "otto", "richtig-123")
    token = await login_token(api, "otto", "richtig-123")
    async with api.container.db.session() as session:
        await session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    body = await api.gql(ME, token=token)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_anonymous_callers_get_errors_except_for_login(api: Api) -> None:
    for query in (
        "{ version }",
        "{ health }",
        ME,
        "{ users { id } }",
        "{ systemSettings { key } }",
        "{ apiTokens { id } }",
        "{ auditLog { id } }",
        "mutation { logout { __typename } }",
        'mutation { createApiToken(name: "x") { __typename } }',
        'mutation { setSystemSetting(key: "video_volume", value: "0.1") { __typename } }',
        'mutation { createUser(input: {username: "abc", password: "secret-1"}) { __typename } }',
    ):
        body = await api.gql(query)
        assert body.get("errors"), query
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", (query, body)
        assert not body.get("data"), (query, body)


async def test_change_password_needs_the_current_one_and_ends_other_sessions(api: Api) -> None:
    await api.make_user(Role.EDITOR, "hanna", "alt-geheim")
    token = await login_token(api, "hanna", "alt-geheim")
    other = await login_token(api, "hanna", "alt-geheim")

    wrong = (await api.data(CHANGE_PASSWORD, {"c": "falsch", "n": "neu-geheim"}, token=token))["changePassword"]
    assert wrong["__typename"] == "ValidationError" and wrong["field"] == "currentPassword"
    short = (await api.data(CHANGE_PASSWORD, {"c": "alt-geheim", "n": "kurz"}, token=token))["changePassword"]
    assert short["__typename"] == "ValidationError" and "6" in short["message"]
    assert (await api.data(ME, token=other))["me"]  # refusals change nothing

    done = (await api.data(CHANGE_PASSWORD, {"c": "alt-geheim", "n": "neu-geheim"}, token=token))["changePassword"]
    assert done["__typename"] == "User" and done["lastPasswordChangeAt"]
    assert (await api.data(ME, token=token))["me"]["username"] == "hanna"  # this session stays
    assert (await api.gql(ME, token=other))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert login_error(await login(api, "hanna", "alt-geheim"))["message"] == INVALID_CREDENTIALS_MESSAGE
    assert await login_token(api, "hanna", "neu-geheim")


async def test_guessing_the_current_password_is_rate_limited(api: Api) -> None:
    await api.make_user(Role.USER, "dieb", "richtig-123")
    token = await login_token(api, "dieb", "richtig-123")
    for _ in range(RATE_LIMIT_ATTEMPTS):
        guess = (await api.data(CHANGE_PASSWORD, {"c": "rate-mal", "n": "neu-geheim"}, token=token))["changePassword"]
        assert guess["__typename"] == "ValidationError"
    limited = await api.data(CHANGE_PASSWORD, {"c": "richtig-123", "n": "neu-geheim"}, token=token)
    assert limited["changePassword"]["__typename"] == "RateLimitedError"


async def test_api_tokens_are_capped_at_the_callers_role_and_can_be_revoked(api: Api) -> None:
    await api.make_user(Role.ADMIN, "integra", "richtig-123")
    session_token = await login_token(api, "integra", "richtig-123")

    too_high = await api.data(CREATE_TOKEN, {"name": "x", "role": "SUPERADMIN"}, token=session_token)
    assert too_high["createApiToken"]["__typename"] == "ForbiddenError"
    blank = (await api.data(CREATE_TOKEN, {"name": "  "}, token=session_token))["createApiToken"]
    assert blank["__typename"] == "ValidationError"

    created = (await api.data(CREATE_TOKEN, {"name": "Stundenplan-Sync", "role": "EDITOR"}, token=session_token))[
        "createApiToken"
    ]
    assert created["__typename"] == "CreatedApiToken"
    raw = created["token"]
    assert created["apiToken"]["role"] == "EDITOR" and raw.startswith(created["apiToken"]["tokenPrefix"])

    # The token acts as an editor: it is the admin, but cannot do admin things.
    me = (await api.data("{ me { username role } }", token=raw))["me"]
    assert me["username"] == "integra"
    refused = await api.gql("{ users { id } }", token=raw)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await api.data("{ users { id } }", token=session_token))["users"]

    listed = (await api.data("{ apiTokens { id name role } }", token=session_token))["apiTokens"]
    assert [t["name"] for t in listed] == ["Stundenplan-Sync"]

    revoked = (await api.data(REVOKE_TOKEN, {"id": created["apiToken"]["id"]}, token=session_token))["revokeApiToken"]
    assert revoked["__typename"] == "ApiToken" and revoked["revokedAt"]
    assert (await api.gql(ME, token=raw))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await api.data("{ apiTokens { id } }", token=session_token))["apiTokens"] == []


async def test_api_token_revocation_respects_ownership_and_visibility(api: Api) -> None:
    user_token = await api.token_for(Role.USER, "u1")
    other_user = await api.token_for(Role.USER, "u2")
    admin = await api.token_for(Role.ADMIN, "a1")
    superadmin = await api.token_for(Role.SUPERADMIN, "s1")

    async def create(token: str) -> int:
        data = await api.data(CREATE_TOKEN, {"name": "t"}, token=token)
        return data["createApiToken"]["apiToken"]["id"]

    u1_token, super_token = await create(user_token), await create(superadmin)
    # Another plain user cannot see or revoke it.
    assert (await api.data(REVOKE_TOKEN, {"id": u1_token}, token=other_user))["revokeApiToken"][
        "__typename"
    ] == "NotFoundError"
    # An admin cannot touch a superadmin's token, and cannot list it.
    assert (await api.data(REVOKE_TOKEN, {"id": super_token}, token=admin))["revokeApiToken"][
        "__typename"
    ] == "NotFoundError"
    s1 = await user_row(api, "s1")
    hidden = await api.gql("query ($id: Int!) { apiTokens(userId: $id) { id } }", {"id": s1.id}, token=admin)
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # An admin can revoke a user's token; the audit log records it.
    assert (await api.data(REVOKE_TOKEN, {"id": u1_token}, token=admin))["revokeApiToken"]["__typename"] == "ApiToken"
    audit = (await api.data('{ auditLog(objectType: "api_token") { action actorUsername objectId } }', token=admin))[
        "auditLog"
    ]
    assert {"action": "api_token.revoke", "actorUsername": "a1", "objectId": str(u1_token)} in audit


async def test_parallel_failures_from_one_source_all_count_on_mariadb(tmp_path: Path, mariadb_url: str) -> None:
    settings = load_settings(DATA_DIR=str(tmp_path / "p"), SECRET_KEY="s", DB_CONN=mariadb_url)
    async with api_for(settings) as api:
        await api.make_user(Role.USER, "parallel", "richtig-123")
        for name in ("parallel", "unbekannt"):  # a real account (row-locked) and an unknown name
            bodies = await asyncio.gather(*(login(api, name, "falsch") for _ in range(12)))
            codes = {login_error(body)["code"] for body in bodies}
            assert codes == {"UNAUTHENTICATED"}, bodies
        async with api.container.db.session() as session:
            throttle = await session.scalar(select(LoginThrottle).where(LoginThrottle.account == "parallel"))
            # Every failure before the lock counted; none was lost to a race, none crashed.
            assert throttle is not None and throttle.failures >= FREE_FAILURES and throttle.locked_until is not None


async def test_many_sources_close_the_account_to_strangers_but_a_known_device_gets_in(api: Api) -> None:
    await api.make_user(Role.SUPERADMIN, "chefin", "richtig-123")
    deps = api.container
    first = await auth.login(deps, None, auth.Login("chefin", "richtig-123", ip="10.0.0.1"))
    assert first.device_token
    for i in range(ACCOUNT_LOCK_THRESHOLD):  # a distributed guess: one failure from each of many addresses
        with pytest.raises(AuthenticationError):
            await auth.login(deps, None, auth.Login("chefin", f"rate-{i}", ip=f"10.1.{i}.1"))
    row = await user_row(api, "chefin")
    assert row.locked_until is not None and row.failed_login_attempts == ACCOUNT_LOCK_THRESHOLD
    # Unknown sources are refused even with the right password, with the one message ...
    with pytest.raises(AuthenticationError) as refused:
        await auth.login(deps, None, auth.Login("chefin", "richtig-123", ip="10.2.0.1"))
    assert refused.value.message == INVALID_CREDENTIALS_MESSAGE
    # ... but the browser that logged in before still gets in, from any address.
    again = await auth.login(
        deps, None, auth.Login("chefin", "richtig-123", device_token=first.device_token, ip="10.2.0.1")
    )
    assert again.token and again.device_token == first.device_token
    # A forged or foreign device token is just an unknown source.
    other = await api.make_user(Role.USER, "fremd", "richtig-123")
    forged = f"{other.id}.abc.{'0' * 32}"
    with pytest.raises(AuthenticationError):
        await auth.login(deps, None, auth.Login("chefin", "richtig-123", device_token=forged, ip="10.2.0.1"))
    async with api.container.db.session() as session:
        scopes = [
            entry.details["scope"]
            for entry in await session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "user.lockout"))
        ]
    assert scopes == ["account"]


async def test_error_members_speak_the_callers_language_with_code_and_reason(api: Api) -> None:
    await api.make_user(Role.USER, "sprache", "richtig-123")
    token = await login_token(api, "sprache", "richtig-123")
    query = CHANGE_PASSWORD.replace("... on Error { message }", "... on Error { message code reason }")
    wrong = {"query": query, "variables": {"c": "falsch", "n": "neu-geheim"}}
    members = {}
    for language in (None, "en-GB,en;q=0.9", "de-DE,de;q=0.9,en;q=0.5"):
        headers = {"Authorization": f"Bearer {token}"} | ({"Accept-Language": language} if language else {})
        response = await api.client.post("/graphql", json=wrong, headers=headers)
        member = response.json()["data"]["changePassword"]
        assert member["__typename"] == "ValidationError" and member["field"] == "currentPassword", member
        assert member["code"] == "VALIDATION" and member["reason"] == "password.current_wrong", member
        members[language] = member["message"]
    assert members[None] == members["de-DE,de;q=0.9,en;q=0.5"] == "Das aktuelle Passwort ist falsch."
    assert members["en-GB,en;q=0.9"] == "The current password is wrong."

    refused = await api.client.post(
        "/graphql",
        json={"query": LOGIN, "variables": {"u": "sprache", "p": "falsch"}},
        headers={"Accept-Language": "en"},
    )
    login_member = refused.json()["data"]["login"]
    assert login_member["message"].startswith("Login failed") and login_member["reason"] == "auth.invalid_credentials"
