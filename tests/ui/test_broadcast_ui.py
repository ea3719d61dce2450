"""Durchsage from the dashboard: an admin composes one with a template, confirms it, watches the receipts of
simulated displays arrive in the red banner and on the Durchsagen page, and gives the all-clear; the page
renders in English too."""

from __future__ import annotations

import time
import uuid as uuidlib
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.broadcasts.sim import ShowingFleet
from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, admin_token, graphql, login, shot

DISPLAYS = 6


@pytest.fixture(scope="module")
def token(server: InfoscreenProcess) -> str:
    return admin_token(server)


@pytest.fixture(scope="module")
def fleet(server: InfoscreenProcess, token: str) -> Iterator[ShowingFleet]:
    groups = []
    for name in ("Aula", "Mensa"):
        data = graphql(server, "mutation($n: String!) { createGroup(name: $n) { ... on ClientGroup { id } } }",
                       {"n": name}, token=token)  # fmt: skip
        groups.append(int(data["createGroup"]["id"]))
    displays = {str(uuidlib.uuid4()): groups[n % 2] for n in range(DISPLAYS)}
    sim = ShowingFleet(int(server.env["MQTT_BROKER_PORT"]), displays, beat_every=1.0).start()
    deadline = time.monotonic() + 60
    known: set[str] = set()
    while time.monotonic() < deadline and not set(displays) <= known:
        known = {c["uuid"] for c in graphql(server, "query { clients { uuid } }", token=token)["clients"]}
        time.sleep(0.5)
    assert set(displays) <= known, "the simulated displays did not register"
    for group_id in groups:
        uuids = [u for u, g in displays.items() if g == group_id]
        graphql(server, "mutation($u: [String!]!, $g: Int!) { assignClientsToGroup(uuids: $u, groupId: $g) "
                "{ __typename } }", {"u": uuids, "g": group_id}, token=token)  # fmt: skip
    yield sim
    sim.stop()


def test_admin_starts_a_broadcast_watches_receipts_and_gives_the_all_clear(
    page: Page, server: InfoscreenProcess, fleet: ShowingFleet
) -> None:
    login(page, *SUPERADMIN)
    expect(page.get_by_test_id("broadcast-banner")).to_be_hidden()
    page.get_by_test_id("broadcast-button").click()
    expect(page.get_by_test_id("broadcast-message")).to_be_visible()
    # Evakuierung is the default template: title, text and ALARM filled in.
    expect(page.get_by_test_id("broadcast-title")).to_have_value("Evakuierung")
    page.get_by_test_id("broadcast-next").click()
    expect(page.get_by_test_id("broadcast-preview")).to_contain_text("Fluchtwege")
    shot(page, "broadcast-confirm")
    page.get_by_test_id("broadcast-send").click()

    banner = page.get_by_test_id("broadcast-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Evakuierung")
    expect(page.get_by_test_id("broadcast-banner-count")).to_contain_text(f"{DISPLAYS} von {DISPLAYS}", timeout=30_000)
    assert {fleet.head_ids()[g] for g in set(fleet.displays.values())} == {next(iter(fleet.head_ids().values()))}, (
        "both rooms show the same broadcast"
    )
    shot(page, "broadcast-banner")

    page.get_by_role("button", name="Empfang").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Durchsagen")
    expect(page.get_by_test_id("broadcast-receipt-count")).to_contain_text(f"{DISPLAYS} von {DISPLAYS}")
    expect(page.get_by_test_id("broadcast-history")).to_contain_text("Evakuierung")

    page.get_by_test_id("broadcast-all-clear").click()
    expect(banner).to_be_hidden()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(v is not None for v in fleet.head_ids().values()):
        time.sleep(0.3)
    assert all(v is None for v in fleet.head_ids().values()), "the rooms went back to their (empty) schedule"


def test_the_page_renders_in_english(page: Page, server: InfoscreenProcess, fleet: ShowingFleet) -> None:
    login(page, *SUPERADMIN)
    page.get_by_test_id("user-menu").click()
    page.get_by_text("Sprache: Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en-US")
    try:
        page.goto("/broadcasts")
        expect(page.get_by_test_id("page-title")).to_have_text("Announcements")
        expect(page.get_by_test_id("broadcast-button")).to_contain_text("Announcement")
        expect(page.get_by_text("History", exact=True)).to_be_visible()
    finally:
        # The language is remembered per user; later browser tests expect German.
        page.get_by_test_id("user-menu").click()
        page.get_by_text("Language: English").click()
        expect(page.locator("html")).to_have_attribute("lang", "de")
