"""The same display has the same status on the Dashboard, the group board and Monitoring, in a real browser.

Five simulated displays in one room group: a crashed player, a black screen, a failed display service, one
that never sent a heartbeat (offline) and a healthy one. Each page must show each display's health with the
same word (`data-health`) — a crashed player is never counted as healthy/online anywhere.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.support.display import FakeDisplay
from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, admin_token, graphql, login, shot

EXPECTED = {
    "crashed": "CRITICAL",
    "black": "CRITICAL",
    "service_failed": "CRITICAL",
    "offline": "OFFLINE",
    "healthy": "HEALTHY",
}
HEARTBEAT = {"crashed": "crashed", "black": "running", "service_failed": "running", "healthy": "running"}
SCREEN = {"crashed": "OK", "black": "BLACK", "service_failed": "OK", "healthy": "OK"}


@pytest.fixture
def fleet(server: InfoscreenProcess) -> Iterator[dict[str, FakeDisplay]]:
    port = int(server.env["MQTT_BROKER_PORT"])
    displays = {kind: FakeDisplay(port).connect() for kind in EXPECTED}
    for kind, display in displays.items():
        display.publish("infoscreen/discovery", {"uuid": display.uuid, "hostname": f"health-{kind}"})
    stop = threading.Event()

    def keep_alive() -> None:  # the server's grace period is 30 s here; the pages take longer than that
        while not stop.is_set():
            for kind, status in HEARTBEAT.items():
                displays[kind].publish("infoscreen/{uuid}/heartbeat", {"process_status": status})
                displays[kind].publish(
                    "infoscreen/{uuid}/health",
                    {"actual_state": {"process": "player", "status": status},
                     "health_metrics": {"screen_health_status": SCREEN[kind]}},
                )  # fmt: skip
            stop.wait(5)

    beating = threading.Thread(target=keep_alive, daemon=True)
    beating.start()
    displays["service_failed"].publish(
        "infoscreen/{uuid}/service_failed",
        {"event": "service_failed", "unit": "infoscreen-display.service", "failed_at": "2026-01-01T08:00:00Z"},
        retain=True,
    )
    yield displays
    stop.set()
    beating.join(10)
    for display in displays.values():
        display.close()


def _wait_for_health(server: InfoscreenProcess, token: str, uuids: dict[str, str]) -> None:
    query = "query($u: String!) { client(uuid: $u) { health { status } } }"
    deadline = time.monotonic() + 30
    while True:
        seen = {}
        for kind, uuid in uuids.items():
            client = graphql(server, query, {"u": uuid}, token=token)["client"]
            seen[kind] = client and client["health"]["status"]
        if seen == EXPECTED:
            return
        assert time.monotonic() < deadline, f"the server never classified the fleet as expected: {seen}"
        time.sleep(0.5)


def test_dashboard_board_and_monitoring_show_the_same_status(
    page: Page, server: InfoscreenProcess, fleet: dict[str, FakeDisplay]
) -> None:
    token = admin_token(server)
    uuids = {kind: display.uuid for kind, display in fleet.items()}
    group = graphql(server, 'mutation { createGroup(name: "Gesundheit") { ... on ClientGroup { id } } }', token=token)[
        "createGroup"
    ]["id"]
    assigned = graphql(
        server,
        "mutation($u: [String!]!, $g: Int!) { assignClientsToGroup(uuids: $u, groupId: $g) { __typename } }",
        {"u": list(uuids.values()), "g": group},
        token=token,
    )
    assert assigned["assignClientsToGroup"]["__typename"] == "ClientsAssigned"
    create = 'mutation { createGroup(name: "Ohne Displays") { ... on ClientGroup { id } } }'
    quiet = graphql(server, create, token=token)["createGroup"]["id"]
    _wait_for_health(server, token, uuids)
    login(page, *SUPERADMIN)

    # Dashboard: the group card's rows and the counters.
    page.goto("/")
    card = page.get_by_test_id(f"group-card-{group}")
    card.get_by_text("Clients (").click()
    for kind, uuid in uuids.items():
        row = page.get_by_test_id(f"client-row-{uuid}")
        expect(row.locator("[data-health]")).to_have_attribute("data-health", EXPECTED[kind])
    expect(page.get_by_test_id("stat-healthy")).to_have_text("1")
    expect(page.get_by_test_id("stat-critical")).to_have_text("3")
    expect(page.get_by_test_id("stat-offline")).to_have_text("1")
    expect(card.get_by_test_id("group-healthy-count")).to_have_text("1/5")
    shot(page, "health-dashboard")

    # The status filter narrows the rows and hides cards with nothing to show, without rebuilding a card.
    empty = page.get_by_test_id(f"group-card-{quiet}")
    expect(empty).to_be_visible()
    card.evaluate("el => { el.dataset.probe = 'kept'; }")
    choices = page.get_by_test_id("dashboard-filter")
    for label, shown in (("Kritisch", {"crashed", "black", "service_failed"}), ("Offline", {"offline"})):
        choices.get_by_text(label).click()
        for kind, uuid in uuids.items():
            row = page.get_by_test_id(f"client-row-{uuid}")
            if kind in shown:
                expect(row).to_be_visible()
            else:
                expect(row).to_be_hidden()
        expect(card).to_contain_text(f"Clients ({len(shown)})")
        expect(empty).to_be_hidden()
    choices.get_by_text("Alle").click()
    for uuid in uuids.values():
        expect(page.get_by_test_id(f"client-row-{uuid}")).to_be_visible()
    expect(card).to_contain_text("Clients (5)")
    expect(empty).to_be_visible()
    expect(card).to_have_attribute("data-probe", "kept")

    # The group board: one card per display, its dot in the status colour.
    page.goto("/groups")
    page.get_by_test_id("view-toggle").get_by_text("Board").click()
    for kind, uuid in uuids.items():
        expect(page.get_by_test_id(f"board-dot-{uuid}")).to_have_attribute("data-health", EXPECTED[kind])
    shot(page, "health-board")

    # Monitoring: the display cards.
    page.goto("/monitoring")
    for kind, uuid in uuids.items():
        badge = page.get_by_test_id(f"mon-client-{uuid}").locator("[data-health]")
        expect(badge).to_have_attribute("data-health", EXPECTED[kind])
    expect(page.get_by_test_id(f"mon-client-{uuids['crashed']}")).to_contain_text("Kritisch")
    shot(page, "health-monitoring")
