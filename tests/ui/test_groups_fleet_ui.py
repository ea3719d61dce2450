"""Raumgruppen & Clients at a school's size: 40+ groups, 200+ displays heartbeating through a real Mosquitto.

The list of groups is patched, never rebuilt, while only the displays report; scripted clicks on rename and
reorder all take effect; the details action stays reachable at 1440×900 and on a phone; search, filters, bulk
assign/restart/delete and the CSV export work on what is shown.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.display import FakeDisplay
from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, TIMEOUT_MS, admin_token, graphql, login, shot
from tests.ui.fleet_sim import Fleet, reporting

GROUPS = 42
DISPLAYS = 210

# Counts DOM changes inside the group list and marks its element: a rebuild replaces the element (the mark is
# gone); a patch of a count changes text only.
_WATCH = """() => {
  const list = document.querySelector('[data-testid=group-list]');
  list.dataset.mark = 'kept';
  window.__listMutations = 0;
  new MutationObserver((records) => {
    for (const r of records) if (r.type === 'childList') window.__listMutations += 1;
  }).observe(list, {childList: true, subtree: true});
}"""
_WATCHED = """() => {
  const list = document.querySelector('[data-testid=group-list]');
  return {mark: list ? list.dataset.mark || null : null, mutations: window.__listMutations};
}"""


@pytest.fixture(scope="module")
def token(server: InfoscreenProcess) -> str:
    return admin_token(server)


@pytest.fixture(scope="module")
def groups(server: InfoscreenProcess, token: str) -> list[int]:
    ids = []
    for n in range(GROUPS):
        data = graphql(
            server,
            "mutation($n: String!) { createGroup(name: $n) { ... on ClientGroup { id } } }",
            {"n": f"Raum {n:02d}"},
            token=token,
        )
        ids.append(int(data["createGroup"]["id"]))
    return ids


@pytest.fixture(scope="module")
def fleet(server: InfoscreenProcess, token: str, groups: list[int]) -> Iterator[Fleet]:
    link = FakeDisplay(int(server.env["MQTT_BROKER_PORT"])).connect()
    fleet = Fleet(link, "pi-flur").announce(DISPLAYS)
    query = "query { clients { uuid } }"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        known = {c["uuid"] for c in graphql(server, query, token=token)["clients"]}
        if set(fleet.uuids) <= known:
            break
        time.sleep(0.5)
    assert set(fleet.uuids) <= known, "the server did not register every simulated display"
    yield fleet
    link.close()


def _order(server: InfoscreenProcess, token: str) -> list[tuple[int, str]]:
    data = graphql(server, "query { groups(includeUnassigned: false) { id name } }", token=token)
    return [(int(g["id"]), str(g["name"])) for g in data["groups"]]


def _open_groups(page: Page) -> None:
    login(page, *SUPERADMIN)
    page.goto("/groups")
    expect(page.get_by_test_id("group-list")).to_be_visible()


@pytest.mark.slow
def test_the_group_list_is_not_rebuilt_while_displays_report_and_every_click_lands(
    page: Page, server: InfoscreenProcess, token: str, groups: list[int], fleet: Fleet
) -> None:
    _open_groups(page)
    expect(page.get_by_test_id(f"group-item-{groups[-1]}")).to_be_visible()
    with reporting(fleet, every=2.0) as rounds:
        page.evaluate(_WATCH)
        # Let the fleet report for a while: the page receives the updates (the table follows) but the group
        # list stays the element it was, untouched.
        wanted = rounds[0] + 5
        while rounds[0] < wanted:
            page.wait_for_timeout(500)
        watched = page.evaluate(_WATCHED)
        assert watched == {"mark": "kept", "mutations": 0}, watched

        # 30 scripted clicks while the fleet keeps reporting: 15 renames, 15 moves down.
        renamed = groups[:15]
        for n, group_id in enumerate(renamed):
            page.get_by_test_id(f"group-rename-{group_id}").click()
            page.get_by_test_id("group-name").fill(f"Umbenannt {n:02d}")
            page.get_by_test_id("group-save").click()
            expect(page.get_by_test_id("group-name")).to_have_count(0)
            expect(page.get_by_test_id(f"group-item-{group_id}")).to_contain_text(f"Umbenannt {n:02d}")
        mover = groups[20]
        start = [gid for gid, _ in _order(server, token)].index(mover)
        for step in range(15):
            before = [gid for gid, _ in _order(server, token)].index(mover)
            page.get_by_test_id(f"group-down-{mover}").click()
            items = page.locator("[data-testid^=group-item-]")
            expect(items.nth(before + 1)).to_have_attribute("data-testid", f"group-item-{mover}")
            assert before == start + step
    order = _order(server, token)
    names = dict(order)
    assert [names[g] for g in renamed] == [f"Umbenannt {n:02d}" for n in range(15)]
    assert [gid for gid, _ in order].index(mover) == start + 15
    shot(page, "groups-fleet-after-clicks")


def test_details_stay_reachable_at_1440x900_and_the_unassigned_column_is_in_view(
    browser: Browser, server: InfoscreenProcess, fleet: Fleet
) -> None:
    context = browser.new_context(base_url=server.base_url, viewport={"width": 1440, "height": 900}, locale="de-DE")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        _open_groups(page)
        details = page.locator("[data-testid^=client-details-]").first
        expect(details).to_be_in_viewport()
        details.click()
        expect(page.get_by_test_id("client-restart")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.get_by_test_id("client-restart")).to_have_count(0)

        page.get_by_test_id("view-toggle").get_by_text("Board").click()
        column = page.get_by_test_id("board-column-none")
        column.scroll_into_view_if_needed()
        expect(column).to_be_in_viewport()
        box = column.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1440, box
        shot(page, "groups-1440x900-board")
    finally:
        context.close()


def test_on_a_phone_a_display_can_be_found_opened_and_restarted(
    browser: Browser, server: InfoscreenProcess, fleet: Fleet
) -> None:
    context = browser.new_context(
        base_url=server.base_url, viewport={"width": 390, "height": 844}, locale="de-DE", is_mobile=True, has_touch=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        _open_groups(page)
        page.get_by_test_id("clients-search").fill(fleet.hostname(7))
        rows = page.get_by_test_id("clients-table").locator("tbody tr")
        expect(rows).to_have_count(1)
        button = page.get_by_test_id(f"client-details-{fleet.uuids[7]}")
        button.scroll_into_view_if_needed()
        expect(button).to_be_in_viewport()
        button.tap()
        restart = page.get_by_test_id("client-restart")
        expect(restart).to_be_in_viewport()
        restart.tap()
        page.get_by_test_id("command-reason").fill("Test vom Handy")
        page.get_by_test_id("command-confirm").tap()
        expect(page.get_by_test_id("command-list").locator("[data-testid^=command-]").first).to_be_visible()
        shot(page, "groups-phone-details")
    finally:
        context.close()


def test_search_filters_bulk_assign_restart_delete_and_csv_export(
    page: Page, server: InfoscreenProcess, token: str, groups: list[int], fleet: Fleet
) -> None:
    _open_groups(page)
    table = page.get_by_test_id("clients-table")
    rows = table.locator("tbody tr")
    search = page.get_by_test_id("clients-search")

    # Search matches hostname, IP and uuid.
    search.fill("pi-flur-01")  # pi-flur-010 … pi-flur-019
    expect(rows).to_have_count(10)
    search.fill("10.0.42.7")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(fleet.hostname(42))
    search.fill(fleet.uuids[3][:13])
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(fleet.hostname(3))

    # Bulk assign what the search shows, then the group filter shows exactly those.
    search.fill("pi-flur-01")
    expect(rows).to_have_count(10)
    table.locator("thead .q-checkbox").click()
    expect(page.get_by_text("10 ausgewählt", exact=True)).to_be_visible()
    target = groups[30]
    page.get_by_test_id("assign-target").click()
    page.get_by_role("option", name="Raum 30", exact=True).click()
    page.get_by_test_id("assign-submit").click()
    expect(page.get_by_text("0 ausgewählt", exact=True)).to_be_visible()
    clients = graphql(server, "query { clients { uuid hostname groupId } }", token=token)["clients"]
    moved = {c["hostname"] for c in clients if c["groupId"] == target}
    assert moved == {fleet.hostname(n) for n in range(10, 20)}
    search.fill("")
    page.get_by_test_id("group-filter").click()
    page.get_by_role("option", name="Raum 30", exact=True).click()
    expect(rows).to_have_count(10)

    # Status filter (the one health status): the ten report now (live, no reload), so "Offline" shows nobody;
    # heartbeats without a screen report are "Warnung", as on every page.
    fleet.beat(fleet.uuids[10:20])
    expect(rows.filter(has_text="Offline")).to_have_count(0)
    page.get_by_test_id("status-filter").click()
    page.get_by_role("option", name="Offline", exact=True).click()
    expect(table).to_contain_text("Keine Einträge")
    page.get_by_test_id("status-filter").click()
    page.get_by_role("option", name="Warnung", exact=True).click()
    expect(rows).to_have_count(10)

    # CSV export of exactly the displayed list.
    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    text = download_info.value.path().read_text(encoding="utf-8-sig")
    exported = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert exported[0][:4] == ["UUID", "Name", "Hostname", "IP"]
    assert {row[2] for row in exported[1:]} == {fleet.hostname(n) for n in range(10, 20)}
    assert all(row[4] == "Raum 30" for row in exported[1:])

    # Bulk restart: a confirm naming the count, then one result per display.
    search.fill("pi-flur-01")
    table.locator("tbody tr").filter(has_text=fleet.hostname(11)).locator(".q-checkbox").click()
    table.locator("tbody tr").filter(has_text=fleet.hostname(12)).locator(".q-checkbox").click()
    page.get_by_test_id("bulk-restart").click()
    expect(page.get_by_test_id("bulk-confirm-text")).to_have_text("2 Clients neu starten?")
    page.get_by_test_id("bulk-confirm-yes").click()
    results = page.get_by_test_id("bulk-results")
    expect(results.locator(".q-icon")).to_have_count(2)
    expect(page.get_by_text("2 von 2 Neustarts gesendet")).to_be_visible()
    page.get_by_test_id("bulk-results-close").click()
    commands = graphql(
        server, "query($u: String!) { clientCommands(clientUuid: $u) { action } }", {"u": fleet.uuids[11]}, token=token
    )["clientCommands"]
    assert [c["action"] for c in commands] == ["reboot_host"]

    # Bulk delete: confirm naming the count; the displays are gone from the list and from the server.
    table.locator("tbody tr").filter(has_text=fleet.hostname(18)).locator(".q-checkbox").click()
    table.locator("tbody tr").filter(has_text=fleet.hostname(19)).locator(".q-checkbox").click()
    page.get_by_test_id("bulk-delete").click()
    expect(page.get_by_test_id("bulk-confirm-text")).to_contain_text("2 Clients löschen?")
    page.get_by_test_id("bulk-confirm-yes").click()
    expect(page.get_by_text("2 von 2 Clients gelöscht")).to_be_visible()
    page.get_by_test_id("bulk-results-close").click()
    expect(rows).to_have_count(8)
    left = {c["uuid"] for c in graphql(server, "query { clients { uuid } }", token=token)["clients"]}
    assert fleet.uuids[18] not in left and fleet.uuids[19] not in left
    shot(page, "groups-bulk")


def test_a_refused_rename_brings_the_old_name_back_and_asks_again(
    page: Page, server: InfoscreenProcess, token: str, groups: list[int]
) -> None:
    """A rename shows at once and is saved meanwhile; when the server refuses it (the name is taken), the old
    name returns and the dialog opens again with the typed name and the reason."""
    _open_groups(page)
    target, other = groups[30], groups[31]
    names = dict(_order(server, token))
    page.get_by_test_id(f"group-rename-{target}").click()
    page.get_by_test_id("group-name").fill(names[other])
    page.get_by_test_id("group-save").click()
    expect(page.locator(".q-notification")).to_contain_text(f'Eine Gruppe "{names[other]}" existiert bereits.')
    expect(page.get_by_test_id("group-name")).to_have_value(names[other])
    expect(page.get_by_test_id(f"group-item-{target}")).to_contain_text(names[target])
    assert dict(_order(server, token))[target] == names[target]
    # Corrected in the reopened dialog: saved.
    page.get_by_test_id("group-name").fill("Raum Neu")
    page.get_by_test_id("group-save").click()
    expect(page.get_by_test_id("group-name")).to_have_count(0)
    expect(page.get_by_test_id(f"group-item-{target}")).to_contain_text("Raum Neu")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while dict(_order(server, token))[target] != "Raum Neu" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert dict(_order(server, token))[target] == "Raum Neu"
