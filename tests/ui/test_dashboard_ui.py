"""Fleet pages in a real browser: a simulated display comes online live, is commanded and acknowledged."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from app.ui.widgets import COMMAND_STATUS
from tests.support.display import FakeDisplay
from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, admin_token, graphql, login, shot

COMMANDS = "infoscreen/{uuid}/commands"
ACK = "infoscreen/{uuid}/commands/ack"


@pytest.fixture
def display(server: InfoscreenProcess) -> Iterator[FakeDisplay]:
    fake = FakeDisplay(int(server.env["MQTT_BROKER_PORT"])).connect()
    yield fake
    fake.close()


def _discover(display: FakeDisplay, hostname: str) -> None:
    display.publish(
        "infoscreen/discovery",
        {"uuid": display.uuid, "hostname": hostname, "ip": "10.0.0.17", "software_version": "2.4.1"},
    )
    display.publish("infoscreen/{uuid}/heartbeat", {"process_status": "running"})


def test_a_display_comes_online_live_is_grouped_and_restarted_with_a_tracked_command(
    page: Page, server: InfoscreenProcess, display: FakeDisplay
) -> None:
    login(page, *SUPERADMIN)
    expect(page.get_by_test_id("page-title")).to_have_text("Dashboard")
    total_before = int(page.get_by_test_id("stat-total").inner_text())

    display.subscribe(COMMANDS)
    _discover(display, "raum-101")
    # No reload: the card and the counters follow clientUpdated.
    expect(page.get_by_test_id("stat-total")).to_have_text(str(total_before + 1))
    card = page.get_by_test_id("group-card-unassigned")
    card.get_by_text("Clients (").click()
    # Its health as every page shows it: alive, player running, screen state not yet reported → "Warnung".
    expect(page.get_by_test_id(f"client-row-{display.uuid}")).to_contain_text("Warnung")
    expect(page.get_by_test_id(f"client-row-{display.uuid}")).to_contain_text("raum-101")
    shot(page, "dashboard-live-display")

    token = admin_token(server)
    group = graphql(
        server,
        'mutation { createGroup(name: "Physiksaal") { ... on ClientGroup { id } } }',
        token=token,
    )["createGroup"]

    page.get_by_test_id("nav-groups").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Raumgruppen & Clients")
    table = page.get_by_test_id("clients-table")
    row = table.locator("tr", has_text="raum-101")
    row.locator(".q-checkbox").click()
    page.get_by_test_id("assign-target").click()
    page.get_by_role("option", name="Physiksaal").click()
    page.get_by_test_id("assign-submit").click()
    expect(row).to_contain_text("Physiksaal")

    page.get_by_test_id(f"client-details-{display.uuid}").click()
    # This server runs without MQTT_DYNSEC_ENABLED: no broker-access controls that could only fail.
    expect(page.get_by_test_id("client-restart")).to_be_visible()
    expect(page.get_by_test_id("broker-panel")).to_have_count(0)
    expect(page.get_by_test_id("filter-pending")).to_have_count(0)
    page.get_by_test_id("client-restart").click()
    page.get_by_test_id("command-reason").fill("Bild eingefroren")
    page.get_by_test_id("command-confirm").click()
    message = json.loads(display.expect(COMMANDS).payload)
    command_id = message["command_id"]
    expect(page.get_by_test_id(f"command-{command_id}")).to_contain_text("Gesendet")
    # The display acknowledges and reports progress: the dialog follows commandUpdated live.
    for status in ("accepted", "execution_started"):
        display.publish(ACK, {"command_id": command_id, "status": status, "error_code": None, "error_message": None})
    expect(page.get_by_test_id(f"command-{command_id}")).to_contain_text(
        re.compile("Wird ausgeführt|Warte auf Neuverbindung")
    )
    # The display is back after its reboot and says so: the dialog shows the command completed, live.
    display.publish(ACK, {"command_id": command_id, "status": "completed", "error_code": None, "error_message": None})
    done = page.get_by_test_id(f"command-{command_id}")
    expect(done).to_contain_text(COMMAND_STATUS["completed"][0])
    expect(done.locator("[data-status]")).to_have_attribute("data-status", "completed")
    shot(page, "groups-command-lifecycle")
    assert group["id"]


def test_monitoring_acknowledges_a_service_failure(page: Page, display: FakeDisplay) -> None:
    _discover(display, "raum-202")
    display.publish(
        "infoscreen/{uuid}/service_failed",
        {"event": "service_failed", "unit": "infoscreen-display.service", "failed_at": "2026-01-01T08:00:00Z"},
        retain=True,
    )
    login(page, *SUPERADMIN)
    page.goto("/monitoring")
    panel = page.get_by_test_id("service-failed-panel")
    expect(panel).to_contain_text("raum-202")
    expect(panel).to_contain_text("infoscreen-display.service")
    shot(page, "monitoring-service-failed")
    panel.get_by_test_id(f"acknowledge-{display.uuid}").click()
    expect(panel.get_by_test_id(f"acknowledge-{display.uuid}")).to_have_count(0)


def test_the_board_moves_a_display_to_another_group_by_drag_and_drop(
    page: Page, server: InfoscreenProcess, display: FakeDisplay
) -> None:
    token = admin_token(server)
    create = "mutation($n: String!) { createGroup(name: $n) { ... on ClientGroup { id } } }"
    library = graphql(server, create, {"n": "Bibliothek"}, token=token)["createGroup"]["id"]
    _discover(display, "raum-404")
    login(page, *SUPERADMIN)
    page.goto("/groups")
    page.get_by_test_id("view-toggle").get_by_text("Board").click()
    card = page.get_by_test_id(f"board-card-{display.uuid}")
    expect(page.get_by_test_id("board-column-none").get_by_test_id(f"board-card-{display.uuid}")).to_be_visible()
    expect(card).to_contain_text("raum-404")
    expect(card.get_by_test_id(f"board-dot-{display.uuid}")).to_have_attribute("data-alive", "True")
    # A second admin tab on the board sees the move live (clientUpdated).
    watcher = page.context.new_page()
    watcher.goto("/groups")
    watcher.get_by_test_id("view-toggle").get_by_text("Board").click()
    expect(watcher.get_by_test_id("board-column-none").get_by_test_id(f"board-card-{display.uuid}")).to_be_visible()

    # A group created elsewhere (here: over the API) becomes a column without a reload.
    graphql(server, create, {"n": "Aula"}, token=token)
    expect(page.locator("[data-testid^=board-column-]", has_text="Aula")).to_have_count(1)
    expect(page.locator("[data-testid^=board-column-]").last).to_contain_text("Nicht zugeordnet")

    card.drag_to(page.get_by_test_id(f"board-column-{library}"))
    moved = page.get_by_test_id(f"board-column-{library}").get_by_test_id(f"board-card-{display.uuid}")
    expect(moved).to_be_visible()
    expect(page.get_by_test_id("board-column-none").get_by_test_id(f"board-card-{display.uuid}")).to_have_count(0)
    expect(
        watcher.get_by_test_id(f"board-column-{library}").get_by_test_id(f"board-card-{display.uuid}")
    ).to_be_visible()
    query = "query($u: String!) { client(uuid: $u) { groupId } }"
    assert graphql(server, query, {"u": display.uuid}, token=token)["client"]["groupId"] == library
    shot(page, "groups-board")

    # Back to "Nicht zugeordnet", the last column.
    moved.drag_to(page.get_by_test_id("board-column-none"))
    expect(page.get_by_test_id("board-column-none").get_by_test_id(f"board-card-{display.uuid}")).to_be_visible()
    assert graphql(server, query, {"u": display.uuid}, token=token)["client"]["groupId"] is None
    watcher.close()
