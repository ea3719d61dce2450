"""Termine on FullCalendar in a real browser: early and all-day events shown and labelled, several groups in
their colours, an event saved for another group shown, an overlap named before saving, a series occurrence
dragged (only this one → detached) and an event resized, and all of it with every non-loopback request blocked."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from playwright.sync_api import BrowserContext, Page, Route, expect

from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, admin_token, graphql, login, shot
from tests.ui.test_calendar_ui import SCHOOL_TZ, _new_group, _pick, column, month_cell, show_groups

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _event(
    server: InfoscreenProcess, token: str, group: int, title: str, start: datetime, end: datetime, **extra: Any
) -> int:
    created = graphql(
        server,
        "mutation($i: EventInput!) { createEvent(input: $i) { __typename ... on Event { id } "
        "... on Error { message } } }",
        {
            "i": {
                "groupId": group,
                "title": title,
                "eventType": "MESSAGE",
                "messageText": title,
                "start": start.isoformat(),
                "end": end.isoformat(),
                **extra,
            }
        },
        token,
    )["createEvent"]
    assert created["__typename"] == "Event", created
    return int(created["id"])


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=SCHOOL_TZ).replace(hour=hour, minute=minute)


def _events(server: InfoscreenProcess, token: str, group: int) -> list[dict[str, Any]]:
    return graphql(
        server,
        "query($g: Int) { events(groupId: $g) { id title start end recurrenceRule detachedFromEventId } }",
        {"g": group},
        token,
    )["events"]


def _local(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(SCHOOL_TZ)


def _week(page: Page) -> None:
    page.get_by_test_id("cal-view").get_by_text("Woche").click()
    expect(page.locator(".fc-timeGridWeek-view")).to_be_visible()


def _block_outside(context: BrowserContext) -> list[str]:
    blocked: list[str] = []

    def route(r: Route) -> None:
        if urlparse(r.request.url).hostname in LOOPBACK:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return blocked


def test_early_and_all_day_events_show_labelled_in_week_and_month_even_offline(
    context: BrowserContext, page: Page, server: InfoscreenProcess
) -> None:
    blocked = _block_outside(context)
    token = admin_token(server)
    group = _new_group(server, token, "Frühdienst")
    today = datetime.now(SCHOOL_TZ).date()
    _event(server, token, group, "Frühaufsicht", _at(today, 6, 30), _at(today, 7, 15))
    _event(server, token, group, "Projekttag", _at(today, 0), _at(today + timedelta(days=1), 0))

    login(page, *SUPERADMIN)
    page.goto("/calendar")
    show_groups(page, "Frühdienst")
    _week(page)
    early = column(page, today).locator(".cal-event")
    expect(early).to_contain_text("Frühaufsicht")
    expect(early).to_contain_text("06:30 – 07:15")
    expect(early).to_be_in_viewport()  # the morning before 07:00 is not hidden
    all_day = page.locator(f".fc-daygrid-day[data-date='{today.isoformat()}'] .cal-event")
    expect(all_day).to_contain_text("Projekttag")  # a labelled bar in the all-day row
    expect(page.locator(".fc-timegrid-axis").filter(has_text="Ganztägig")).to_be_visible()
    shot(page, "calendar-fc-week")

    page.get_by_test_id("cal-view").get_by_text("Monat").click()
    expect(month_cell(page, today)).to_contain_text("Frühaufsicht")
    expect(month_cell(page, today)).to_contain_text("Projekttag")
    page.get_by_test_id("cal-view").get_by_text("Liste").click()
    expect(page.locator(".fc-list")).to_contain_text("Frühaufsicht")
    assert page.evaluate("typeof window.FullCalendar.Calendar") == "function"
    assert blocked == []  # nothing was even asked of the internet


def test_several_groups_in_their_colours_and_an_event_saved_for_another_group_is_shown(
    page: Page, server: InfoscreenProcess
) -> None:
    token = admin_token(server)
    music = _new_group(server, token, "Musiksaal")
    gym = _new_group(server, token, "Turnsaal")
    today = datetime.now(SCHOOL_TZ).date()
    _event(server, token, music, "Chorprobe", _at(today, 10), _at(today, 11))
    _event(server, token, gym, "Training", _at(today, 12), _at(today, 13))

    login(page, *SUPERADMIN)
    page.goto("/calendar")
    show_groups(page, "Musiksaal", "Turnsaal")
    _week(page)
    choir = page.locator(".cal-event", has_text="Chorprobe")
    training = page.locator(".cal-event", has_text="Training")
    expect(choir).to_be_visible()
    expect(training).to_be_visible()
    color = "el => getComputedStyle(el).backgroundColor"
    assert choir.evaluate(color) != training.evaluate(color)
    expect(page.get_by_test_id(f"cal-legend-{music}")).to_contain_text("Musiksaal")
    expect(page.get_by_test_id(f"cal-legend-{gym}")).to_contain_text("Turnsaal")
    shot(page, "calendar-fc-groups")

    # Only the music room shown; an event saved for the gym still appears, with the gym added to the view.
    show_groups(page, "Musiksaal")
    expect(training).to_have_count(0)
    page.get_by_test_id("cal-new").click()
    page.get_by_test_id("ev-title").fill("Elternabend")
    _pick(page, "ev-group", "Turnsaal")
    _pick(page, "ev-type", "Nachricht")
    page.get_by_test_id("ev-message").fill("Willkommen")
    page.get_by_test_id("ev-start-date").fill(today.isoformat())
    page.get_by_test_id("ev-start-time").fill("15:00")
    page.get_by_test_id("ev-end-date").fill(today.isoformat())
    page.get_by_test_id("ev-end-time").fill("16:00")
    page.get_by_test_id("ev-save").click()
    expect(page.get_by_test_id("event-dialog")).to_have_count(0)
    expect(page.locator(".cal-event", has_text="Elternabend")).to_be_visible()
    expect(page.get_by_test_id(f"cal-legend-{gym}")).to_be_visible()
    expect(training).to_be_visible()


def test_an_overlap_in_the_group_is_named_before_saving(page: Page, server: InfoscreenProcess) -> None:
    token = admin_token(server)
    werk = _new_group(server, token, "Werkraum")
    today = datetime.now(SCHOOL_TZ).date()
    _event(server, token, werk, "Werkstunde", _at(today, 8, 30), _at(today, 9, 30))

    login(page, *SUPERADMIN)
    page.goto("/calendar")
    show_groups(page, "Werkraum")
    _week(page)
    page.get_by_test_id("cal-new").click()
    page.get_by_test_id("ev-title").fill("Kollision")
    _pick(page, "ev-type", "Nachricht")
    page.get_by_test_id("ev-message").fill("Doppelt gebucht")
    page.get_by_test_id("ev-start-date").fill(today.isoformat())
    page.get_by_test_id("ev-start-time").fill("09:00")
    page.get_by_test_id("ev-end-date").fill(today.isoformat())
    page.get_by_test_id("ev-end-time").fill("10:00")
    page.get_by_test_id("ev-save").click()
    warning = page.get_by_test_id("overlap-dialog")
    expect(warning).to_contain_text("Werkstunde")
    expect(warning).to_contain_text("08:30 – 09:30")
    shot(page, "calendar-fc-overlap")
    page.get_by_test_id("overlap-cancel").click()
    expect(page.get_by_test_id("event-form-error")).to_contain_text("überschneidet")
    assert [e["title"] for e in _events(server, token, werk)] == ["Werkstunde"]  # nothing saved

    page.get_by_test_id("ev-save").click()
    page.get_by_test_id("overlap-save").click()
    expect(page.get_by_test_id("event-dialog")).to_have_count(0)
    expect(column(page, today).locator(".cal-event")).to_have_count(2)


def _drag(page: Page, source: Any, target_y: float | None = None, *, dy: float = 0) -> None:
    """Press on `source`, move to `target_y` (or by `dy` pixels down), release."""
    box = source.bounding_box()
    assert box is not None
    x = box["x"] + box["width"] / 2
    y = box["y"] + min(6, box["height"] / 2)
    target_y = y + dy if target_y is None else target_y
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 8, steps=4)
    page.mouse.move(x, target_y, steps=12)
    page.mouse.up()


def _until(action: Callable[[], None], shown: Callable[[float], None], attempts: int = 3) -> None:
    """Do a pointer gesture until its result shows: one begun while the calendar redraws (a live update of
    the events arriving) is dropped by FullCalendar, as it would be for a user, who simply tries again."""
    for _attempt in range(attempts - 1):
        action()
        try:
            shown(5_000)
            return
        except AssertionError:
            continue
    action()
    shown(15_000)


def _slot_y(page: Page, time: str) -> float:
    slot = page.locator(f".fc-timegrid-slot-lane[data-time='{time}']")
    slot.scroll_into_view_if_needed()
    box = slot.bounding_box()
    assert box is not None
    return box["y"] + 6


def test_dragging_a_series_occurrence_detaches_only_it_and_resizing_changes_the_end(
    page: Page, server: InfoscreenProcess
) -> None:
    token = admin_token(server)
    group = _new_group(server, token, "Physiksaal")
    today = datetime.now(SCHOOL_TZ).date()
    monday = today - timedelta(days=today.weekday())
    series = _event(
        server, token, group, "Versuch", _at(monday, 10), _at(monday, 11), recurrenceRule="FREQ=DAILY;COUNT=3"
    )

    page.set_viewport_size({"width": 1366, "height": 1000})  # the whole calendar on screen: the pointer stays on it
    login(page, *SUPERADMIN)
    page.goto("/calendar")
    show_groups(page, "Physiksaal")
    _week(page)
    tuesday = column(page, monday + timedelta(days=1)).locator(".cal-event:not(.fc-event-mirror)")
    expect(tuesday).to_contain_text("10:00 – 11:00")

    # Drag Tuesday's occurrence from 10:00 to 13:00: the calendar asks, "nur dieser Termin" detaches it.
    scope = page.get_by_test_id("scope-dialog")
    _until(lambda: _drag(page, tuesday, _slot_y(page, "13:00:00")), lambda ms: expect(scope).to_be_visible(timeout=ms))
    page.get_by_test_id("scope-occurrence").click()
    # Shown from the server: the occurrence is now an event of its own (its key names the new event).
    expect(tuesday).not_to_have_attribute("data-testid", re.compile(f"^cal-event-{series}-"))
    expect(tuesday).to_contain_text("13:00 – 14:00")
    detached = [e for e in _events(server, token, group) if e["detachedFromEventId"] == series]
    assert len(detached) == 1, _events(server, token, group)
    assert _local(detached[0]["start"]) == _at(monday + timedelta(days=1), 13)
    assert detached[0]["recurrenceRule"] is None
    master = next(e for e in _events(server, token, group) if e["id"] == series)
    assert _local(master["start"]) == _at(monday, 10)  # the series stays where it was
    expect(column(page, monday).locator(".cal-event")).to_contain_text("10:00 – 11:00")
    shot(page, "calendar-fc-dragged")

    # Resize the detached event by its lower edge, one hour down to 15:00: a single event, saved at once.
    hour = _slot_y(page, "14:00:00") - _slot_y(page, "13:00:00")

    def resize() -> None:
        tuesday.hover()
        _drag(page, tuesday.locator(".fc-event-resizer-end"), dy=hour)

    _until(resize, lambda ms: expect(tuesday).to_contain_text("13:00 – 15:00", timeout=ms))

    def saved_end() -> datetime:
        return _local(next(e for e in _events(server, token, group) if e["id"] == detached[0]["id"])["end"])

    deadline = time.monotonic() + 15  # the save runs after the gesture: a bounded wait for the server's answer
    while saved_end() != _at(monday + timedelta(days=1), 15) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert saved_end() == _at(monday + timedelta(days=1), 15)
    moved = next(e for e in _events(server, token, group) if e["id"] == detached[0]["id"])
    assert _local(moved["start"]) == _at(monday + timedelta(days=1), 13)


def _active(server: InfoscreenProcess, token: str) -> int:
    return int(graphql(server, "query { activeAcademicPeriod { id } }", token=token)["activeAcademicPeriod"]["id"])


def test_choosing_a_period_activates_it_for_an_admin_and_only_filters_for_an_editor(
    browser: Any, page: Page, server: InfoscreenProcess
) -> None:
    token = admin_token(server)
    _new_group(server, token, "Bibliothek")  # Termine offers periods once there is a group to plan for
    before = _active(server, token)
    created = graphql(
        server,
        "mutation($i: AcademicPeriodInput!) { createAcademicPeriod(input: $i) { __typename "
        "... on AcademicPeriod { id } ... on Error { message } } }",
        {"i": {"name": "2031/32", "displayName": "Schuljahr 2031/32", "startDate": "2031-09-01",
               "endDate": "2032-06-30", "periodType": "SCHULJAHR"}},
        token,
    )["createAcademicPeriod"]  # fmt: skip
    assert created["__typename"] == "AcademicPeriod", created
    later = int(created["id"])
    user = graphql(
        server,
        "mutation($i: CreateUserInput!) { createUser(input: $i) { __typename ... on Error { message } } }",
        {"i": {"username": "redakteurin", "password": "redakteurin-pass-1", "role": "EDITOR", "isActive": True}},
        token,
    )["createUser"]
    assert "message" not in user, user
    try:
        # An editor looks at the later period: the view moves there, the active period stays.
        editor = browser.new_page(base_url=server.base_url, locale="de-DE")
        login(editor, "redakteurin", "redakteurin-pass-1")
        editor.goto("/calendar")
        _pick(editor, "cal-period", "Schuljahr 2031/32")
        expect(editor.get_by_test_id("cal-holiday-indicator")).to_contain_text("Schuljahr 2031/32")
        expect(editor.get_by_test_id("cal-range")).to_contain_text("2031")
        assert _active(server, token) == before
        editor.close()

        # An admin's choice activates it, as the seed's appointments page does.
        login(page, *SUPERADMIN)
        page.goto("/calendar")
        _pick(page, "cal-period", "Schuljahr 2031/32")
        expect(page.get_by_text("Periode aktiviert")).to_be_visible()
        assert _active(server, token) == later
    finally:
        graphql(server, "mutation($id: Int!) { activateAcademicPeriod(id: $id) { __typename } }", {"id": before}, token)
