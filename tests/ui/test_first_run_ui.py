"""First run in a real browser (#17 point 11): on a fresh server the first dashboard says to create a room group
and where new displays will appear, in German and in English; the server's own connection to its embedded
broker is not logged as an error (the MQTT 5 → 3.1.1 fallback is an INFO line)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from app.ui.i18n import TEXTS
from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, login, shot


def test_the_first_dashboard_says_to_create_a_group_in_both_languages(page: Page, server: InfoscreenProcess) -> None:
    german, english = TEXTS["first_run.create_group"]
    login(page, *SUPERADMIN)
    page.goto("/")
    expect(page.get_by_test_id("page-title")).to_be_visible()
    expect(page.get_by_text(german)).to_be_visible()
    shot(page, "first-run-dashboard")

    page.get_by_test_id("user-menu").click()
    page.get_by_text(TEXTS["menu.language"][0]).click()
    expect(page.locator("html")).to_have_attribute("lang", "en-US")
    expect(page.get_by_text(english)).to_be_visible()
    page.get_by_test_id("user-menu").click()
    page.get_by_text(TEXTS["menu.language"][1]).click()  # back to German for the other tests of this server
    expect(page.locator("html")).to_have_attribute("lang", "de")

    log = server.log()
    assert "event=mqtt_connected" in log  # to its own embedded broker
    # MQTT 5 against the embedded 3.1.1 broker is an expected fallback, said once at INFO, not an error.
    about_mqtt = [line for line in log.splitlines() if "mqtt" in line.lower() or "broker" in line.lower()]
    alarming = [line for line in about_mqtt if " ERROR " in line or " WARNING " in line]
    assert not alarming, "\n".join(alarming[:10])
