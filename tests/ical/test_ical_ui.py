"""The iCalendar parts of the dashboard in a real browser: Einstellungen subscribes to a holiday feed served by
a real local HTTP server and shows its status (also when the feed breaks); Termine's download button serves a
valid ICS of the shown group, and its dialog creates a subscription address that works until revoked."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import icalendar
import pytest
from playwright.sync_api import Page, expect

from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, admin_token, graphql, login, shot

# Holidays of the school year the bootstrap activates for today (Schuljahr 2026/27).
FEED = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Schulferien//Wien 2026/27//DE\r
BEGIN:VEVENT\r
UID:weihnachten-2026@schulferien.example\r
DTSTAMP:20260601T080000Z\r
DTSTART;VALUE=DATE:20261224\r
DTEND;VALUE=DATE:20270107\r
SUMMARY:Weihnachtsferien\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:semester-2027@schulferien.example\r
DTSTAMP:20260601T080000Z\r
DTSTART;VALUE=DATE:20270201\r
DTEND;VALUE=DATE:20270207\r
SUMMARY:Semesterferien\r
END:VEVENT\r
END:VCALENDAR\r
"""


class _Feed(BaseHTTPRequestHandler):
    mode = "ok"

    def do_GET(self) -> None:
        if type(self).mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("ETag", '"wien-2026"')
        self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        self.wfile.write(FEED)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def feed_url() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Feed.mode = "ok"
    yield f"http://127.0.0.1:{httpd.server_address[1]}/ferien.ics"
    httpd.shutdown()
    httpd.server_close()


def test_settings_subscribes_to_a_holiday_feed_and_shows_its_status(page: Page, feed_url: str) -> None:
    login(page, *SUPERADMIN)
    page.goto("/settings?focus=holiday-feeds")
    expect(page.get_by_test_id("sub-url")).to_be_visible()
    page.get_by_test_id("sub-url").fill(feed_url)
    page.get_by_test_id("sub-add").click()
    row = page.locator("[data-testid^=sub-]").filter(has_text=feed_url).first
    expect(row).to_contain_text("2 Ferien")
    badge = row.locator("[data-testid^=sub-status-]")
    expect(badge).to_have_text("OK")
    shot(page, "settings-holiday-feeds")

    # The feed breaks: the error is shown on the subscription, its holidays stay.
    _Feed.mode = "error"
    row.locator("[data-testid^=sub-refresh-]").click()
    expect(badge).to_contain_text("Fehler (HTTP 500)")
    expect(row.locator("[data-testid^=sub-error-]")).to_contain_text("HTTP 500")
    expect(row).to_contain_text("2 Ferien")

    # The holidays it brought are listed under Ferien, marked as coming from a feed.
    page.goto("/settings?focus=holidays")
    expect(page.get_by_text("Weihnachtsferien")).to_be_visible()
    expect(page.get_by_text("Semesterferien")).to_be_visible()


def _group_with_event(server: InfoscreenProcess) -> int:
    token = admin_token(server)
    data = graphql(
        server,
        "mutation($n: String!) { createGroup(name: $n) { __typename ... on ClientGroup { id } } }",
        {"n": "Bibliothek"},
        token,
    )
    group = int(data["createGroup"]["id"])
    created = graphql(
        server,
        "mutation($i: EventInput!) { createEvent(input: $i) { __typename ... on Error { message } } }",
        {"i": {"groupId": group, "title": "Lesestunde", "eventType": "MESSAGE", "messageText": "Leise bitte",
               "start": "2026-12-07T09:00:00Z", "end": "2026-12-07T10:00:00Z",
               "recurrenceRule": "FREQ=WEEKLY;COUNT=10"}},
        token,
    )  # fmt: skip
    assert created["createEvent"]["__typename"] == "Event", created
    return group


def test_calendar_downloads_the_groups_ics_and_creates_a_subscription_address(
    page: Page, server: InfoscreenProcess, tmp_path: Path
) -> None:
    group = _group_with_event(server)
    login(page, *SUPERADMIN)
    page.get_by_test_id("nav-calendar").click()
    page.get_by_test_id("cal-group").click()
    page.get_by_role("option", name="Bibliothek", exact=True).click()

    with page.expect_download() as info:
        page.get_by_test_id("cal-ics-download").click()
    target = tmp_path / "feed.ics"
    info.value.save_as(target)
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == ["Lesestunde"]
    assert "RRULE" in events[0] and [tz.tz_name for tz in calendar.timezones] == ["Europe/Vienna"]

    page.get_by_test_id("cal-ics-subscribe").click()
    dialog = page.get_by_test_id("ics-dialog")
    expect(dialog).to_be_visible()
    page.get_by_test_id("ics-label").fill("Outlook Bibliothek")
    page.get_by_test_id("ics-create").click()
    url_field = page.get_by_test_id("ics-url")
    expect(url_field).not_to_have_value("")
    url = url_field.input_value()
    assert url.startswith(f"{server.base_url}/ical/groups/{group}.ics?token=isc_")
    subscribed = httpx.get(url, timeout=30)  # as a calendar app would: no login, only the address
    assert subscribed.status_code == 200
    assert "Lesestunde" in subscribed.text
    expect(dialog).to_contain_text("Outlook Bibliothek")
    shot(page, "calendar-ics-dialog")

    dialog.locator("[data-testid^=ics-revoke-]").first.click()
    expect(dialog.locator("[data-testid^=ics-token-]")).to_have_count(0)
    assert httpx.get(url, timeout=30).status_code == 404
