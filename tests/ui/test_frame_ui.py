"""The dashboard frame in a real browser: login, role-gated navigation, language, logout, program info."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Page, expect

from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, admin_token, graphql, login, shot


def test_login_refuses_a_wrong_password_then_opens_the_dashboard_and_logs_out(
    page: Page, context: BrowserContext
) -> None:
    page.goto("/programminfo")
    page.wait_for_url("**/login?next=/programminfo")
    page.get_by_test_id("login-username").fill(SUPERADMIN[0])
    page.get_by_test_id("login-password").fill("wrong-password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_contain_text("Benutzername oder Passwort")
    shot(page, "login-error")

    page.get_by_test_id("login-password").fill(SUPERADMIN[1])
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/programminfo")  # back where the user wanted to go
    expect(page.get_by_test_id("page-title")).to_have_text("Programminfo")
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["infoscreen_token"]["httpOnly"]  # screenshot/media routes can authorise the browser

    page.get_by_test_id("nav-dashboard").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Dashboard")
    for item in ("users", "monitoring", "groups", "settings", "programminfo"):
        expect(page.get_by_test_id(f"nav-{item}")).to_be_visible()
    shot(page, "dashboard")

    page.get_by_test_id("user-menu").click()
    expect(page.locator(".user-role")).to_have_text("Superadministrator")
    page.get_by_test_id("logout").click()
    page.wait_for_url("**/login")
    assert "infoscreen_token" not in {c["name"] for c in context.cookies()}
    page.goto("/")
    page.wait_for_url("**/login")


def test_a_user_role_sees_no_admin_items_and_is_refused_on_direct_urls(page: Page, server: InfoscreenProcess) -> None:
    token = admin_token(server)
    graphql(
        server,
        "mutation($i: CreateUserInput!) { createUser(input: $i) { __typename } }",
        {"i": {"username": "lehrer", "password": "lehrer-pass", "role": "USER"}},
        token,
    )
    graphql(server, 'mutation { createGroup(name: "Foyer") { __typename } }', token=token)
    login(page, "lehrer", "lehrer-pass")
    expect(page.get_by_test_id("nav-dashboard")).to_be_visible()
    expect(page.get_by_test_id("nav-programminfo")).to_be_visible()
    for hidden in ("users", "monitoring", "groups", "media"):
        expect(page.get_by_test_id(f"nav-{hidden}")).to_have_count(0)
    # The API lets every login read events and groups: Termine and Ressourcen are there, view only.
    page.get_by_test_id("nav-calendar").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Termine")
    expect(page.get_by_test_id("cal-group")).to_contain_text("Foyer")
    expect(page.get_by_text("Nur Ansicht")).to_be_visible()
    expect(page.get_by_test_id("cal-new")).to_have_count(0)
    page.get_by_test_id("nav-resources").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Ressourcen")
    expect(page.get_by_test_id("res-order")).to_contain_text("Foyer")
    expect(page.locator("[data-testid^=res-up-]")).to_have_count(0)
    page.goto("/groups")
    expect(page.get_by_test_id("forbidden")).to_be_visible()
    expect(page.get_by_test_id("clients-table")).to_have_count(0)
    shot(page, "forbidden-for-user")

    # The language is a per-account choice: English after switching, and still after logging in again.
    page.goto("/programminfo")
    page.get_by_test_id("user-menu").click()
    page.get_by_text("Sprache: Deutsch → English").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Program info")
    expect(page.get_by_test_id("info-version")).not_to_be_empty()
    page.get_by_test_id("license-search").fill("nicegui")
    expect(page.get_by_test_id("license-table")).to_contain_text("MIT")
    shot(page, "programminfo-en")
