"""Medien: a failed conversion says why on the row and converts again on a click; search and type filter;
the file picker offers exactly what the server accepts, and the same file can be chosen again."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.domain.media.detect import ACCEPTED_EXTENSIONS
from app.domain.media.probe import MAX_VIDEO_SECONDS
from app.ui.pages.media.library import CONVERSION_LABELS
from tests.media.support import PNG_1X1, FakeGotenberg, fake_gotenberg, make_pdf, make_pptx, make_video
from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, admin_token, graphql, login, shot, ui_server

TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def gotenberg() -> Iterator[FakeGotenberg]:
    # The first conversion is refused by the converter (HTTP 400: a permanent failure), the next succeeds.
    with fake_gotenberg(make_pdf(2), script=[400]) as fake:
        yield fake


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, gotenberg: FakeGotenberg) -> Iterator[InfoscreenProcess]:
    with ui_server(tmp_path_factory.mktemp("ui-media"), GOTENBERG_URL=gotenberg.url) as proc:
        yield proc


def _open_media(page: Page) -> None:
    login(page, *SUPERADMIN)
    page.goto("/media")
    expect(page.get_by_test_id("media-table")).to_be_visible()


def test_a_failed_conversion_shows_its_reason_and_converts_again_on_retry(
    page: Page, server: InfoscreenProcess, gotenberg: FakeGotenberg, tmp_path: Path
) -> None:
    _open_media(page)
    deck = make_pptx(tmp_path / "elternabend.pptx", 2)
    page.get_by_test_id("media-upload").locator("input[type=file]").set_input_files(str(deck))
    row = page.get_by_test_id("media-table").locator("tr", has_text="elternabend.pptx")
    badge = row.locator("[data-testid^=conversion-]").first
    expect(badge).to_have_text(CONVERSION_LABELS["FAILED"][0], timeout=TIMEOUT_MS)
    media_id = int(str(badge.get_attribute("data-testid")).removeprefix("conversion-"))
    reason = row.get_by_test_id(f"conversion-error-{media_id}")
    # On the row itself, not in a tooltip: the converter's answer (HTTP 400).
    expect(reason).to_be_visible()
    expect(reason).to_contain_text("400")
    shot(page, "media-conversion-failed")

    row.get_by_test_id(f"conversion-retry-{media_id}").click()
    expect(badge).to_have_text(CONVERSION_LABELS["READY"][0], timeout=TIMEOUT_MS)
    expect(reason).to_have_count(0)
    expect(row.get_by_test_id(f"conversion-retry-{media_id}")).to_have_count(0)
    media = graphql(server, "query { media { id conversion { status pageCount } } }", token=admin_token(server))
    conversion = next(m for m in media["media"] if m["id"] == media_id)["conversion"]
    assert conversion == {"status": "READY", "pageCount": 2}
    assert len(gotenberg.requests) == 2


def test_the_picker_offers_what_the_server_accepts_and_the_same_file_can_be_chosen_again(
    page: Page, tmp_path: Path
) -> None:
    _open_media(page)
    picker = page.get_by_test_id("media-upload").locator("input[type=file]")
    accept = str(picker.get_attribute("accept")).split(",")
    assert sorted(accept) == sorted(ACCEPTED_EXTENSIONS)
    assert ".m4v" in accept and ".mkv" not in accept

    image = tmp_path / "aushang.png"
    image.write_bytes(PNG_1X1)
    picker.set_input_files(str(image))
    rows = page.get_by_test_id("media-table").locator("tbody tr", has_text="aushang.png")
    expect(rows).to_have_count(1)
    # The same file again: the server is asked again and answers (a duplicate), instead of the picker ignoring it.
    picker = page.get_by_test_id("media-upload").locator("input[type=file]")
    picker.set_input_files(str(image))
    expect(page.locator(".q-notification.bg-negative", has_text="aushang.png")).to_be_visible()
    expect(rows).to_have_count(1)


def test_search_by_name_and_filter_by_type(page: Page, tmp_path: Path) -> None:
    _open_media(page)
    table = page.get_by_test_id("media-table")
    for name, pages in (("sportfest.pdf", 3), ("hausordnung.pdf", 4)):
        (tmp_path / name).write_bytes(make_pdf(pages))
        page.get_by_test_id("media-upload").locator("input[type=file]").set_input_files(str(tmp_path / name))
        expect(table.locator("tbody tr", has_text=name)).to_have_count(1)
    rows = table.locator("tbody tr")
    search = page.get_by_test_id("media-search")

    search.fill("SPORT")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("sportfest.pdf")
    search.fill("")
    expect(rows.filter(has_text="hausordnung.pdf")).to_have_count(1)
    page.get_by_test_id("media-type-filter").click()
    page.get_by_role("option", name="image", exact=True).click()
    expect(rows.filter(has_text=".pdf")).to_have_count(0)
    page.get_by_test_id("media-type-filter").click()
    page.get_by_role("option", name="pdf", exact=True).click()
    expect(rows.filter(has_text=".pdf")).to_have_count(2)
    expect(rows.filter(has_text=".png")).to_have_count(0)


def test_a_video_over_ten_minutes_is_refused_with_a_clear_message(page: Page, tmp_path: Path) -> None:
    _open_media(page)
    video = tmp_path / "abschlussfeier.mp4"
    make_video(video, MAX_VIDEO_SECONDS + 30, rate=1, size="64x48")
    page.get_by_test_id("media-upload").locator("input[type=file]").set_input_files(str(video))
    refusal = page.locator(".q-notification.bg-negative", has_text="abschlussfeier.mp4")
    expect(refusal).to_contain_text("10:30 Minuten lang; erlaubt sind höchstens 10 Minuten")
    expect(page.get_by_test_id("media-table").locator("tr", has_text="abschlussfeier.mp4")).to_have_count(0)


def test_a_delete_confirmed_while_the_database_is_busy_still_removes_the_row_and_says_so(
    page: Page, server: InfoscreenProcess, tmp_path: Path
) -> None:
    """The confirm dialog closes (and is deleted) while the write waits for the database: the answer must still
    reach the page — the row goes and the toast says "Gelöscht" (it used to be lost with the dialog)."""
    _open_media(page)
    pdf = tmp_path / "busy.pdf"
    pdf.write_bytes(make_pdf(1))
    page.get_by_test_id("media-upload").locator("input[type=file]").set_input_files(str(pdf))
    row = page.get_by_test_id("media-table").locator("tr", has_text="busy.pdf")
    expect(row).to_have_count(1)
    database = sqlite3.connect(Path(server.env["DATA_DIR"]) / "infoscreen.db", timeout=30, isolation_level=None)
    try:
        database.execute("BEGIN IMMEDIATE")  # another writer holds the database: the delete waits for it
        row.locator("[data-testid^=media-delete-]").click()
        page.get_by_test_id("confirm-yes").click()
        expect(page.get_by_test_id("confirm-yes")).to_have_count(0)  # the dialog is gone before the answer
        page.wait_for_timeout(1500)
        expect(row).to_have_count(1)  # not yet: the write is still waiting
    finally:
        database.execute("ROLLBACK")
        database.close()
    expect(row).to_have_count(0)
    expect(page.locator(".q-notification", has_text="Gelöscht")).to_be_visible()
