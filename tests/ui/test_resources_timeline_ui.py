"""Ressourcen on vis-timeline in a real browser: a bar opens the event's details as in Termine (by mouse and by
keyboard); an editor drags a single event an hour later (saved at once) and a series occurrence (asked "nur
dieser Termin" → detached), through Termine's mutations; a plain user sees the details without edit buttons
and cannot drag."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, admin_token, graphql, login, shot
from tests.ui.test_calendar_fullcalendar import _at, _event, _events, _local, _until
from tests.ui.test_calendar_ui import SCHOOL_TZ, _new_group


def _drag_right(page: Page, bar: Locator, dx: float) -> None:
    box = None
    for _ in range(20):  # a live redraw may just be replacing the bar: take the new one
        expect(bar).to_be_visible()
        box = bar.bounding_box()
        if box is not None:
            break
        page.wait_for_timeout(100)
    assert box is not None, "the bar never stayed long enough to be dragged"
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2  # the middle: the edges resize
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 8, y, steps=4)
    page.mouse.move(x + dx, y, steps=12)
    page.mouse.up()


def _hour_px(page: Page) -> float:
    box = page.get_by_test_id("res-timeline").locator(".vis-panel.vis-center").bounding_box()
    assert box is not None
    return box["width"] / 24


def _wait_for(check: Any, what: str, page: Page, tries: int = 60) -> None:
    for _ in range(tries):
        if check():
            return
        page.wait_for_timeout(250)
    raise AssertionError(what)


def test_resources_bars_open_details_and_drag_like_termine(page: Page, server: InfoscreenProcess) -> None:
    token = admin_token(server)
    group = _new_group(server, token, "Werkraum")
    today = datetime.now(SCHOOL_TZ).date()
    single = _event(server, token, group, "Werkstück", _at(today, 8), _at(today, 11))
    series = _event(server, token, group, "Serie", _at(today, 13), _at(today, 16), recurrenceRule="FREQ=DAILY;COUNT=3")

    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, *SUPERADMIN)
    page.goto("/resources")
    bars = page.get_by_test_id(f"res-bar-{group}")
    piece = bars.filter(has_text="Werkstück")
    expect(piece).to_have_attribute("role", "button")

    # A click opens the details with edit and delete, as in Termine; so does Enter on the focused bar.
    piece.click()
    details = page.get_by_test_id("occ-dialog")
    expect(details).to_contain_text("Werkstück")
    expect(page.get_by_test_id("occ-edit")).to_be_visible()
    page.keyboard.press("Escape")
    expect(details).to_be_hidden()
    bars.filter(has_text="Serie").focus()
    page.keyboard.press("Enter")
    expect(details).to_contain_text("RRULE: FREQ=DAILY;COUNT=3")
    page.keyboard.press("Escape")
    expect(page.locator(".q-dialog")).to_have_count(0)

    # Drag the single event one hour later: saved at once through updateEvent.
    hour = _hour_px(page)

    def moved() -> bool:
        event = next(e for e in _events(server, token, group) if e["id"] == single)
        return _local(event["start"]) == _at(today, 9)

    _drag_right(page, piece, hour)
    _wait_for(moved, "the single event was not moved to 09:00", page)
    event = next(e for e in _events(server, token, group) if e["id"] == single)
    assert _local(event["end"]) == _at(today, 12)

    # Drag today's series occurrence two hours later: asked first; "nur dieser Termin" detaches it.
    scope = page.get_by_test_id("scope-dialog")
    _until(
        lambda: _drag_right(page, bars.filter(has_text="Serie"), 2 * hour),
        lambda ms: expect(scope).to_be_visible(timeout=ms),
    )
    page.get_by_test_id("scope-occurrence").click()

    def detached() -> list[dict[str, Any]]:
        return [e for e in _events(server, token, group) if e["detachedFromEventId"] == series]

    _wait_for(lambda: len(detached()) == 1, "today's occurrence was not detached", page)
    assert _local(detached()[0]["start"]) == _at(today, 15)
    master = next(e for e in _events(server, token, group) if e["id"] == series)
    assert _local(master["start"]) == _at(today, 13)  # the series stays
    expect(bars.filter(has_text="Serie")).to_have_count(1)  # today: only the detached one
    shot(page, "resources-dragged")


def test_a_plain_user_sees_details_without_edit_and_cannot_drag(
    browser: Any, page: Page, server: InfoscreenProcess
) -> None:
    token = admin_token(server)
    group = _new_group(server, token, "Leseraum")
    today = datetime.now(SCHOOL_TZ).date()
    event = _event(server, token, group, "Lesung", _at(today, 9), _at(today, 10))
    created = graphql(
        server,
        "mutation($i: CreateUserInput!) { createUser(input: $i) { __typename ... on Error { message } } }",
        {"i": {"username": "leserin", "password": "leserin-pass-1", "role": "USER", "isActive": True}},
        token,
    )["createUser"]
    assert "message" not in created, created
    login(page, "leserin", "leserin-pass-1")
    page.goto("/resources")
    bar = page.get_by_test_id(f"res-bar-{group}")
    bar.click()
    expect(page.get_by_test_id("occ-dialog")).to_contain_text("Lesung")
    expect(page.get_by_test_id("occ-edit")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.locator(".q-dialog")).to_have_count(0)
    _drag_right(page, bar, 2 * _hour_px(page))
    page.wait_for_timeout(1_000)
    start = next(e for e in _events(server, token, group) if e["id"] == event)["start"]
    assert _local(start) == _at(today, 9)
