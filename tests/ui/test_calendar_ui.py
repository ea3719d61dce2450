"""Termine and Ressourcen in a real browser: a weekly series made with the recurrence editor, one occurrence
deleted from it, holidays shaded, and the group's row and order panel on the Ressourcen page."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, admin_token, graphql, login, shot

SCHOOL_TZ = ZoneInfo("Europe/Vienna")  # the server's default SCHOOL_TIMEZONE


def _setup(server: InfoscreenProcess) -> tuple[int, int, date]:
    """Two room groups and a holiday today in the active period (created through the API)."""
    token = admin_token(server)
    ids = []
    for name in ("Aula", "Raum 101"):
        data = graphql(
            server,
            "mutation($n: String!) { createGroup(name: $n) { __typename ... on ClientGroup { id } } }",
            {"n": name},
            token,
        )
        ids.append(int(data["createGroup"]["id"]))
    today = datetime.now(SCHOOL_TZ).date()
    period = graphql(server, "query { activeAcademicPeriod { id } }", token=token)["activeAcademicPeriod"]
    assert period, "bootstrap activates the period of today"
    result = graphql(
        server,
        "mutation($p: Int!, $i: SchoolHolidayInput!) { createHoliday(academicPeriodId: $p, input: $i) "
        "{ __typename ... on Error { message } } }",
        {
            "p": period["id"],
            "i": {"name": "Testferientag", "startDate": today.isoformat(), "endDate": today.isoformat()},
        },
        token,
    )
    assert result["createHoliday"]["__typename"] == "SchoolHoliday", result
    return ids[0], ids[1], today


def _pick(page: Page, testid: str, option: str) -> None:
    page.get_by_test_id(testid).click()
    page.get_by_role("option", name=option, exact=True).click()


def show_groups(page: Page, *names: str) -> None:
    """Show exactly these room groups in Termine (the group selector takes several)."""
    select = page.get_by_test_id("cal-group")
    options = page.get_by_role("option")
    select.click()
    expect(options.first).to_be_visible()
    wrong = [
        o.inner_text().strip()
        for o in options.all()
        if (o.inner_text().strip() in names) != (o.get_attribute("aria-selected") == "true")
    ]
    wrong.sort(key=lambda name: name not in names)  # add first: at least one group always stays shown
    page.keyboard.press("Escape")
    for name in wrong:  # each pick closes the list
        select.click()
        option = page.get_by_role("option", name=name, exact=True)
        was = option.get_attribute("aria-selected") == "true"
        option.click()
        expect(options).to_have_count(0)
        select.click()
        expect(option).to_have_attribute("aria-selected", "false" if was else "true")
        page.keyboard.press("Escape")
        expect(options).to_have_count(0)
    legend = page.get_by_test_id("cal-legend")
    for name in names:
        expect(legend).to_contain_text(name)


def column(page: Page, day: date) -> Locator:
    """A day's column in FullCalendar's week or day view."""
    return page.locator(f".fc-timegrid-col[data-date='{day.isoformat()}']")


def month_cell(page: Page, day: date) -> Locator:
    return page.locator(f".fc-daygrid-day[data-date='{day.isoformat()}']")


# The scroller of FullCalendar's hour grid.
TIME_SCROLLER = "document.querySelector('.fc-timegrid-body').closest('.fc-scroller')"


def test_weekly_series_from_the_recurrence_editor_then_delete_one_occurrence_and_see_resources(
    page: Page, server: InfoscreenProcess
) -> None:
    aula, raum, today = _setup(server)
    monday = today - timedelta(days=today.weekday())
    tuesday = monday + timedelta(days=1)

    login(page, *SUPERADMIN)
    page.get_by_test_id("nav-calendar").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Termine")
    show_groups(page, "Raum 101")
    page.get_by_test_id("cal-view").get_by_text("Woche").click()
    expect(page.get_by_test_id("cal-range")).to_contain_text(f"KW {monday.isocalendar().week}")
    indicator = page.get_by_test_id("cal-holiday-indicator")
    expect(indicator).to_contain_text("1 Ferientag(e) in der Ansicht")
    expect(page.locator(f"[data-date='{today.isoformat()}']").filter(has_text="Testferientag").first).to_be_visible()

    # A weekly series on Monday and Tuesday, 08:00–09:00 local time, four times.
    page.get_by_test_id("cal-new").click()
    dialog = page.get_by_test_id("event-dialog")
    expect(dialog).to_be_visible()
    page.get_by_test_id("ev-title").fill("Wochenaushang")
    _pick(page, "ev-type", "Nachricht")
    page.get_by_test_id("ev-message").fill("Bitte die Hausordnung beachten")
    page.get_by_test_id("ev-start-date").fill(monday.isoformat())
    page.get_by_test_id("ev-start-time").fill("08:00")
    page.get_by_test_id("ev-end-date").fill(monday.isoformat())
    page.get_by_test_id("ev-end-time").fill("09:00")
    _pick(page, "ev-freq", "Wöchentlich")
    expect(page.get_by_test_id("ev-day-MO")).to_have_attribute("aria-pressed", "true")  # follows the start date
    page.get_by_test_id("ev-day-TU").click()
    expect(page.get_by_test_id("ev-day-TU")).to_have_attribute("aria-pressed", "true")
    _pick(page, "ev-ends", "Nach Anzahl")
    page.get_by_test_id("ev-count").fill("4")
    shot(page, "calendar-event-dialog")
    page.get_by_test_id("ev-save").click()
    expect(dialog).to_have_count(0)

    events = page.locator("[data-testid^=cal-event-]")
    expect(events).to_have_count(2)
    monday_block = column(page, monday).locator(".cal-event")
    expect(monday_block).to_contain_text("Wochenaushang")
    expect(monday_block).to_contain_text("08:00 – 09:00")  # local time, not UTC
    shot(page, "calendar-week")

    # Delete only Tuesday's occurrence.
    column(page, tuesday).locator(".cal-event").click()
    expect(page.get_by_test_id("occ-dialog")).to_contain_text("Serie")
    page.get_by_test_id("occ-delete").click()
    page.get_by_test_id("scope-occurrence").click()
    page.get_by_test_id("confirm-yes").click()
    expect(events).to_have_count(1)
    expect(column(page, tuesday).locator(".cal-event")).to_have_count(0)
    page.get_by_test_id("cal-next").click()
    expect(page.get_by_test_id("cal-range")).to_contain_text(f"KW {(monday + timedelta(days=7)).isocalendar().week}")
    expect(events).to_have_count(2)  # the series goes on next week
    page.get_by_test_id("cal-today").click()
    page.get_by_test_id("cal-view").get_by_text("Monat").click()
    expect(page.locator(".fc-dayGridMonth-view")).to_be_visible()
    expect(month_cell(page, monday)).to_contain_text("Wochenaushang")
    shot(page, "calendar-month")

    # Ressourcen (vis-timeline): one row per group, this week's occurrences as labelled, focusable bars, the
    # holiday shaded over all rows, the now line, the order panel for admins (the rows follow it).
    page.get_by_test_id("nav-resources").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Ressourcen")
    expect(page.get_by_test_id(f"res-row-{raum}")).to_contain_text("Raum 101")
    expect(page.get_by_test_id(f"res-row-{aula}")).to_contain_text("Aula")
    expect(page.get_by_test_id("res-timeline")).not_to_contain_text("Nicht zugeordnet")
    page.get_by_test_id("res-view").get_by_text("Woche").click()
    bar = page.get_by_test_id(f"res-bar-{raum}")
    expect(bar).to_have_count(1)
    expect(bar).to_have_attribute("aria-label", re.compile("Wochenaushang"))
    expect(bar).to_have_attribute("tabindex", "0")
    expect(page.get_by_test_id(f"res-row-{raum}")).to_contain_text("1")  # the week's count
    expect(page.get_by_test_id(f"res-bar-{aula}")).to_have_count(0)
    expect(page.get_by_test_id("res-holiday")).to_contain_text("Testferientag")
    expect(page.get_by_test_id("timeline-now")).to_contain_text("Jetzt")
    page.get_by_test_id(f"res-down-{aula}").click()
    order = page.get_by_test_id("res-order").locator("[data-testid^=res-order-]")
    expect(order.first).to_contain_text("Raum 101")
    expect(page.get_by_test_id("res-timeline").locator(".vis-labelset .vis-label").first).to_contain_text("Raum 101")
    token = admin_token(server)
    groups = graphql(server, "query { groups(includeUnassigned: false) { id } }", token=token)["groups"]
    assert [g["id"] for g in groups][:2] == [raum, aula]
    shot(page, "resources-week")


def test_editing_one_occurrence_detaches_it_and_editing_the_series_keeps_it_apart(
    page: Page, server: InfoscreenProcess
) -> None:
    token = admin_token(server)
    group = graphql(
        server,
        'mutation { createGroup(name: "Lehrerzimmer") { __typename ... on ClientGroup { id } } }',
        token=token,
    )["createGroup"]["id"]
    today = datetime.now(SCHOOL_TZ).date()
    monday = today - timedelta(days=today.weekday())
    start = datetime.combine(monday, datetime.min.time(), tzinfo=SCHOOL_TZ).replace(hour=10)
    created = graphql(
        server,
        "mutation($i: EventInput!) { createEvent(input: $i) { __typename ... on Event { id } } }",
        {
            "i": {
                "groupId": group,
                "title": "Tagesinfo",
                "eventType": "MESSAGE",
                "messageText": "Guten Morgen",
                "start": start.isoformat(),
                "end": (start + timedelta(hours=1)).isoformat(),
                "recurrenceRule": "FREQ=DAILY;COUNT=3",
            }
        },
        token,
    )
    assert created["createEvent"]["__typename"] == "Event"

    login(page, *SUPERADMIN)
    page.goto("/calendar")
    show_groups(page, "Lehrerzimmer")
    page.get_by_test_id("cal-view").get_by_text("Woche").click()
    weekday = lambda day: column(page, monday + timedelta(days=day))  # noqa: E731
    expect(weekday(1).locator(".cal-event")).to_contain_text("Tagesinfo")

    # Only Tuesday: becomes a standalone event at another time.
    weekday(1).locator(".cal-event").click()
    page.get_by_test_id("occ-edit").click()
    page.get_by_test_id("scope-occurrence").click()
    expect(page.get_by_test_id("ev-freq")).to_have_count(0)  # a single occurrence has no recurrence
    page.get_by_test_id("ev-title").fill("Sondertermin")
    page.get_by_test_id("ev-start-time").fill("11:00")
    page.get_by_test_id("ev-end-time").fill("12:00")
    page.get_by_test_id("ev-save").click()
    expect(weekday(1).locator(".cal-event")).to_contain_text("Sondertermin")
    expect(weekday(1).locator(".cal-event")).to_contain_text("11:00 – 12:00")

    # The whole series: the detached Tuesday stays as it is.
    weekday(0).locator(".cal-event").click()
    page.get_by_test_id("occ-edit").click()
    page.get_by_test_id("scope-series").click()
    expect(page.get_by_test_id("ev-freq")).to_contain_text("Täglich")
    page.get_by_test_id("ev-title").fill("Morgeninfo")
    page.get_by_test_id("ev-save").click()
    expect(weekday(0).locator(".cal-event")).to_contain_text("Morgeninfo")
    expect(weekday(2).locator(".cal-event")).to_contain_text("Morgeninfo")
    expect(weekday(1).locator(".cal-event")).to_contain_text("Sondertermin")

    # The API's validation message appears in the dialog; presentation defaults come from the settings.
    page.get_by_test_id("cal-new").click()
    expect(page.get_by_test_id("ev-presentation-media")).to_be_visible()
    expect(page.get_by_label("Folienintervall (s)")).to_have_value("10")
    page.get_by_test_id("ev-title").fill("Schulwebsite")
    _pick(page, "ev-type", "Website")
    page.get_by_test_id("ev-url").fill("ftp://schule.example")
    page.get_by_test_id("ev-save").click()
    expect(page.get_by_test_id("event-form-error")).to_contain_text("http")
    shot(page, "calendar-validation")
    page.get_by_test_id("ev-url").fill("https://schule.example")
    page.get_by_test_id("ev-save").click()
    expect(page.get_by_test_id("event-dialog")).to_have_count(0)


def _create_event(server: InfoscreenProcess, token: str, group: int, title: str, start: datetime) -> int:
    created = graphql(
        server,
        "mutation($i: EventInput!) { createEvent(input: $i) { __typename ... on Event { id } ... on Error "
        "{ message } } }",
        {
            "i": {
                "groupId": group,
                "title": title,
                "eventType": "MESSAGE",
                "messageText": "Von außen angelegt",
                "start": start.isoformat(),
                "end": (start + timedelta(hours=1)).isoformat(),
            }
        },
        token,
    )["createEvent"]
    assert created["__typename"] == "Event", created
    return int(created["id"])


def _delete_event(server: InfoscreenProcess, token: str, event_id: int) -> None:
    assert graphql(server, "mutation($id: Int!) { deleteEvent(id: $id) }", {"id": event_id}, token)["deleteEvent"]


def _new_group(server: InfoscreenProcess, token: str, name: str) -> int:
    data = graphql(
        server,
        "mutation($n: String!) { createGroup(name: $n) { __typename ... on ClientGroup { id } } }",
        {"n": name},
        token,
    )
    return int(data["createGroup"]["id"])


def test_calendar_and_resources_show_changes_made_through_the_api_without_a_reload(
    page: Page, server: InfoscreenProcess
) -> None:
    token = admin_token(server)
    group = _new_group(server, token, "Livegruppe")
    today = datetime.now(SCHOOL_TZ).date()
    at_ten = datetime.combine(today, datetime.min.time(), tzinfo=SCHOOL_TZ).replace(hour=10)

    login(page, *SUPERADMIN)
    page.goto("/calendar")
    show_groups(page, "Livegruppe")
    page.get_by_test_id("cal-view").get_by_text("Woche").click()
    events = page.locator("[data-testid^=cal-event-]")
    expect(events).to_have_count(0)
    url = page.url
    page.wait_for_function(f"{TIME_SCROLLER}?.scrollTop > 0")  # 07:00 by default
    page.evaluate(f"{TIME_SCROLLER}.scrollTop = 400")

    # Someone else (an integrator, another editor) creates an event for the shown group: it appears.
    event_id = _create_event(server, token, group, "Von außen", at_ten)
    expect(column(page, today).locator(".cal-event")).to_contain_text("Von außen")
    page.wait_for_function(f"{TIME_SCROLLER}.scrollTop === 400")  # the user's hour stays
    # Another group's event does not show here; the group list follows renames.
    other = _new_group(server, token, "Andere Gruppe")
    _create_event(server, token, other, "Fremd", at_ten)
    graphql(server, 'mutation($id: Int!) { renameGroup(id: $id, name: "Livegruppe neu") { __typename } }',
            {"id": group}, token)  # fmt: skip
    expect(page.get_by_test_id("cal-group")).to_contain_text("Livegruppe neu")
    expect(events).to_have_count(1)
    shot(page, "calendar-live")

    _delete_event(server, token, event_id)
    expect(events).to_have_count(0)
    assert page.url == url  # no navigation happened

    # Ressourcen: a new event of the group becomes a bar, a new group a row; deleting removes the bar.
    page.get_by_test_id("nav-resources").click()
    expect(page.get_by_test_id(f"res-row-{group}")).to_contain_text("Livegruppe neu")
    bars = page.get_by_test_id(f"res-bar-{group}")
    expect(bars).to_have_count(0)
    event_id = _create_event(server, token, group, "Balken", at_ten)
    expect(bars).to_have_count(1)
    expect(bars).to_contain_text("Balken")
    added = _new_group(server, token, "Neue Gruppe")
    expect(page.get_by_test_id(f"res-row-{added}")).to_contain_text("Neue Gruppe")
    expect(page.get_by_test_id(f"res-order-{added}")).to_be_visible()
    _delete_event(server, token, event_id)
    expect(bars).to_have_count(0)

    # A burst (an integrator's bulk import) is coalesced into few reloads and ends in the final state.
    midnight = at_ten.replace(hour=0)
    for hour in range(12):
        _create_event(server, token, group, f"Import {hour}", midnight + timedelta(hours=hour))
    expect(bars).to_have_count(12)
