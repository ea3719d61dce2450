"""English mode is English (#17 point 6): every page of the navigation, Profil, the login page, the board and the
open dialogs, rendered for an English account with a school's worth of data, show none of the dashboard's
German-only words, and `<html lang>` says English.

"German-only" is every German text of the dashboard tables (`TEXTS`, the status vocabularies, the server's
messages) that differs from its English text and is distinctive enough not to occur in English text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import pytest
from playwright.sync_api import Page, expect

from app.messages import MESSAGES
from app.ui.i18n import TEXTS
from app.ui.layout import NAV_ITEMS
from app.ui.pages.media.library import CONVERSION_LABELS
from app.ui.widgets import COMMAND_ACTION, COMMAND_STATUS, HEALTH_REASON, HEALTH_STYLE
from tests.media.support import FakeGotenberg, fake_gotenberg, make_pdf
from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, login, logout, shot, ui_server
from tests.ui.realistic import School, school

MIN_LENGTH = 6
# Quasar's own German (table paging, empty tables): English pages must load Quasar's English pack.
QUASAR_GERMAN = {"Zeilen pro Seite", "Keine Daten vorhanden"}
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def _pieces(text: str) -> Iterable[str]:
    """The literal parts of a template ("{count} Anzeigen offline" → "Anzeigen offline")."""
    for piece in _PLACEHOLDER.split(text):
        piece = piece.strip(" .,:;·–-()„“\"'")
        if len(piece) >= MIN_LENGTH and re.search(r"[a-zäöüß]", piece):
            yield piece


def german_only_texts() -> set[str]:
    pairs: list[tuple[str, str]] = list(TEXTS.values()) + list(MESSAGES.values())
    pairs += [(de, en) for de, en, _ in (*HEALTH_STYLE.values(), *COMMAND_STATUS.values())]
    pairs += [*HEALTH_REASON.values(), *COMMAND_ACTION.values()]
    pairs += [(de, en) for de, en, _ in CONVERSION_LABELS.values()]
    english = " ".join(en for _, en in pairs)
    found: set[str] = set()
    for german, en in pairs:
        if german == en:
            continue
        for piece in _pieces(german):
            if piece not in english and piece not in en:
                found.add(piece)
    return found | QUASAR_GERMAN


GERMAN_ONLY = german_only_texts()


@pytest.fixture(scope="module")
def gotenberg() -> Iterator[FakeGotenberg]:
    with fake_gotenberg(make_pdf(2), script=[400] * 5) as fake:  # the deck's conversion fails for good
        yield fake


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, gotenberg: FakeGotenberg) -> Iterator[InfoscreenProcess]:
    tmp = tmp_path_factory.mktemp("ui-english")
    with ui_server(tmp, GOTENBERG_URL=gotenberg.url, HEARTBEAT_GRACE_PERIOD_DEV="30") as proc:
        yield proc


@pytest.fixture(scope="module")
def data(server: InfoscreenProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[School]:
    with school(server, tmp_path_factory.mktemp("english-data")) as seeded:
        yield seeded


def german_on(page: Page) -> list[str]:
    text = page.locator("body").inner_text()
    return sorted(word for word in GERMAN_ONLY if word in text)


def test_the_german_only_vocabulary_is_substantial() -> None:
    # The check below can only fail if it looks for something: the dashboard's German words.
    assert len(GERMAN_ONLY) > 300
    for word in ("Nicht zugeordnet", "Abgeschlossen", "Einstellungen", "Fehlgeschlagen"):
        assert word in GERMAN_ONLY, word


@pytest.mark.slow
def test_every_page_in_english_shows_no_german(page: Page, data: School) -> None:
    login(page, *SUPERADMIN)
    page.goto("/profile")
    page.get_by_test_id("user-menu").click()
    page.get_by_text(TEXTS["menu.language"][0]).click()
    expect(page.locator("html")).to_have_attribute("lang", "en-US")

    found: dict[str, list[str]] = {}

    def check(where: str) -> None:
        expect(page.locator("html")).to_have_attribute("lang", "en-US")
        page.wait_for_timeout(800)
        words = german_on(page)
        if words:
            found[where] = words
            shot(page, f"english-{where.strip('/').replace('/', '-').replace(' ', '-') or 'dashboard'}")

    for item in NAV_ITEMS:
        page.goto(item.path)
        expect(page.get_by_test_id("page-title")).to_be_visible()
        check(item.path)
    # Every tab of Einstellungen.
    page.goto("/settings")
    expect(page.get_by_test_id("page-title")).to_be_visible()
    tabs = page.locator(".q-tabs").first.locator(".q-tab")
    for index in range(tabs.count()):
        tabs.nth(index).click()
        check(f"/settings tab {index + 1}")
    tabs.first.click()  # Kalender: its own tabs (periods, holidays, subscriptions)
    inner = page.locator(".q-tabs").nth(1).locator(".q-tab")
    for index in range(inner.count()):
        inner.nth(index).click()
        check(f"/settings calendar tab {index + 1}")
    page.goto("/profile")
    expect(page.get_by_test_id("page-title")).to_be_visible()
    check("/profile")
    page.goto("/groups")
    expect(page.get_by_test_id("page-title")).to_be_visible()
    page.get_by_test_id("view-toggle").get_by_text("Board").click()
    expect(page.get_by_test_id(f"board-card-{data.displays['unassigned'].uuid}")).to_be_visible()
    check("/groups board")
    page.get_by_test_id(f"board-card-{data.displays['crashed'].uuid}").click()
    expect(page.get_by_test_id("client-dialog")).to_be_visible()
    check("/groups display dialog")
    page.keyboard.press("Escape")
    page.goto("/calendar")
    expect(page.get_by_test_id("page-title")).to_be_visible()
    event = page.locator("[data-testid^=cal-event-]").first
    event.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("occ-dialog")).to_be_visible()
    check("/calendar event dialog")
    page.keyboard.press("Escape")
    page.get_by_test_id("cal-new").click()
    expect(page.get_by_test_id("event-dialog")).to_be_visible()
    check("/calendar event form")
    page.keyboard.press("Escape")
    page.get_by_test_id("user-menu").click()
    page.get_by_text(TEXTS["menu.change_password"][1]).click()
    expect(page.get_by_test_id("pw-save")).to_be_visible()
    check("password dialog")
    page.keyboard.press("Escape")
    logout(page)
    page.wait_for_url("**/login")
    check("/login")
    # A server message shown to an English user: a wrong password.
    page.get_by_test_id("login-username").fill(SUPERADMIN[0])
    page.get_by_test_id("login-password").fill("wrong-password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_be_visible()
    check("/login error")

    assert not found, "German text in English mode:\n" + "\n".join(
        f"  {where}: {', '.join(words)}" for where, words in found.items()
    )
