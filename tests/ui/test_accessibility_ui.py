"""axe-core on every dashboard page, in German and in English, with a school's worth of data (#17 point 10).

Every page of the navigation (`NAV_ITEMS`, so pages added later are covered without touching this test), the
login page and Profil, plus the user menu and the event dialog opened: no `serious` or `critical` violation.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.ui.i18n import TEXTS
from app.ui.layout import NAV_ITEMS
from tests.media.support import FakeGotenberg, fake_gotenberg, make_pdf
from tests.support.process import InfoscreenProcess
from tests.ui.axe import axe_violations, describe
from tests.ui.conftest import SUPERADMIN, login, logout, shot, ui_server
from tests.ui.realistic import School, school

SETTLE_MS = 600


@pytest.fixture(scope="module")
def gotenberg() -> Iterator[FakeGotenberg]:
    with fake_gotenberg(make_pdf(2), script=[400] * 5) as fake:  # the deck's conversion fails for good
        yield fake


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, gotenberg: FakeGotenberg) -> Iterator[InfoscreenProcess]:
    tmp = tmp_path_factory.mktemp("ui-a11y")
    with ui_server(tmp, GOTENBERG_URL=gotenberg.url, HEARTBEAT_GRACE_PERIOD_DEV="30") as proc:
        yield proc


@pytest.fixture(scope="module")
def data(server: InfoscreenProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[School]:
    with school(server, tmp_path_factory.mktemp("a11y-data")) as seeded:
        yield seeded


def use_language(page: Page, language: str) -> None:
    """Switch the logged-in account to `language` through the user menu (the choice is stored per account)."""
    page.goto("/profile")
    expect(page.get_by_test_id("page-title")).to_be_visible()
    if page.evaluate("() => document.documentElement.lang").startswith(language):
        return
    page.get_by_test_id("user-menu").click()
    current = 1 if language == "de" else 0
    page.get_by_text(TEXTS["menu.language"][current]).click()
    expect(page.locator("html")).to_have_attribute("lang", "en-US" if language == "en" else "de")
    expect(page.get_by_test_id("page-title")).to_be_visible()


def settle(page: Page) -> None:
    """The page's content is built (its heading is there and no loading spinner is left in the content)."""
    expect(page.get_by_test_id("page-title")).to_be_visible()
    spinners = page.locator(".nicegui-content .q-spinner")
    with contextlib.suppress(AssertionError):  # a live page may keep a small spinner; axe checks what is there
        expect(spinners).to_have_count(0, timeout=5_000)
    page.wait_for_timeout(SETTLE_MS)


class Findings:
    def __init__(self, language: str) -> None:
        self.language = language
        self.reports: list[str] = []
        self.checked: list[str] = []

    def check(self, page: Page, where: str) -> None:
        self.checked.append(where)
        violations = axe_violations(page)
        if violations:
            self.reports.append(describe(f"{self.language} {where}", violations))
            shot(page, f"a11y-{self.language}-{where.strip('/').replace('/', '-') or 'dashboard'}")

    def assert_clean(self) -> None:
        assert not self.reports, (
            f"axe-core found serious/critical violations ({len(self.reports)} of {len(self.checked)} views):\n"
            + "\n".join(self.reports)
        )


@pytest.mark.slow
@pytest.mark.parametrize("language", ["de", "en"])
def test_every_page_and_the_main_dialogs_pass_axe(page: Page, data: School, language: str) -> None:
    findings = Findings(language)
    login(page, *SUPERADMIN)
    use_language(page, language)

    for item in NAV_ITEMS:
        page.goto(item.path)
        settle(page)
        assert page.get_by_test_id("forbidden").count() == 0, f"superadmin refused on {item.path}"
        findings.check(page, item.path)
    page.goto("/profile")
    settle(page)
    findings.check(page, "/profile")
    # The user menu, open.
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_test_id("logout")).to_be_visible()
    findings.check(page, "user menu")
    page.keyboard.press("Escape")

    # The group board (cards of every display, "Nicht zugeordnet" included).
    page.goto("/groups")
    settle(page)
    page.get_by_test_id("view-toggle").get_by_text("Board").click()
    expect(page.get_by_test_id(f"board-card-{data.displays['unassigned'].uuid}")).to_be_visible()
    findings.check(page, "/groups board")
    # A board card is reachable by keyboard: Enter opens the display's dialog.
    card = page.get_by_test_id(f"board-card-{data.displays['crashed'].uuid}")
    card.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("client-dialog")).to_have_count(1)
    expect(page.get_by_test_id("client-dialog")).to_contain_text("pi-crashed")
    page.wait_for_timeout(SETTLE_MS)
    findings.check(page, "/groups display dialog")
    page.keyboard.press("Escape")

    # An event's dialog, opened from the calendar by keyboard (the event is focusable, Enter opens it).
    page.goto("/calendar")
    settle(page)
    event = page.locator("[data-testid^=cal-event-]").first
    expect(event).to_be_visible()
    event.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("occ-dialog")).to_have_count(1)  # opened once, not once per key handler
    page.wait_for_timeout(SETTLE_MS)
    findings.check(page, "/calendar event dialog")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("occ-dialog")).to_have_count(0)
    # The event form (new event).
    page.get_by_test_id("cal-new").click()
    expect(page.get_by_test_id("event-dialog")).to_be_visible()
    page.wait_for_timeout(SETTLE_MS)
    findings.check(page, "/calendar event form")
    page.keyboard.press("Escape")

    # The login page, in the language the browser last used.
    logout(page)
    page.wait_for_url("**/login")
    expect(page.locator("html")).to_have_attribute("lang", "en-US" if language == "en" else "de")
    findings.check(page, "/login")

    assert len(findings.checked) >= len(NAV_ITEMS) + 7
    findings.assert_clean()


@pytest.mark.slow
def test_a_teachers_pages_and_refusals_pass_axe(page: Page, data: School) -> None:
    """The same for the lowest role: read-only pages and the refusal shown on the others' direct URLs."""
    findings = Findings("de")
    login(page, "lehrerin", "lehrerin-pass")
    refused = 0
    for item in NAV_ITEMS:
        page.goto(item.path)
        forbidden = page.get_by_test_id("forbidden")
        expect(page.get_by_test_id("page-title").or_(forbidden)).to_be_visible()
        refused += forbidden.count()
        page.wait_for_timeout(SETTLE_MS)
        findings.check(page, f"{item.path} (user)")
    assert refused > 0  # the refusal page was checked too
    findings.assert_clean()


def test_the_vendored_axe_core_is_present_and_versioned() -> None:
    vendor = Path(__file__).resolve().parent / "vendor"
    assert (vendor / "axe.min.js").stat().st_size > 100_000
    assert (vendor / "axe-core.VERSION").read_text().strip()
