"""Monitoring at fleet size in a real browser: 60 displays, 48 cards a page, status filters, live reloads.

The displays are written into the running server's database the way ingest would have (problem marks via
`insert_logs`); the tests read the page as an admin would. The first tests only look; the last one changes
the fleet (a log over MQTT, deletions over GraphQL), so it runs last.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from app.config import load_settings
from app.domain.clients.models import Client
from app.domain.clock import utcnow
from app.domain.db import Database
from app.domain.enums import LogLevel, ProcessStatus, ScreenHealthStatus
from app.domain.monitoring.log_ingest import ClientLogEntry, insert_logs
from tests.graphql.fleet import new_uuid
from tests.support.display import FakeDisplay
from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, admin_token, graphql, login, shot, ui_server

# 60 displays: 12 critical (2 crashed, 10 with a recent ERROR), 30 warning (a WARN three hours ago),
# 10 offline, 8 healthy; "Probleme" are 52, two pages.
MIX = ["crashed"] * 2 + ["error"] * 10 + ["warn"] * 30 + ["offline"] * 10 + ["healthy"] * 8
CARDS = '[data-testid^="mon-client-"]'


@dataclass
class Fleet:
    uuids: list[str]  # in the overview's order ("Display 01" ... "Display 60")
    kinds: dict[str, str]  # uuid -> MIX entry

    def of(self, *kinds: str) -> list[str]:
        return [u for u in self.uuids if self.kinds[u] in kinds]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfoscreenProcess]:
    """The shared UI server, but with a heartbeat grace of an hour: seeded heartbeats must stay fresh."""
    with ui_server(tmp_path_factory.mktemp("ui-monitoring"), HEARTBEAT_GRACE_PERIOD_DEV="3600") as proc:
        yield proc


async def _seed(database_url: str) -> Fleet:
    db = Database(database_url)
    now = utcnow()
    kinds = list(MIX)
    random.Random(7).shuffle(kinds)  # statuses spread over both pages
    uuids = [new_uuid() for _ in kinds]
    ok = {"process_status": ProcessStatus.RUNNING, "screen_health_status": ScreenHealthStatus.OK}
    try:
        async with db.session() as session:
            for n, (uuid, kind) in enumerate(zip(uuids, kinds, strict=True), start=1):
                fields = {**ok, "process_status": ProcessStatus.CRASHED} if kind == "crashed" else dict(ok)
                alive = now - (timedelta(hours=2) if kind == "offline" else timedelta(seconds=5))
                session.add(
                    Client(
                        uuid=uuid,
                        description=f"Display {n:02d}",
                        hostname=f"pi-{n:02d}",
                        ip=f"10.0.1.{n}",
                        is_active=True,
                        last_alive=alive,
                        **fields,
                    )
                )
            await session.flush()
            logs = [
                ClientLogEntry(uuid, LogLevel.ERROR, "player died", timestamp=now - timedelta(minutes=30))
                for uuid, kind in zip(uuids, kinds, strict=True)
                if kind == "error"
            ] + [
                ClientLogEntry(uuid, LogLevel.WARN, "slow network", timestamp=now - timedelta(hours=3))
                for uuid, kind in zip(uuids, kinds, strict=True)
                if kind == "warn"
            ]
            await insert_logs(session, logs)
    finally:
        await db.dispose()
    return Fleet(uuids, dict(zip(uuids, kinds, strict=True)))


@pytest.fixture(scope="module")
def fleet(server: InfoscreenProcess) -> Fleet:
    url = load_settings(DATA_DIR=server.env["DATA_DIR"], SECRET_KEY="test-secret").database_url
    # Its own thread and loop: Playwright's sync API owns this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _seed(url)).result(timeout=60)


def _open(page: Page) -> None:
    login(page, *SUPERADMIN)
    page.goto("/monitoring")
    expect(page.get_by_test_id("mon-total")).to_be_visible()


def _shown(page: Page) -> list[str]:
    testids = page.locator(CARDS).evaluate_all("cards => cards.map(c => c.dataset.testid)")
    return [str(testid).removeprefix("mon-client-") for testid in testids]


def _current_page(page: Page) -> Locator:
    return page.get_by_test_id("mon-pagination").locator('[aria-current="true"]')


def _expect_summary(page: Page, total: int, healthy: int, warning: int, critical: int, offline: int) -> None:
    expected = {"total": total, "healthy": healthy, "warning": warning, "critical": critical, "offline": offline}
    for testid, value in expected.items():
        expect(page.get_by_test_id(f"mon-{testid}")).to_have_text(str(value))


def test_the_fleet_is_shown_48_cards_a_page(page: Page, fleet: Fleet) -> None:
    _open(page)
    _expect_summary(page, total=60, healthy=8, warning=30, critical=12, offline=10)
    expect(page.locator(CARDS)).to_have_count(48)
    expect(page.get_by_test_id("mon-range")).to_have_text("1–48 von 60")
    assert _shown(page) == fleet.uuids[:48]
    expect(_current_page(page)).to_have_text("1")
    shot(page, "monitoring-page-1")

    page.get_by_test_id("mon-pagination").get_by_role("button", name="2", exact=True).click()
    expect(page.get_by_test_id("mon-range")).to_have_text("49–60 von 60")
    expect(page.locator(CARDS)).to_have_count(12)
    assert _shown(page) == fleet.uuids[48:]
    expect(_current_page(page)).to_have_text("2")
    # The panels and card contents are unchanged: crashed displays with restart, logs per card.
    crashed = fleet.of("crashed")[0]
    panel = page.get_by_test_id("crashed-panel")
    expect(panel.get_by_test_id(f"crash-restart-{crashed}")).to_be_visible()
    # 2 crashed + 10 with a stale heartbeat: the panel previews 8 so the cards stay in view, the rest on demand.
    restarts = panel.locator("[data-testid^='crash-restart-']")
    expect(restarts).to_have_count(8)
    expect(page.get_by_test_id("crashed-more")).to_contain_text("Alle 12 anzeigen")
    page.get_by_test_id("crashed-more").click()
    expect(restarts).to_have_count(12)
    page.get_by_test_id("crashed-more").click()
    expect(restarts).to_have_count(8)
    expect(page.get_by_test_id(f"logs-{fleet.uuids[-1]}")).to_be_visible()


def test_filters_narrow_the_cards_but_not_the_summary(page: Page, fleet: Fleet) -> None:
    _open(page)
    page.get_by_test_id("mon-pagination").get_by_role("button", name="2", exact=True).click()
    expect(page.get_by_test_id("mon-range")).to_have_text("49–60 von 60")

    # A new filter starts on its first page.
    page.get_by_test_id("mon-filter-problems").click()
    expect(page.get_by_test_id("mon-range")).to_have_text("1–48 von 52")
    expect(_current_page(page)).to_have_text("1")
    expect(page.get_by_test_id("mon-filter-problems")).to_have_attribute("aria-pressed", "true")
    assert _shown(page) == fleet.of("crashed", "error", "warn", "offline")[:48]

    page.get_by_test_id("mon-filter-critical").click()
    expect(page.get_by_test_id("mon-range")).to_have_text("1–12 von 12")
    expect(page.get_by_test_id("mon-pagination")).to_have_count(0)
    assert _shown(page) == fleet.of("crashed", "error")
    _expect_summary(page, total=60, healthy=8, warning=30, critical=12, offline=10)
    expect(page.get_by_test_id("mon-filter-critical")).to_have_text("Kritisch (12)")
    shot(page, "monitoring-filter-critical")

    # The Offline metric card is a shortcut to its filter.
    page.get_by_test_id("mon-metric-offline").click()
    expect(page.get_by_test_id("mon-filter-offline")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("mon-filter-critical")).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_test_id("mon-range")).to_have_text("1–10 von 10")
    assert _shown(page) == fleet.of("offline")
    for uuid in fleet.of("offline"):
        expect(page.get_by_test_id(f"mon-client-{uuid}")).to_contain_text("Offline")

    # A window of one hour no longer sees the WARN logs: no warnings left, a clear message instead of cards.
    page.get_by_test_id("mon-filter-warning").click()
    expect(page.get_by_test_id("mon-range")).to_have_text("1–30 von 30")
    page.get_by_test_id("mon-hours").click()
    page.get_by_role("option", name="1 h", exact=True).click()
    expect(page.get_by_test_id("mon-empty")).to_have_text("Keine Displays mit diesem Status")
    expect(page.locator(CARDS)).to_have_count(0)
    _expect_summary(page, total=60, healthy=38, warning=0, critical=12, offline=10)
    expect(page.get_by_test_id("mon-filter-warning")).to_have_attribute("aria-pressed", "true")
    shot(page, "monitoring-filter-empty")
    page.get_by_test_id("mon-show-all").click()
    expect(page.get_by_test_id("mon-range")).to_have_text("1–48 von 60")
    expect(page.get_by_test_id("mon-filter-all")).to_have_attribute("aria-pressed", "true")


def test_live_changes_keep_the_filter_and_a_vanished_page_falls_back(
    page: Page, server: InfoscreenProcess, fleet: Fleet
) -> None:
    _open(page)
    page.get_by_test_id("mon-filter-critical").click()
    expect(page.get_by_test_id("mon-range")).to_have_text("1–12 von 12")

    # A healthy display reports an ERROR over MQTT: the page reloads by itself and keeps "Kritisch".
    failing = fleet.of("healthy")[0]
    display = FakeDisplay(int(server.env["MQTT_BROKER_PORT"]), uuid=failing).connect()
    try:
        display.publish("infoscreen/{uuid}/logs/error", {"message": "HDMI lost", "context": {"port": 1}})
    finally:
        display.close()
    expect(page.get_by_test_id("mon-range")).to_have_text("1–13 von 13")
    expect(page.get_by_test_id(f"mon-client-{failing}")).to_contain_text("HDMI lost")
    expect(page.get_by_test_id("mon-filter-critical")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("mon-critical")).to_have_text("13")

    # On page 2 of "Alle", twelve displays are removed elsewhere: refresh shows the last page that exists.
    page.get_by_test_id("mon-filter-all").click()
    page.get_by_test_id("mon-pagination").get_by_role("button", name="2", exact=True).click()
    expect(page.get_by_test_id("mon-range")).to_have_text("49–60 von 60")
    token = admin_token(server)
    delete = "mutation($u: String!) { deleteClient(uuid: $u) { ... on ClientDeleted { uuid } } }"
    for uuid in fleet.uuids[:12]:
        assert graphql(server, delete, {"u": uuid}, token=token)["deleteClient"]["uuid"] == uuid
    page.get_by_test_id("mon-refresh").click()
    expect(page.get_by_test_id("mon-range")).to_have_text("1–48 von 48")
    expect(page.locator(CARDS)).to_have_count(48)
    expect(page.get_by_test_id("mon-pagination")).to_have_count(0)
    expect(page.get_by_test_id("mon-filter-all")).to_have_attribute("aria-pressed", "true")
    assert _shown(page) == fleet.uuids[12:]
