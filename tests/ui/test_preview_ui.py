"""Vorschau in a real browser: a daily series and a holiday in one room show as on/off segments of the week
on the vis-timeline, with the "Jetzt" line; a segment clicked (and one reached by keyboard) opens exactly the
payload `displayPayloadAt` gives a display; rooms can be chosen; a change made elsewhere shows live; the page
renders in English; and all of it with every non-loopback request blocked (the timeline is vendored). A school
of 40 rooms shows every room on both timelines (more rooms than the schema allows aliases in one request)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, admin_token, graphql, login, shot
from tests.ui.test_calendar_fullcalendar import _at, _block_outside, _event
from tests.ui.test_calendar_ui import SCHOOL_TZ, _new_group


def _holiday(server: InfoscreenProcess, token: str, day: date) -> int:
    """A one-day holiday in the active period; returns the period's id."""
    period = graphql(server, "query { activeAcademicPeriod { id } }", token=token)["activeAcademicPeriod"]
    result = graphql(
        server,
        "mutation($p: Int!, $i: SchoolHolidayInput!) { createHoliday(academicPeriodId: $p, input: $i) "
        "{ __typename ... on Error { message } } }",
        {"p": period["id"], "i": {"name": "Vorschauferien", "startDate": day.isoformat(), "endDate": day.isoformat()}},
        token,
    )
    assert result["createHoliday"]["__typename"] == "SchoolHoliday", result
    return int(period["id"])


def _payload(server: InfoscreenProcess, token: str, group: int, at: datetime) -> dict[str, Any]:
    return graphql(
        server,
        "query($g: Int!, $at: DateTime!) { displayPayloadAt(groupId: $g, at: $at) { eventList powerIntent } }",
        {"g": group, "at": at.isoformat()},
        token,
    )["displayPayloadAt"]


def _json(block: Locator) -> Any:
    return json.loads(block.locator("pre, code").first.inner_text())


def test_preview_shows_segments_now_line_and_the_payload_a_display_receives(
    page: Page, server: InfoscreenProcess
) -> None:
    blocked = _block_outside(page.context)
    token = admin_token(server)
    room = _new_group(server, token, "Vorschauraum")
    other = _new_group(server, token, "Nebenraum")
    today = datetime.now(SCHOOL_TZ).date()
    monday = today - timedelta(days=today.weekday())
    holiday = today + timedelta(days=1) if today.weekday() < 6 else today - timedelta(days=1)
    period = _holiday(server, token, holiday)
    event_id = _event(
        server, token, room, "Morgenkreis", _at(monday, 10), _at(monday, 11),
        recurrenceRule="FREQ=DAILY;COUNT=7", skipHolidays=True, academicPeriodId=period,
    )  # fmt: skip

    login(page, *SUPERADMIN)
    page.get_by_test_id("nav-preview").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Vorschau")
    expect(page.get_by_test_id(f"pv-row-{room}")).to_contain_text("Vorschauraum")
    expect(page.get_by_test_id(f"pv-row-{other}")).to_contain_text("Nebenraum")
    now_line = page.get_by_test_id("timeline-now")
    expect(now_line).to_contain_text("Jetzt")
    expect(now_line).to_have_attribute("aria-label", "Jetzt")

    # The week: six mornings on (the holiday skips one), the holiday marked, the screen off in between.
    page.get_by_test_id("pv-view").get_by_text("Woche").click()
    segments = page.get_by_test_id(f"pv-seg-{room}")
    expect(segments.filter(has_text="Morgenkreis")).to_have_count(6)
    expect(segments.filter(has_text="Ferien")).to_have_count(1)
    on = segments.filter(has_text="Morgenkreis").first
    expect(on).to_have_attribute("aria-label", re.compile("Bildschirm an"))
    expect(segments.filter(has_text="Kein Termin").first).to_have_attribute("aria-label", re.compile("Bildschirm aus"))
    expect(page.locator(".vis-item.pv-on")).to_have_count(6)
    expect(page.locator(".vis-item.pv-holiday")).to_have_count(2)  # both rooms: holidays are school-wide
    shot(page, "preview-week")

    # A click on a day of the week's axis zooms to that day (hours on the axis), a second click back out.
    axis = page.locator(".vis-time-axis.vis-foreground")
    axis.get_by_text(f"Mo {monday.day}.", exact=True).click()
    expect(axis).to_contain_text("12:00")
    axis.get_by_text("12:00", exact=True).first.click()
    expect(axis.get_by_text(f"Do {(monday + timedelta(days=3)).day}.", exact=True)).to_be_visible()

    # Keyboard: a focused segment opens the payload at its start, exactly what displayPayloadAt answers.
    monday_on = page.locator(f'[data-testid="pv-seg-{room}"][aria-label*="{monday:%d.%m.} 10:00"]')
    expect(monday_on).to_have_count(1)
    monday_on.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_test_id("pv-payload-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"infoscreen/events/{room}")
    expect(dialog).to_contain_text(f'"id": {event_id}')
    expected = _payload(server, token, room, _at(monday, 10))  # the holiday is never the Monday
    assert _json(page.get_by_test_id("pv-payload-events")) == expected["eventList"]
    assert [e["id"] for e in expected["eventList"]] == [event_id]
    if expected["powerIntent"] is not None:
        assert _json(page.get_by_test_id("pv-payload-power")) == expected["powerIntent"]
    shot(page, "preview-payload")
    page.get_by_test_id("pv-payload-close").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".q-dialog")).to_have_count(0)  # closed dialogs are removed, backdrop included

    # A mouse click on the holiday: nothing to show, the screen off.
    segments.filter(has_text="Ferien").click()
    expect(dialog).to_be_visible()
    assert _json(page.get_by_test_id("pv-payload-events")) == []
    page.get_by_test_id("pv-payload-close").click()

    # Choosing rooms: only the chosen one keeps its row.
    page.get_by_test_id("pv-groups").click()
    page.get_by_role("option", name="Nebenraum", exact=True).click()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id(f"pv-row-{other}")).to_have_count(0)
    expect(page.get_by_test_id(f"pv-row-{room}")).to_be_visible()
    expect(page.get_by_test_id("pv-playback")).to_have_attribute("href", "/playback")

    # Live: an event added elsewhere for a shown room appears without a reload (no wait for the subscription:
    # one made before it is registered is in the page's re-read at registration).
    _event(server, token, room, "Nachmeldung", _at(today, 14), _at(today, 15))
    expect(segments.filter(has_text="Nachmeldung")).to_have_count(1)
    assert blocked == [], blocked

    # English.
    page.get_by_test_id("user-menu").click()
    page.get_by_text("Sprache: Deutsch → English").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Preview")
    expect(page.get_by_test_id("timeline-now")).to_contain_text("Now")
    page.get_by_test_id("pv-view").get_by_text("Week").click()
    english = page.get_by_test_id(f"pv-seg-{room}")
    expect(english.filter(has_text="Holiday")).to_have_count(1)
    expect(english.filter(has_text="Morgenkreis").first).to_have_attribute("aria-label", re.compile("Screen on"))
    expect(page.get_by_test_id("pv-legend")).to_contain_text("Outside the period")
    shot(page, "preview-week-en")
    page.get_by_test_id("user-menu").click()
    page.get_by_text("Language: English → Deutsch").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Vorschau")


def test_a_school_of_40_rooms_shows_every_room_on_vorschau_and_ressourcen(
    page: Page, server: InfoscreenProcess
) -> None:
    token = admin_token(server)
    today = datetime.now(SCHOOL_TZ).date()
    rooms = []
    for index in range(40):
        room = _new_group(server, token, f"Schulraum {index:02d}")
        _event(
            server,
            token,
            room,
            f"Stunde {index:02d}",
            _at(today, 8),
            _at(today, 9),
            recurrenceRule="FREQ=DAILY;COUNT=5",
        )
        rooms.append(room)

    login(page, *SUPERADMIN)
    page.goto("/preview")
    for room in (rooms[0], rooms[-1]):
        expect(page.get_by_test_id(f"pv-row-{room}")).to_be_visible()
    # Every room's 08:00 lesson, from its own schedule (other tests' rooms may share the server).
    expect(page.locator(".vis-item.pv-on").filter(has_text="Stunde")).to_have_count(40)
    page.goto("/resources")
    expect(page.get_by_test_id(f"res-row-{rooms[-1]}")).to_be_visible()
    expect(page.locator("[data-testid^='res-bar-']").filter(has_text="Stunde")).to_have_count(40)
