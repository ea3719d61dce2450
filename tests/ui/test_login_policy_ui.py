"""The login policy and GraphiQL in a real browser against `infoscreen run` (both browsers on loopback)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request, Route, expect

from app.domain.users.login_policy import FREE_FAILURES
from app.messages.users import INVALID_CREDENTIALS_MESSAGE
from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, TIMEOUT_MS, graphql, login, logout, shot

CREATE_USER = """
mutation ($u: String!, $r: Role!) {
  createUser(input: {username: $u, password: "richtig-123", role: $r}) { __typename ... on User { id } }
}"""
AUDIT = "{ auditLog(limit: 200) { action objectId ip actorUsername details } }"


def new_context(browser: Browser, server: InfoscreenProcess) -> BrowserContext:
    ctx = browser.new_context(base_url=server.base_url, viewport={"width": 1366, "height": 768}, locale="de-DE")
    ctx.set_default_timeout(TIMEOUT_MS)
    return ctx


def failed_login(page: Page, username: str, password: str) -> str:
    """Submit the login form and wait for the answer; returns the message shown."""
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-password")).to_have_value("")  # cleared once the server answered
    error = page.get_by_test_id("login-error")
    expect(error).to_be_visible()
    return str(error.inner_text())


def api_login(server: InfoscreenProcess, username: str, password: str) -> str:
    data = graphql(
        server,
        "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { ... on LoginPayload { token } } }",
        {"u": username, "p": password},
    )
    return str(data["login"]["token"])


def make_user(server: InfoscreenProcess, token: str, username: str, role: str = "USER") -> int:
    data = graphql(server, CREATE_USER, {"u": username, "r": role}, token)
    return int(data["createUser"]["id"])


def audit(server: InfoscreenProcess, token: str) -> list[dict[str, Any]]:
    return list(graphql(server, AUDIT, token=token)["auditLog"])


@pytest.fixture(scope="module")
def superadmin(server: InfoscreenProcess) -> str:
    """Taken before any test throttles the superadmin on this address (sessions outlive the throttle)."""
    return api_login(server, *SUPERADMIN)


@pytest.fixture(scope="module")
def admin(server: InfoscreenProcess, superadmin: str) -> str:
    """An admin of its own ("verwalter"); admins do not see audit entries about superadmins."""
    make_user(server, superadmin, "verwalter", "ADMIN")
    return api_login(server, "verwalter", "richtig-123")


@pytest.mark.slow
def test_a_hundred_failed_logins_in_one_browser_do_not_stop_another_browsers_login(
    browser: Browser, server: InfoscreenProcess, superadmin: str, admin: str
) -> None:
    # Browser B has logged in as superadmin before (and logged out again).
    known = new_context(browser, server)
    known_page = known.new_page()
    login(known_page, *SUPERADMIN)
    logout(known_page)

    # Browser A, from the very same address, guesses the superadmin's password 100 times.
    stranger = new_context(browser, server)
    page = stranger.new_page()
    page.goto("/login")
    messages = {failed_login(page, SUPERADMIN[0], f"rate-{i}") for i in range(FREE_FAILURES)}
    # A is throttled now (for 30 s): even the right password is refused there, with the same words.
    assert failed_login(page, *SUPERADMIN) == INVALID_CREDENTIALS_MESSAGE
    shot(page, "login-throttled")
    messages |= {failed_login(page, SUPERADMIN[0], f"rate-{i}") for i in range(FREE_FAILURES, 100)}
    assert messages == {INVALID_CREDENTIALS_MESSAGE}

    # B still gets in.
    login(known_page, *SUPERADMIN)
    expect(known_page.get_by_test_id("user-menu")).to_be_visible()

    # The lock is in the audit log with the browser's real address (not none, not made up).
    lockouts = [e for e in audit(server, superadmin) if e["action"] == "user.lockout"]
    assert lockouts and all(e["ip"] == "127.0.0.1" and e["actorUsername"] == "system" for e in lockouts)
    assert lockouts[-1]["details"]["failures"] == FREE_FAILURES
    stranger.close()
    known.close()


def test_one_message_for_unknown_user_wrong_password_and_lock_and_an_admin_unlocks(
    browser: Browser, server: InfoscreenProcess, admin: str
) -> None:
    user_id = make_user(server, admin, "lehrerin")

    ctx = new_context(browser, server)
    page = ctx.new_page()
    page.goto("/login")
    unknown = failed_login(page, "gibt-es-nicht", "falsch-123")
    wrong = failed_login(page, "lehrerin", "falsch-123")
    for _ in range(FREE_FAILURES - 1):
        failed_login(page, "lehrerin", "falsch-123")
    locked = failed_login(page, "lehrerin", "richtig-123")
    assert unknown == wrong == locked == INVALID_CREDENTIALS_MESSAGE

    # An admin lifts the lock on the Benutzer page.
    admin_ctx = new_context(browser, server)
    admin_page = admin_ctx.new_page()
    login(admin_page, "verwalter", "richtig-123")
    admin_page.goto("/users")
    admin_page.get_by_test_id("user-unlock-lehrerin").click()
    expect(admin_page.get_by_test_id("user-unlock-lehrerin")).to_have_count(0)
    shot(admin_page, "users-unlocked")

    login(page, "lehrerin", "richtig-123")
    entries = [e for e in audit(server, admin) if e["objectId"] == str(user_id)]
    actions = [e["action"] for e in entries]
    assert "user.lockout" in actions and "user.unlock" in actions, actions
    unlock = next(e for e in entries if e["action"] == "user.unlock")
    assert unlock["actorUsername"] == "verwalter" and unlock["ip"] == "127.0.0.1"
    ctx.close()
    admin_ctx.close()


def test_graphiql_works_without_internet_and_after_logging_in(
    browser: Browser, server: InfoscreenProcess, admin: str
) -> None:
    ctx = new_context(browser, server)
    blocked: list[str] = []

    def only_loopback(route: Route, request: Request) -> None:
        host = urlsplit(request.url).hostname or ""
        if host in ("127.0.0.1", "localhost", "::1") or request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            blocked.append(request.url)
            route.abort()

    ctx.route("**/*", only_loopback)
    page = ctx.new_page()
    login(page, "verwalter", "richtig-123")
    page.goto("/graphql")
    editor = page.locator(".graphiql-query-editor .CodeMirror")
    expect(editor).to_be_visible()
    editor.evaluate("(node, query) => node.CodeMirror.setValue(query)", "{ me { username role } }")
    page.locator(".graphiql-execute-button").click()
    expect(page.locator(".graphiql-response")).to_contain_text('"username": "verwalter"')
    shot(page, "graphiql-offline")
    assert blocked == []
    ctx.close()
