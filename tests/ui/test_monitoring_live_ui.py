"""Monitoring stays usable while the fleet reports (#17 points 1, 2, 3, 9 and the seed's "Letzte Analyse").

Simulated displays speak the MQTT contract through the real Mosquitto of `infoscreen run`: the logs dialog
stays open while the page patches itself, unchanged cards are not rebuilt, a silent fleet turns offline on
the page's own clock, a restart is confirmed and followed to its end (an offline display warned and shown
as such), and a log's context and traceback are readable.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Locator, Page, expect

from app.ui.i18n import TEXTS
from tests.support.display import FakeDisplay
from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, login, shot, ui_server
from tests.ui.fleet_sim import Fleet, reporting

GRACE = 12
TRACEBACK = 'Traceback (most recent call last):\n  File "player.py", line 3, in run\nValueError: no slides'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfoscreenProcess]:
    """A short heartbeat grace (silent displays go offline fast) and sweeps every 2 s (command timeouts)."""
    with ui_server(
        tmp_path_factory.mktemp("ui-monitoring-live"), HEARTBEAT_GRACE_PERIOD_DEV=str(GRACE), POLL_INTERVAL_SECONDS="2"
    ) as proc:
        yield proc


@pytest.fixture(scope="module")
def link(server: InfoscreenProcess) -> Iterator[FakeDisplay]:
    display = FakeDisplay(int(server.env["MQTT_BROKER_PORT"])).connect()
    yield display
    display.close()


def _open(page: Page) -> None:
    login(page, *SUPERADMIN)
    page.goto("/monitoring")
    expect(page.get_by_test_id("mon-total")).to_be_visible()


def _probe(locator: Locator) -> None:
    """Mark the element in the DOM: a rebuilt element is a new node without the mark."""
    locator.evaluate("el => el.dataset.probe = 'kept'")


def _log(link: FakeDisplay, uuid: str, message: str, context: dict[str, object] | None = None) -> None:
    body = json.dumps({"message": message, "context": context or {}})
    link.client.publish(f"infoscreen/{uuid}/logs/error", body, qos=1).wait_for_publish(5)


def test_logs_dialog_stays_open_and_unchanged_cards_are_not_rebuilt(page: Page, link: FakeDisplay) -> None:
    fleet = Fleet(link, "live").announce(6)
    noisy, steady = fleet.uuids[0], fleet.uuids[1]
    _log(link, noisy, "player died", {"port": 1, "traceback": TRACEBACK, "slides": ["a.pdf", "b.pdf"]})
    with reporting(fleet, every=1.0):
        _open(page)
        expect(page.get_by_test_id("mon-total")).to_have_text("6")
        expect(page.get_by_test_id(f"mon-client-{noisy}")).to_contain_text("player died")
        steady_card = page.get_by_test_id(f"mon-client-{steady}")
        _probe(steady_card)
        _probe(page.get_by_test_id("mon-metric-total"))

        page.get_by_test_id(f"logs-{noisy}").click()
        dialog = page.get_by_test_id("logs-dialog")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_test_id("logs-table")).to_contain_text("player died")
        # The fleet keeps reporting and logging: the page shows it (error count, newest error) under the dialog.
        for n in range(1, 6):
            _log(link, noisy, f"still failing {n}")
            time.sleep(1)
        expect(page.get_by_test_id(f"mon-client-{noisy}")).to_contain_text("still failing 5")
        expect(page.get_by_test_id("mon-error-logs")).to_have_text("6")
        expect(dialog).to_be_visible()
        shot(page, "monitoring-logs-dialog-live")

        # Point 9: the context as indented JSON, the traceback with its real line breaks, in a scrolling block.
        dialog.get_by_test_id("logs-table").get_by_text("player died").click()
        detail = page.get_by_test_id("log-detail")
        expect(detail).to_be_visible()
        context = detail.get_by_test_id("log-context").inner_text()
        assert '\n  "port": 1,' in context, context
        assert '"slides": [\n    "a.pdf",' in context, context
        traceback = detail.get_by_test_id("log-context-text")
        assert traceback.inner_text() == TRACEBACK
        style = traceback.evaluate("el => [getComputedStyle(el).whiteSpace, getComputedStyle(el).overflowY]")
        assert style == ["pre-wrap", "auto"], style
        assert "monospace" in traceback.evaluate("el => getComputedStyle(el).fontFamily")
        shot(page, "monitoring-log-detail")
        detail.get_by_role("button", name="Schließen").click()
        expect(detail).to_have_count(0)
        expect(dialog).to_be_visible()
        # Point 12: the display's logs as CSV, the traceback intact in its cell.
        with page.expect_download() as download_info:
            dialog.get_by_test_id("logs-csv").click()
        download = download_info.value
        assert download.suggested_filename.startswith(f"logs-{fleet.hostname(0)}-")
        exported = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8-sig")), delimiter=";"))
        assert exported[0] == ["time_utc", "level", "message", "context"]
        messages = [row[2] for row in exported[1:]]
        assert messages[0] == "still failing 5" and "player died" in messages, messages
        died = next(row for row in exported[1:] if row[2] == "player died")
        assert died[1] == "ERROR" and died[0].endswith("Z")
        assert json.loads(died[3])["traceback"] == TRACEBACK
        page.get_by_test_id("logs-close").click()
        expect(dialog).to_have_count(0)
        # The dialog is built once per page and reused: another display's logs carry its name, never the rows
        # of the display shown before.
        page.get_by_test_id(f"logs-{steady}").click()
        expect(dialog).to_contain_text(fleet.hostname(1))
        expect(dialog.get_by_test_id("logs-table")).to_contain_text(TEXTS["common.empty"][0])
        expect(dialog.get_by_test_id("logs-table")).not_to_contain_text("player died")
        page.get_by_test_id("logs-close").click()
        expect(dialog).to_have_count(0)

        # Ages ticked, but the steady card and the unchanged summary were patched, not rebuilt.
        expect(steady_card).to_have_attribute("data-probe", "kept")
        expect(page.get_by_test_id("mon-metric-total")).to_have_attribute("data-probe", "kept")
        # The seed's card facts, "Letzte Analyse" among them.
        for fact in ("Bildschirmstatus", "MQTT Reconnects", "Letzte Analyse"):
            expect(steady_card).to_contain_text(fact)
        expect(page.get_by_test_id(f"mon-fact-analysis-{steady}")).to_be_visible()


@contextmanager
def crashed_display(server: InfoscreenProcess, hostname: str) -> Iterator[FakeDisplay]:
    """A display that is connected and beating, but whose player crashed."""
    display = FakeDisplay(int(server.env["MQTT_BROKER_PORT"])).connect()
    display.subscribe("infoscreen/{uuid}/commands")
    display.publish("infoscreen/discovery", {"uuid": display.uuid, "hostname": hostname, "ip": "10.9.9.1"})
    stop = threading.Event()

    def beat() -> None:
        while True:
            display.publish("infoscreen/{uuid}/heartbeat", {"process_status": "crashed"}, qos=0)
            if stop.wait(2):
                return

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield display
    finally:
        stop.set()
        thread.join(10)
        display.close()


def test_restart_is_confirmed_followed_and_an_offline_display_is_warned(
    page: Page, server: InfoscreenProcess, link: FakeDisplay
) -> None:
    gone = Fleet(link, "gone").announce(1).uuids[0]  # one heartbeat, then silence: stale after the grace
    with crashed_display(server, "crash-01") as display:
        _open(page)
        panel = page.get_by_test_id("crashed-panel")
        expect(panel.get_by_test_id(f"crash-restart-{display.uuid}")).to_be_visible()
        expect(panel.get_by_test_id(f"crash-restart-{gone}")).to_be_visible(timeout=(GRACE + 30) * 1000)

        # A crashed but connected display: confirmation without a warning, then followed to "Abgeschlossen".
        panel.get_by_test_id(f"crash-restart-{display.uuid}").click()
        dialog = page.get_by_test_id("restart-dialog")
        expect(dialog).to_contain_text("crash-01 neu starten?")
        expect(dialog.get_by_test_id("restart-offline-warning")).to_have_count(0)
        page.get_by_test_id("restart-confirm").click()
        command = display.expect("infoscreen/{uuid}/commands").json()
        assert command["action"] == "reboot_host"
        assert command["reason"] == "process_crashed"  # the code, not the badge's words
        row = page.get_by_test_id(f"restart-row-{display.uuid}")
        expect(row).to_be_visible()
        expect(panel.get_by_test_id(f"crash-restart-{display.uuid}")).to_be_disabled()
        for status in ("accepted", "execution_started", "completed"):
            display.publish("infoscreen/{uuid}/commands/ack", {"command_id": command["command_id"], "status": status})
        expect(row).to_have_attribute("data-status", "completed")
        expect(row).to_contain_text("Abgeschlossen")
        expect(row.get_by_test_id("restart-offline")).to_have_count(0)

        # An offline display: warned before sending, marked as such, and its real end shown (no ACK comes).
        panel.get_by_test_id(f"crash-restart-{gone}").click()
        expect(dialog.get_by_test_id("restart-offline-warning")).to_contain_text("offline")
        expect(page.get_by_test_id("restart-confirm")).to_have_text("Trotzdem senden")
        page.get_by_test_id("restart-confirm").click()
        offline_row = page.get_by_test_id(f"restart-row-{gone}")
        expect(offline_row.get_by_test_id("restart-offline")).to_be_visible()
        expect(offline_row).to_have_attribute("data-status", "published")
        expect(offline_row).to_have_attribute("data-status", "timed_out", timeout=60_000)
        expect(offline_row).to_contain_text("Zeitüberschreitung")
        expect(offline_row).to_contain_text("ack_timeout")
        shot(page, "monitoring-restarts")


def test_a_silent_fleet_turns_offline_without_a_reload(page: Page, link: FakeDisplay) -> None:
    fleet = Fleet(link, "quiet").announce(4)
    with reporting(fleet, every=1.0):
        _open(page)
        for uuid in fleet.uuids:
            expect(page.get_by_test_id(f"mon-client-{uuid}").locator("[data-health]")).not_to_have_attribute(
                "data-health", "OFFLINE"
            )
    # Every display falls silent (as in a broker outage): nothing reports, the page's own clock notices.
    for uuid in fleet.uuids:
        badge = page.get_by_test_id(f"mon-client-{uuid}").locator("[data-health]")
        expect(badge).to_have_attribute("data-health", "OFFLINE", timeout=(GRACE + 30) * 1000)
    expect(page.get_by_test_id("mon-offline")).not_to_have_text("0")
    page.get_by_test_id("mon-filter-offline").click()
    expect(page.get_by_test_id(f"mon-client-{fleet.uuids[0]}")).to_contain_text("quiet-000")


GERMAN_WORDS = (
    "Zuletzt aktiv",
    "Gesund",
    "Warnung",
    "Kritisch",
    "Bildschirmstatus",
    "Letzte Analyse",
    "Letzter Disconnect",
    "Prozessstatus",
    "Nicht zugeordnet",
    "Abgestürzt",
    "Neustart",
    "Zeitraum",
    "Aktualisieren",
    "Alle",
    " von ",
    "läuft",
    "Unbekannt",
    "Infoscreens",
    "Termin",
    "Ferien",
    "Periode",
)


def _no_german(text: str) -> None:
    found = [word for word in GERMAN_WORDS if word in text]
    assert not found, (found, text)


def test_monitoring_and_dashboard_speak_english(page: Page, link: FakeDisplay) -> None:
    fleet = Fleet(link, "english").announce(2)
    _log(link, fleet.uuids[0], "screen lost", {"port": 2})
    crashed = json.dumps({"process_status": "crashed"})
    link.client.publish(f"infoscreen/{fleet.uuids[1]}/heartbeat", crashed, qos=1).wait_for_publish(5)
    login(page, *SUPERADMIN)
    page.goto("/profile")
    page.get_by_test_id("profile-language").get_by_text("English").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Profile")
    try:
        page.goto("/monitoring")
        expect(page.get_by_test_id("page-title")).to_have_text("Monitoring")
        card = page.get_by_test_id(f"mon-client-{fleet.uuids[0]}")
        for words in ("Last alive", "Screen status", "Last analysis", "Process status", "running", "Unassigned"):
            expect(card).to_contain_text(words)
        expect(page.get_by_test_id("mon-metric-healthy")).to_contain_text("Healthy")
        expect(page.get_by_test_id("mon-range")).to_contain_text(" of ")
        _no_german(page.get_by_role("main").inner_text())

        page.get_by_test_id(f"logs-{fleet.uuids[0]}").click()
        dialog = page.get_by_test_id("logs-dialog")
        expect(dialog).to_contain_text("Click a row for details")
        expect(page.get_by_test_id("logs-close")).to_have_attribute("aria-label", "Close")
        dialog.get_by_text("screen lost").click()
        expect(page.get_by_test_id("log-detail")).to_contain_text("Context")
        page.get_by_test_id("log-detail").get_by_role("button", name="Close").click()
        page.get_by_test_id("logs-close").click()

        page.get_by_test_id("crashed-panel").get_by_test_id(f"crash-restart-{fleet.uuids[1]}").click()
        restart = page.get_by_test_id("restart-dialog")
        expect(restart).to_contain_text("Restart english-001?")
        expect(page.get_by_test_id("restart-cancel")).to_have_text("Cancel")
        _no_german(restart.inner_text())
        page.get_by_test_id("restart-cancel").click()
        shot(page, "monitoring-english")

        page.goto("/")
        expect(page.get_by_test_id("page-title")).to_have_text("Dashboard")
        expect(page.get_by_test_id("group-card-unassigned")).to_contain_text("Unassigned")
        expect(page.get_by_test_id("period-banner")).to_contain_text("Active period")
        expect(page.get_by_test_id("dashboard-filter")).to_have_attribute("aria-label", "Filter by status")
        _no_german(page.get_by_role("main").inner_text())
        shot(page, "dashboard-english")
    finally:
        page.goto("/profile")
        page.get_by_test_id("profile-language").get_by_text("Deutsch").click()
        expect(page.get_by_test_id("page-title")).to_have_text("Profil")
