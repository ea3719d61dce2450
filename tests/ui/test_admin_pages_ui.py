"""Admin pages in a real browser: users, academic calendar (holiday import and manual entry), settings, media."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from app.ui.pages.media import CONVERSION_LABELS
from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, admin_token, graphql, login, shot

# LibreOffice's cold start alone takes ~30 s on a small machine; the whole conversion gets generous room.
CONVERSION_TIMEOUT_MS = 120_000


def test_users_page_creates_an_account_with_a_role(page: Page) -> None:
    login(page, *SUPERADMIN)
    page.get_by_test_id("nav-users").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Benutzer")
    page.get_by_test_id("user-new").click()
    page.get_by_test_id("user-username").fill("redakteurin")
    page.get_by_test_id("user-password").fill("kurz")
    page.get_by_test_id("user-dialog-save").click()
    expect(page.get_by_text("Mindestens 6 Zeichen").first).to_be_visible()  # refused before the server is asked
    page.get_by_test_id("user-password").fill("lange-genug")
    page.get_by_test_id("user-role").click()
    page.get_by_role("option", name="Redakteur").click()
    page.get_by_test_id("user-dialog-save").click()
    row = page.get_by_test_id("users-table").locator("tr", has_text="redakteurin")
    expect(row).to_contain_text("Redakteur")
    shot(page, "users")
    # Self-protection: no reset/delete buttons on one's own row.
    own = page.get_by_test_id("users-table").locator("tr", has_text="superadmin (Sie)")
    expect(own.get_by_test_id("user-delete-superadmin")).to_have_count(0)
    expect(row.get_by_test_id("user-delete-redakteurin")).to_be_visible()


def test_settings_imports_holidays_with_a_summary_and_adds_one_by_hand(page: Page, tmp_path: Path) -> None:
    login(page, *SUPERADMIN)
    page.goto("/settings?focus=holidays")
    expect(page.get_by_test_id("page-title")).to_have_text("Einstellungen")
    expect(page.get_by_test_id("holiday-import")).to_be_visible()
    csv = tmp_path / "ferien.csv"
    csv.write_text("name;start;end;region\nWeihnachtsferien;24.12.2026;06.01.2027;Wien\n", encoding="utf-8")
    page.get_by_test_id("holiday-import").locator("input[type=file]").set_input_files(str(csv))
    summary = page.get_by_test_id("holiday-import-summary")
    expect(summary).to_contain_text("1 neu")
    expect(page.get_by_text("Weihnachtsferien")).to_be_visible()

    page.get_by_test_id("holiday-new").click()
    page.get_by_test_id("holiday-name").fill("Semesterferien")
    page.get_by_label("Beginn", exact=True).fill("2027-02-08")
    page.get_by_label("Ende", exact=True).fill("2027-02-12")
    page.get_by_test_id("settings-dialog-save").click()
    expect(page.get_by_text("Semesterferien")).to_be_visible()
    shot(page, "settings-holidays")


def test_media_upload_lists_the_file_and_delete_removes_it(page: Page, tmp_path: Path) -> None:
    login(page, *SUPERADMIN)
    page.get_by_test_id("nav-media").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Medien")
    pdf = tmp_path / "aushang.pdf"
    pdf.write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    page.get_by_test_id("media-upload").locator("input[type=file]").set_input_files(str(pdf))
    row = page.get_by_test_id("media-table").locator("tr", has_text="aushang.pdf")
    expect(row).to_contain_text("pdf")
    shot(page, "media")
    row.locator("[data-testid^=media-delete-]").click()
    page.get_by_test_id("confirm-yes").click()
    expect(row).to_have_count(0)


def _small_presentation(path: Path) -> Path:
    from pptx import Presentation

    deck = Presentation()
    for title in ("Elternsprechtag", "Raumplan"):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = "Donnerstag, 14:00–18:00"
    deck.save(str(path))
    return path


def test_media_upload_of_a_presentation_shows_the_conversion_finishing_live(
    page: Page, server: InfoscreenProcess, tmp_path: Path
) -> None:
    login(page, *SUPERADMIN)
    page.get_by_test_id("nav-media").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Medien")
    deck = _small_presentation(tmp_path / "elternsprechtag.pptx")
    page.get_by_test_id("media-upload").locator("input[type=file]").set_input_files(str(deck))
    row = page.get_by_test_id("media-table").locator("tr", has_text="elternsprechtag.pptx")
    badge = row.locator("[data-testid^=conversion-]")
    expect(badge).to_have_count(1)
    # No reload: the badge follows conversionUpdated until LibreOffice has produced the PDF.
    expect(badge).to_have_text(CONVERSION_LABELS["READY"][0], timeout=CONVERSION_TIMEOUT_MS)
    shot(page, "media-converted")

    media_id = int(str(badge.get_attribute("data-testid")).removeprefix("conversion-"))
    media = graphql(
        server,
        "query { media { id conversion { status pdfUrl pageCount } } }",
        token=admin_token(server),
    )["media"]
    conversion = next(m for m in media if m["id"] == media_id)["conversion"]
    assert conversion["status"] == "READY"
    assert conversion["pageCount"] == 2
    # The row offers the converted PDF once it is ready: the link the admin clicks is the one displays get.
    link = row.get_by_test_id(f"media-pdf-{media_id}")
    expect(link).to_have_attribute("href", conversion["pdfUrl"])
    pdf = httpx.get(httpx.URL(server.base_url).join(str(link.get_attribute("href"))), timeout=30)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.content.startswith(b"%PDF")
