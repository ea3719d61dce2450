"""A small version of bench/ui_live.py: Raumgruppen while 50 displays report at the contract's health rate.

The page redraws at most about once per 2 s while nobody clicks, shows a crashed player and a silent
display without a reload, and answers a click (speed targets are the bench's; here only that it happens).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.support.process import InfoscreenProcess
from tests.ui import live_probe
from tests.ui.conftest import SUPERADMIN, TIMEOUT_MS, admin_token, graphql, login, ui_server
from tests.ui.fleet_rates import RateFleet, make_displays

GRACE = 12
WINDOW_SECONDS = 10
# Heartbeats faster than the contract's 65 s so that a short grace period (a silent display turns offline
# within the test) does not make the others flap.
PERIODS = {"heartbeat": 4.0, "health": 5.0}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfoscreenProcess]:
    with ui_server(tmp_path_factory.mktemp("live-smoke"), HEARTBEAT_GRACE_PERIOD_DEV=str(GRACE)) as proc:
        yield proc


def _registered(server: InfoscreenProcess, token: str, uuids: set[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if uuids <= {c["uuid"] for c in graphql(server, "query { clients { uuid } }", token=token)["clients"]}:
            return
        time.sleep(0.5)
    raise AssertionError("the server did not register every simulated display")


@pytest.mark.slow
def test_raumgruppen_stays_calm_shows_changes_and_answers_clicks_while_50_displays_report(
    browser: Browser, live_server: InfoscreenProcess
) -> None:
    token = admin_token(live_server)
    displays = make_displays(50, targets=("crash", "silent"))
    uuids = {hostname[3:]: uuid for uuid, hostname in displays if hostname.startswith("aa-")}
    group = graphql(live_server, 'mutation { createGroup(name: "Aula") { ... on ClientGroup { id } } }', token=token)[
        "createGroup"
    ]["id"]
    context = browser.new_context(base_url=live_server.base_url, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    live_probe.install(page)
    port = int(live_server.env["MQTT_BROKER_PORT"])
    try:
        with RateFleet(port, displays, periods=PERIODS) as fleet:
            _registered(live_server, token, {u for u, _ in displays})
            login(page, *SUPERADMIN)
            page.goto("/groups")
            expect(page.get_by_test_id(f"client-details-{uuids['crash']}")).to_be_visible()
            live_probe.expect_health(page, "silent", uuids["silent"], "OFFLINE")
            fleet.silence(uuids["silent"])

            live_probe.watch(page)
            page.wait_for_timeout(WINDOW_SECONDS * 1000)
            seen = live_probe.redraws(page)
            # Every display reported several times meanwhile; the page redrew at most about once per 2 s.
            assert seen["redraws"] <= seen["seconds"] / 2 + 2 and seen["reloads"] == 0, seen

            live_probe.expect_health(page, "crash", uuids["crash"], "CRITICAL")
            fleet.crash(uuids["crash"])
            assert live_probe.seen_at(page, "crash", 20) is not None, "the crashed player never showed as critical"
            assert live_probe.seen_at(page, "silent", GRACE + 20) is not None, "the silent display never went offline"

            ms = live_probe.timed_click(
                page,
                f"document.querySelector('[data-testid=\"group-rename-{group}\"]')",
                "document.querySelector('[data-testid=\"group-name\"]')",
                timeout_ms=10_000,
            )
            assert ms is not None, "the rename dialog never opened"
    finally:
        context.close()
