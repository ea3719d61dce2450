"""Protokoll and API-Tokens in a real browser: filter + CSV export of the audit trail; a token created on the
page is shown once, works as a Bearer on /graphql and is refused once revoked."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, admin_token, graphql, login, shot

CREATE_USER = "mutation ($input: CreateUserInput!) { createUser(input: $input) { __typename ... on User { id } } }"


def test_audit_page_filters_and_exports_the_filtered_entries(
    page: Page, server: InfoscreenProcess, tmp_path: Path
) -> None:
    token = admin_token(server)
    for name in ("protokoll-anna", "protokoll-bert"):
        graphql(server, CREATE_USER, {"input": {"username": name, "password": "secret-123"}}, token)
    graphql(server, 'mutation { createGroup(name: "Protokoll-Gruppe") { __typename } }', token=token)

    login(page, *SUPERADMIN)
    page.get_by_test_id("nav-audit").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Protokoll")
    table = page.get_by_test_id("audit-table")
    expect(table).to_contain_text("client_group")

    page.get_by_test_id("audit-filter-action").fill("user.create")
    page.get_by_test_id("audit-apply").click()
    expect(page.get_by_test_id("audit-total")).to_have_text("2 Einträge")
    expect(table).to_contain_text("username: protokoll-anna")
    expect(table).not_to_contain_text("client_group")
    shot(page, "audit")

    with page.expect_download() as download_info:
        page.get_by_test_id("audit-export").click()
    target = tmp_path / "protokoll.csv"
    download_info.value.save_as(target)
    lines = target.read_text(encoding="utf-8-sig").strip().splitlines()
    assert lines[0].startswith("time_utc;actor;action")
    assert len(lines) == 3, lines
    assert all(";user.create;user;" in line for line in lines[1:])
    assert any("protokoll-bert" in line for line in lines[1:])


def test_a_token_from_the_page_works_once_shown_and_is_refused_after_revoke(
    page: Page, server: InfoscreenProcess
) -> None:
    token = admin_token(server)
    graphql(
        server, CREATE_USER, {"input": {"username": "token-admin", "password": "secret-123", "role": "ADMIN"}}, token
    )
    other = graphql(
        server,
        "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { ... on LoginPayload { token } } }",
        {"u": "token-admin", "p": "secret-123"},
    )["login"]["token"]
    graphql(server, 'mutation { createApiToken(name: "fremdes-skript") { __typename } }', token=other)
    login(page, *SUPERADMIN)
    page.get_by_test_id("nav-api-tokens").click()
    expect(page.get_by_test_id("page-title")).to_have_text("API-Tokens")
    # The superadmin sees every account's tokens, with the owner.
    expect(page.get_by_test_id("tokens-table").locator("tr", has_text="fremdes-skript")).to_contain_text("token-admin")
    page.get_by_test_id("token-new").click()
    page.get_by_test_id("token-name").fill("stundenplan-skript")
    page.get_by_test_id("token-role").click()
    page.get_by_role("option", name="Redakteur").click()
    page.get_by_test_id("token-create").click()
    secret_field = page.get_by_test_id("token-secret")
    expect(secret_field).to_be_visible()
    secret = secret_field.input_value()
    assert len(secret) > 20
    page.get_by_test_id("token-done").click()
    row = page.get_by_test_id("tokens-table").locator("tr", has_text="stundenplan-skript")
    expect(row).to_contain_text("Redakteur")
    expect(page.get_by_text(secret)).to_have_count(0)  # shown once: the list shows only the prefix
    shot(page, "api-tokens")

    def me() -> dict:
        return httpx.post(
            f"{server.base_url}/graphql",
            json={"query": "{ me { username } }"},
            headers={"Authorization": f"Bearer {secret}"},
            timeout=30,
        ).json()

    assert me()["data"]["me"]["username"] == SUPERADMIN[0]
    row.get_by_test_id("token-revoke-stundenplan-skript").click()
    page.get_by_test_id("confirm-yes").click()
    expect(row).to_have_count(0)
    refused = me()
    assert refused.get("data") is None or refused["data"].get("me") is None
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
