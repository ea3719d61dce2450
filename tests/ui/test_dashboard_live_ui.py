"""The Dashboard is live and tells the school's day (#17 point 2 rest, point 3 bulk restart).

The server runs in a time zone whose date differs from the host's (UTC) right now: the holiday banner must
follow the school's date. Holidays and events created elsewhere show without a reload, and "Offline-Clients
neu starten" reports every display with its own command followed to its end.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.support.display import FakeDisplay
from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, admin_token, graphql, login, shot, ui_server

GRACE = 10


def _zone_on_another_day() -> str:
    """A real zone whose date right now is not the UTC date (UTC−12 before noon UTC, UTC+14 from 10:00)."""
    return "Etc/GMT+12" if datetime.now(UTC).hour < 12 else "Pacific/Kiritimati"


ZONE = _zone_on_another_day()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfoscreenProcess]:
    with ui_server(
        tmp_path_factory.mktemp("ui-dashboard-live"),
        SCHOOL_TIMEZONE=ZONE,
        HEARTBEAT_GRACE_PERIOD_DEV=str(GRACE),
        POLL_INTERVAL_SECONDS="2",
    ) as proc:
        yield proc


def _holiday(server: InfoscreenProcess, token: str, period: int, name: str, day: date) -> None:
    result = graphql(
        server,
        "mutation($p: Int!, $i: SchoolHolidayInput!) { createHoliday(academicPeriodId: $p, input: $i) "
        "{ __typename ... on Error { message } } }",
        {"p": period, "i": {"name": name, "startDate": day.isoformat(), "endDate": day.isoformat()}},
        token,
    )
    assert result["createHoliday"]["__typename"] == "SchoolHoliday", result


def _group(server: InfoscreenProcess, token: str, name: str) -> int:
    data = graphql(
        server, "mutation($n: String!) { createGroup(name: $n) { ... on ClientGroup { id } } }", {"n": name}, token
    )
    return int(data["createGroup"]["id"])


def _wait_registered(server: InfoscreenProcess, token: str, uuids: list[str]) -> None:
    deadline = time.monotonic() + 20
    query = "query($u: String!) { client(uuid: $u) { uuid } }"
    while any(graphql(server, query, {"u": u}, token)["client"] is None for u in uuids):
        assert time.monotonic() < deadline, "displays were not registered by their discovery"
        time.sleep(0.3)


def test_banner_and_active_event_follow_the_school_day_live(page: Page, server: InfoscreenProcess) -> None:
    token = admin_token(server)
    school_day = datetime.now(ZoneInfo(ZONE)).date()
    host_day = datetime.now(UTC).date()
    assert school_day != host_day
    period = graphql(server, "query { activeAcademicPeriod { id } }", token=token)["activeAcademicPeriod"]
    group = _group(server, token, "Foyer")
    login(page, *SUPERADMIN)
    banner = page.get_by_test_id("period-banner")
    expect(banner.get_by_test_id("holiday-today")).to_have_text("Heute keine Ferien")
    expect(page.get_by_test_id(f"group-card-{group}").get_by_test_id("group-event")).to_contain_text(
        "Kein aktiver Termin"
    )
    _probe = "el => el.dataset.probe = 'kept'"
    page.get_by_test_id("group-card-unassigned").evaluate(_probe)

    # A holiday on the host's date is not the school's today; one on the school's date is — shown live.
    _holiday(server, token, period["id"], "Hostferien", host_day)
    _holiday(server, token, period["id"], "Schulferien", school_day)
    expect(banner.get_by_test_id("holiday-today")).to_have_text("Heute sind Ferien: Schulferien")

    # An event running now, created elsewhere, appears on its group's card without a reload.
    now = datetime.now(UTC).replace(microsecond=0)
    created = graphql(
        server,
        "mutation($i: EventInput!) { createEvent(input: $i) { __typename ... on Event { id } "
        "... on Error { message } } }",
        {
            "i": {
                "groupId": group,
                "title": "Elternabend",
                "eventType": "MESSAGE",
                "messageText": "Elternabend",
                "start": (now - timedelta(minutes=5)).isoformat(),
                "end": (now + timedelta(hours=1)).isoformat(),
                "skipHolidays": False,
            }
        },
        token,
    )["createEvent"]
    assert created["__typename"] == "Event", created
    expect(page.get_by_test_id(f"group-card-{group}").get_by_test_id("group-event")).to_contain_text("Elternabend")
    # Only what changed was rebuilt: the unassigned card is the same node.
    expect(page.get_by_test_id("group-card-unassigned")).to_have_attribute("data-probe", "kept")
    shot(page, "dashboard-live-banner")


def test_bulk_restart_reports_every_display(page: Page, server: InfoscreenProcess) -> None:
    token = admin_token(server)
    group = _group(server, token, "Turnsaal")
    port = int(server.env["MQTT_BROKER_PORT"])
    answering, silent = FakeDisplay(port).connect(), FakeDisplay(port).connect()
    try:
        # It answers the instant the command arrives, before the report is even drawn: the report must still
        # end at "completed" (its follow registers after the command was issued).
        answering.answer_commands("accepted", "execution_started", "completed")
        for n, display in enumerate((answering, silent)):
            display.publish("infoscreen/discovery", {"uuid": display.uuid, "hostname": f"turn-{n}", "ip": "10.3.3.3"})
        _wait_registered(server, token, [answering.uuid, silent.uuid])
        assigned = graphql(
            server,
            "mutation($u: [String!]!, $g: Int!) { assignClientsToGroup(uuids: $u, groupId: $g) { __typename } }",
            {"u": [answering.uuid, silent.uuid], "g": group},
            token,
        )
        assert "Error" not in str(assigned), assigned
        login(page, *SUPERADMIN)
        # Both fall silent; the page's own clock turns them offline and offers the bulk restart.
        button = page.get_by_test_id(f"bulk-restart-{group}")
        expect(button).to_contain_text("(2)", timeout=(GRACE + 30) * 1000)
        button.click()
        page.get_by_test_id("command-reason").fill("Turnsaal dunkel")
        page.get_by_test_id("command-confirm").click()
        report = page.get_by_test_id("bulk-report")
        expect(report.get_by_test_id("bulk-summary")).to_have_text("2 von 2 Neustarts gesendet")
        command = answering.expect("infoscreen/{uuid}/commands").json()
        assert command["reason"] == "Turnsaal dunkel"
        expect(report.get_by_test_id(f"bulk-row-{answering.uuid}")).to_have_attribute("data-status", "completed")
        expect(report.get_by_test_id(f"bulk-row-{answering.uuid}")).to_contain_text("turn-0")
        silent_row = report.get_by_test_id(f"bulk-row-{silent.uuid}")
        expect(silent_row).to_contain_text("turn-1")
        expect(silent_row).to_have_attribute("data-status", "timed_out", timeout=60_000)
        # The report stayed open through every live update of the page behind it.
        expect(report).to_be_visible()
        shot(page, "dashboard-bulk-report")
    finally:
        answering.close()
        silent.close()
