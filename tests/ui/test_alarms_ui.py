"""The Alarme page and the header badge in a real browser against a real `infoscreen run`: a display that
announced itself and then stays silent raises DISPLAY_OFFLINE (evaluated by the server's own sweep leader),
the open page and the badge show it live, and an admin acknowledges it with a note; the page in English."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.support.display import FakeDisplay
from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, admin_token, graphql, login, shot

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

# The sweep leader evaluates once at start and then every minute.
ALARM_WAIT_MS = 150_000
SET = "mutation($k: String!, $v: String!) { setSystemSetting(key: $k, value: $v) { __typename } }"
WATCH_ALWAYS = {"alarm_operating_hours": "00:00-24:00", "alarm_operating_days": "1-7", "alarm_raise_delay_minutes": "0"}


@pytest.fixture
def silent_display(server: InfoscreenProcess) -> Iterator[str]:
    token = admin_token(server)
    for key, value in WATCH_ALWAYS.items():
        graphql(server, SET, {"k": key, "v": value}, token=token)
    display = FakeDisplay(int(server.env["MQTT_BROKER_PORT"])).connect()
    display.publish("infoscreen/discovery", {"uuid": display.uuid, "hostname": "alarm-foyer"})
    query = "query($u: String!) { client(uuid: $u) { uuid } }"
    deadline = time.monotonic() + 30
    while not graphql(server, query, {"u": display.uuid}, token=token)["client"]:
        assert time.monotonic() < deadline, "the display was never registered"
        time.sleep(0.3)
    yield display.uuid
    display.close()


@pytest.fixture
def crashed_display(server: InfoscreenProcess) -> Iterator[str]:
    """A display that keeps reporting a crashed player and a black screen (heartbeats every 5 s)."""
    display = FakeDisplay(int(server.env["MQTT_BROKER_PORT"])).connect()
    display.publish("infoscreen/discovery", {"uuid": display.uuid, "hostname": "alarm-aula"})
    stop = threading.Event()

    def keep_reporting() -> None:
        while not stop.is_set():
            display.publish("infoscreen/{uuid}/heartbeat", {"process_status": "crashed"})
            health = {"process": "player", "status": "crashed"}
            display.publish(
                "infoscreen/{uuid}/health",
                {"actual_state": health, "health_metrics": {"screen_health_status": "BLACK"}},
            )
            stop.wait(5)

    reporter = threading.Thread(target=keep_reporting, daemon=True)
    reporter.start()
    yield display.uuid
    stop.set()
    reporter.join(10)
    display.close()


def test_a_silent_display_raises_an_alarm_that_is_acknowledged_with_a_note(
    page: Page, silent_display: str, crashed_display: str
) -> None:
    login(page, *SUPERADMIN)
    page.get_by_test_id("nav-alarms").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Alarme")
    # Raised while the page is open: the row and the badge arrive live.
    row = page.get_by_test_id("alarm-row").filter(has_text="alarm-foyer")
    expect(row).to_have_attribute("data-state", "ACTIVE", timeout=ALARM_WAIT_MS)
    expect(row).to_have_attribute("data-kind", "DISPLAY_OFFLINE")
    expect(row.get_by_test_id("alarm-title")).to_have_text("Display offline – alarm-foyer")
    # The crashed player with a black screen: DISPLAY_CRITICAL naming both reasons.
    critical = page.get_by_test_id("alarm-row").filter(has_text="alarm-aula")
    expect(critical).to_have_attribute("data-kind", "DISPLAY_CRITICAL", timeout=ALARM_WAIT_MS)
    expect(critical.get_by_test_id("alarm-title")).to_have_text("Display gestört – alarm-aula")
    expect(critical.get_by_test_id("alarm-detail")).to_have_text("Gründe: Player abgestürzt, Bildschirm schwarz")
    badge = page.get_by_test_id("alarm-badge")
    expect(badge.get_by_test_id("alarm-badge-count")).to_have_text("2")
    expect(badge).to_have_attribute("aria-label", "Alarme: 2 aktiv, 0 quittiert")
    shot(page, "alarms-active")

    row.get_by_test_id("alarm-ack").click()
    page.get_by_test_id("alarm-ack-note").fill("Hausmeister prüft das Netzteil")
    page.get_by_test_id("alarm-ack-save").click()
    expect(row).to_have_attribute("data-state", "ACKNOWLEDGED")
    expect(row.get_by_test_id("alarm-note")).to_have_text("Notiz: Hausmeister prüft das Netzteil")
    expect(row.get_by_test_id("alarm-ack")).to_have_count(0)
    expect(badge.get_by_test_id("alarm-badge-count")).to_have_text("1")
    expect(badge).to_have_attribute("aria-label", "Alarme: 1 aktiv, 1 quittiert")
    critical.get_by_test_id("alarm-ack").click()  # without a note
    page.get_by_test_id("alarm-ack-save").click()
    expect(critical).to_have_attribute("data-state", "ACKNOWLEDGED")
    expect(critical.get_by_test_id("alarm-note")).to_have_count(0)
    expect(badge.get_by_test_id("alarm-badge-count")).to_be_hidden()
    expect(badge).to_have_attribute("aria-label", "Alarme: 0 aktiv, 2 quittiert")

    # Filters: no COMMAND_FAILED alarms; the acknowledged one under its state.
    page.get_by_test_id("alarms-filter-kind").click()
    page.get_by_role("option", name="Befehl fehlgeschlagen").click()
    expect(page.get_by_test_id("alarms-empty")).to_be_visible()
    page.get_by_test_id("alarms-filter-kind").click()
    page.get_by_role("option", name="Alle Arten").click()
    page.get_by_test_id("alarms-filter-state").click()
    page.get_by_role("option", name="Quittiert").click()
    expect(page.get_by_test_id("alarm-row")).to_have_count(2)

    # Wartung bis …: every display until a given time (school time), listed, then ended.
    page.get_by_test_id("maintenance").click()
    page.get_by_test_id("maintenance-until").fill("2030-06-01T18:00")
    page.get_by_test_id("maintenance-set").click()
    expect(page.get_by_test_id("maintenance-window")).to_have_text(
        re.compile(r"^Alle Displays: Wartung bis 01\.06\.2030 18:00")
    )
    page.get_by_test_id("maintenance-end").click()
    expect(page.get_by_test_id("maintenance-window")).to_have_count(0)
    expect(page.get_by_text("Keine Wartung aktiv.")).to_be_visible()

    # The badge is on every page and links to the Alarme page.
    page.goto("/audit")
    expect(page.get_by_test_id("alarm-badge")).to_have_attribute("href", "/alarms")
    page.goto("/profile")
    page.get_by_test_id("profile-language").get_by_text("English").click()
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^en\b"))
    page.get_by_test_id("alarm-badge").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Alarms")
    english = page.get_by_test_id("alarm-row").filter(has_text="alarm-foyer")
    expect(english.get_by_test_id("alarm-state")).to_have_text("Acknowledged")
    expect(english.get_by_test_id("alarm-note")).to_have_text("Note: Hausmeister prüft das Netzteil")
    expect(page.get_by_test_id("alarm-row").filter(has_text="alarm-aula").get_by_test_id("alarm-detail")).to_have_text(
        "Reasons: player crashed, screen black"
    )
    shot(page, "alarms-acknowledged-en")
    page.goto("/profile")
    page.get_by_test_id("profile-language").get_by_text("Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
